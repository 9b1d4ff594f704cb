"""Measure follow-ups (follow_up.py) on their labelled set, data/follow_ups.yaml.

A follow-up is scored against the plain reading of the same line (no topic), so the figure
says what leaning on the topic adds: right answers gained, and the price, wrong answers and
`none` lines answered. A numbered list is right only when it holds the entry (the person picks
it, one turn later: counted apart, `listed`), wrong when it does not; given to a `none` line
it is counted too. `wxbot understand --eval` prints the held-out figures, which no test reads
(tests pin dev's); `--part dev` prints dev's misses too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import yaml

from flows.knowledge.base import DATA, LANGS
from flows.knowledge.follow_up import follow_up
from flows.knowledge.retriever import Retriever


@cache
def follow_up_set() -> dict:
    with open(DATA / "follow_ups.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass
class FollowUps:
    """The figures of one language and part."""

    lang: str
    part: str
    answerable: int = 0  # lines an entry answers
    right: int = 0
    wrong: int = 0
    listed: int = 0  # answerable lines given a numbered list holding their entry
    plain_right: int = 0  # the same lines read without the topic
    plain_wrong: int = 0
    none: int = 0  # lines no entry answers
    none_answered: int = 0
    none_listed: int = 0  # ... given a numbered list
    plain_none_answered: int = 0
    misses: list[str] = field(default_factory=list)


def evaluate_follow_ups(part: str = "heldout") -> list[FollowUps]:
    """Each language's `part` (dev, heldout or all) read after its topic and without."""
    data, groups = follow_up_set(), []
    for lang in LANGS:
        retriever = Retriever.shared(lang)
        for name in ("dev", "heldout") if part == "all" else (part,):
            group = FollowUps(lang, name)
            for kind, after, line, expected in data[lang][name]:
                found = follow_up(retriever, str(line), kind, after)
                got = found.entries[0].id if found.kind == "one" else found.kind
                plain = retriever.answer(str(line))
                listed = found.kind == "choices" and expected in [e.id for e in found.entries]
                if expected == "none":
                    group.none += 1
                    group.none_answered += found.kind == "one"
                    group.none_listed += found.kind == "choices"
                    group.plain_none_answered += plain.kind != "none"
                else:
                    group.answerable += 1
                    group.right += got == expected
                    group.listed += listed
                    group.wrong += found.kind != "none" and got != expected and not listed
                    group.plain_right += plain.kind == "one" and plain.entries[0].id == expected
                    group.plain_wrong += plain.kind == "one" and plain.entries[0].id != expected
                if got != expected and not (expected == "none" and found.kind == "none"):
                    group.misses.append(f"{after} -> {line!r}: expected {expected}, got {got}")
            groups.append(group)
    return groups


def format_follow_ups(groups: list[FollowUps]) -> str:
    """A line per group; dev's misses listed, held-out's never (that part stays unread)."""
    lines = ["follow-ups (a short line after an answer or a service):"]
    for g in groups:
        lines.append(f"  {g.lang:<5} {g.part:<7} right {g.right}/{g.answerable} and listed "
                     f"{g.listed}, wrong {g.wrong} (read without the topic: {g.plain_right} "
                     f"right, {g.plain_wrong} wrong); `none` lines answered {g.none_answered} "
                     f"and listed {g.none_listed} of {g.none} (without: "
                     f"{g.plain_none_answered})")
    for g in groups:
        if g.part == "dev":
            lines += [f"    miss {g.lang} dev: {miss}" for miss in g.misses]
    return "\n".join(lines)
