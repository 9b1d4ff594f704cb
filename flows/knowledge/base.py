"""The knowledge base: entries read once per process from data/<lang>.yaml.

Entries are data so that a person can correct an answer without touching code; the YAML is
parsed once per language (`KnowledgeBase.load` is cached) and shared read-only, since
`Entry` and the tuples holding it are immutable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from flows.knowledge.questions import examples
from flows.knowledge.reading import Reading
from flows.knowledge.tokens import tokenize

DATA = Path(__file__).parent / "data"
LANGS = ("zh_CN", "en")
_CJK = "\u3000-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")
SERVICES = frozenset({"bind_card", "forgot_password", "my_card", "unbind", "progress",
                      "report_loss", "lift_loss", "human"})


@dataclass(frozen=True)
class Entry:
    """One thing people ask: its phrasings, our answer, where the facts come from."""

    id: str
    questions: tuple[str, ...]
    answer: str
    source: str
    service: str | None  # the intent the dialogue offers after the answer
    # The answer is how to do its service ("怎么绑定社保卡"): a question it answers that the
    # language stage reads as the service's start starts it, the flow being the better
    # how-to; any other entry's question ("16岁能自己绑吗") is answered first, then offered.
    howto: bool = False
    # The service is offered only when the question says this (a regex; None: always): the
    # replacement's offer of 挂失 is for a lost card, a damaged one is replaced unreported
    offer_if: re.Pattern[str] | None = None
    # Inside a step whose thing this entry speaks of, it answers only a line saying this (a
    # regex; None: any): at the code step "这个验证码要告诉客服吗" is the scam answer's, "wait
    # what code? the one from the bank?" the step's own help
    in_step_if: re.Pattern[str] | None = None
    # The entry never answers a line saying this (a regex; None: no such line): a father of
    # 64 whose card is bound in his son's WeChat is no minor, whatever 爸 and 绑 rank
    not_if: re.Pattern[str] | None = None


class KnowledgeBase:
    """The entries of one language, by id, in file order.

    `elsewhere` holds neighbouring topics the base does not answer (医保报销, pensions,
    bills…), each with phrasings: a question closest to one of them is left unanswered,
    where a base of card topics alone would stretch its nearest entry to cover it.
    `topics` holds, per entry id (or neighbouring topic), a regex of the words that name it
    (几岁 for bind_age, 多久 for reset_review_time): phrasings share the card's words,
    topics do not. `examples` holds, per entry id, the question set's dev lines it answers:
    the words people use around it, which the retriever reads as that entry's own.
    """

    def __init__(self, lang: str, entries: tuple[Entry, ...], reading: Reading,
                 elsewhere: tuple[tuple[str, tuple[str, ...]], ...] = (),
                 topics: Mapping[str, re.Pattern[str]] | None = None,
                 examples: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.lang = lang
        self.entries = entries
        self.reading = reading
        self.elsewhere = elsewhere
        self._by_id = {entry.id: entry for entry in entries}
        if len(self._by_id) != len(entries):
            raise ValueError(f"duplicate entry ids in the {lang} knowledge base")
        self.topics = MappingProxyType(dict(topics or {}))
        if not set(self.topics) <= set(self._by_id) | {name for name, _ in elsewhere}:
            raise ValueError(f"topics of unknown entries in the {lang} knowledge base")
        self.examples = MappingProxyType(dict(examples or {}))
        if not set(self.examples) <= set(self._by_id):
            raise ValueError(f"examples of unknown entries in the {lang} knowledge base")

    @classmethod
    def load(cls, lang: str) -> KnowledgeBase:
        """The knowledge base of `lang`, parsed on first use and then shared."""
        if lang not in LANGS:
            raise ValueError(f"no knowledge base for {lang!r}; have {', '.join(LANGS)}")
        return _load(lang)

    def get(self, entry_id: str) -> Entry:
        return self._by_id[entry_id]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def _entry(raw: dict[str, Any]) -> Entry:
    service = raw.get("service")
    if service is not None and service not in SERVICES:
        raise ValueError(f"entry {raw['id']}: unknown service {service!r}")
    answer = _CJK_GAP.sub("", " ".join(raw["answer"].split()))  # YAML folds lines with spaces
    offer_if, in_step_if, not_if = (re.compile(raw[key], re.IGNORECASE) if raw.get(key)
                                    else None for key in ("offer_if", "in_step_if", "not_if"))
    return Entry(raw["id"], tuple(raw["questions"]), answer, raw["source"], service,
                 bool(raw.get("howto")), offer_if, in_step_if, not_if)


@cache
def _load(lang: str) -> KnowledgeBase:
    with open(DATA / f"{lang}.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    entries = tuple(_entry(item) for item in raw["entries"])
    elsewhere = tuple((topic, tuple(said)) for topic, said in raw["elsewhere"].items())
    topics = {key: re.compile("|".join(words)) for key, words in raw.get("topics", {}).items()}
    return KnowledgeBase(lang, entries, Reading.of(raw["reading"], _everyday(lang)), elsewhere,
                         topics, examples(lang))


def _everyday(lang: str) -> frozenset[str]:
    """The tokens of data/everyday/<lang>.txt, one word a line, as the retriever cuts them.

    Cut by the default tokenizer, so "travelling" is kept as its stem "travell"; a missing
    file is an empty list, which makes every word outside the entries' own topical.
    """
    path = DATA / "everyday" / f"{lang}.txt"
    if not path.exists():
        return frozenset()
    words = path.read_text(encoding="utf-8").split()
    return frozenset(tok for word in words for tok in tokenize(word))
