"""Follow-ups: a short question that leans on what was just answered or done.

"那要多久" after a loss report, "how much?" after the replacement answer, "那孩子呢" after the
binding age: alone they name nothing of ours, and the retriever rightly leaves them (its
out-of-scope rule is that a line must name our card, a password, a loss…). Right after an
answer or a service, the conversation has named it: the line is read among the entries
people ask next (data/next.yaml), never among all of them, so a follow-up cannot reach an
entry the conversation was not near. What the line names on its own still decides first:
an answer of its own, or a topic named in its own words ("那医保呢" is medical insurance's).
Another card named ("银行卡密码也一起改了吗" after a password reset) may be the card's own
bank side: a next entry that speaks of it answers, but it is never offered a list.

Among the next entries, one that holds FOLLOW_FLOOR of the line's words (by idf) and ranks
FOLLOW_MARGIN clear of the others is the answer; otherwise a line that names nothing the
next entries do not ("然后呢", "is it free") is offered them as a numbered choice, and a
line with words of its own no next entry speaks of ("今天天气怎么样", "你是谁") stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from types import MappingProxyType
from typing import Literal

import yaml

from flows.knowledge.base import DATA, LANGS, SERVICES, KnowledgeBase
from flows.knowledge.retriever import UNRELATED, Answer, Retriever

FOLLOW_FLOOR = 0.3  # the share of the line's words (by idf) the one next entry must hold
FOLLOW_MARGIN = 0.15  # ... ranking this far above the next best of the next entries
SHORT = 12  # tokens (a Chinese line's characters and pairs, an English line's words): a
# line offered the next entries is a short one; a longer one says what it is about itself
Kind = Literal["answers", "services"]


@cache
def next_entries() -> Mapping[Kind, Mapping[str, tuple[str, ...]]]:
    """data/next.yaml, read once and checked: every id an entry of every language's base."""
    with open(DATA / "next.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    known = set.intersection(*({entry.id for entry in KnowledgeBase.load(lang)}
                               for lang in LANGS))
    table: dict[Kind, dict[str, tuple[str, ...]]] = {"answers": {}, "services": {}}
    for kind, keys in (("answers", known), ("services", SERVICES | {"family"})):
        for key, ids in raw[kind].items():
            if key.split(".")[0] not in keys or not set(ids) <= known:
                raise ValueError(f"next.yaml: {kind}.{key} names an unknown entry or service")
            table[kind][key] = tuple(ids)
    return MappingProxyType({kind: MappingProxyType(rows) for kind, rows in table.items()})


def follow_up(retriever: Retriever, text: str, kind: Kind, after: str,
              plain: Answer | None = None) -> Answer:
    """The answer to `text` asked right after the answer (`kind` "answers") or the service
    ("services") `after`; the plain answer whenever the line decides on its own (`plain`:
    the retriever's answer to `text`, when the caller has it already)."""
    plain = plain or retriever.answer(text)
    table = next_entries()[kind]  # a service by how it ended ("forgot_password.done"), else
    candidates = table.get(after) or table.get(after.split(".")[0], ())  # by its name
    after = after.split(".")[0]
    if kind == "answers" and candidates:
        candidates = (after, *candidates)
    whose = retriever.names_whose(text)
    if plain.kind != "none" or not plain.asked or not candidates or whose == "topic" \
            or plain.reason == "a flow's start word":
        return plain
    indexes = [retriever.kb.entries.index(retriever.kb.get(i)) for i in candidates]
    query, scores, held = retriever.rank_all(text)
    ranked = sorted(indexes, key=lambda i: -scores[i])
    best, others = ranked[0], ranked[1:]
    clear = not others or scores[best] >= (1 + FOLLOW_MARGIN) * scores[others[0]]
    if held[best] >= FOLLOW_FLOOR and clear and not retriever.foreign_to(text, [best])[0]:
        return replace(plain, kind="one", entries=(retriever.kb.entries[best],),
                       score=held[best], reason=f"a follow-up to {after}: holds "
                                                 f"{held[best]:.0%} of the words",
                       elsewhere="", thin="")
    if whose or plain.elsewhere not in ("", UNRELATED) or len(query) > SHORT \
            or all(retriever.foreign_to(text, indexes)):
        return plain  # a neighbour's ("你是谁"), long, or words no next entry speaks of
    offered = [retriever.kb.entries[i] for i in indexes if retriever.kb.entries[i].id != after]
    return replace(plain, kind="choices", entries=tuple(offered[:3]),
                   score=0.0, reason=f"a follow-up to {after}, naming none of the next "
                                     "entries more than the others", elsewhere="", thin="")
