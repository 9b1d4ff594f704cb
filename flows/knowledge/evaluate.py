"""Measure a retriever on the labelled question set (data/questions.yaml) against its targets.

`wxbot understand --eval` prints `format_report(evaluate())`; the tests assert
`meets_targets()` on the held-out part, which the retriever never reads. The retriever
reads the language stage's normal form, as in the dialogue; `started` counts the questions
the dialogue starts a service for instead of answering (bot/dialogue/idle.py): those the
language stage reads as a confident start that no entry answers, or that the service's own
how-to entry answers ("怎么绑定社保卡": the flow is the how-to); the rule is
flows/knowledge/routing.py's, which the dialogue follows. Any other entry's question is
answered first and the service offered, so it is scored here as asked.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flows.knowledge.base import LANGS
from flows.knowledge.questions import question_set
from flows.knowledge.retriever import Answer, Retriever
from flows.knowledge.routing import starts
from flows.language import Understander

PARTS = ("dev", "heldout")


def is_right(answer: Answer, expected: str) -> bool:
    if expected == "none":
        return answer.kind == "none"
    return answer.kind == "one" and answer.entries[0].id == expected


@dataclass
class Group:
    """The figures of one language and part."""

    lang: str
    part: str
    total: int = 0
    right: int = 0
    out_of_scope: int = 0
    out_of_scope_answered: int = 0  # a `none` line that got an answer or choices
    choices: int = 0
    started: int = 0  # questions the dialogue starts a service for instead of answering
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class KnowledgeReport:
    groups: list[Group]
    micros_median: float
    targets: dict[str, float]

    def accuracy(self, part: str | None = None) -> float:
        chosen = [g for g in self.groups if part in (None, g.part)]
        total = sum(g.total for g in chosen)
        return sum(g.right for g in chosen) / total if total else 0.0

    @property
    def out_of_scope_answered(self) -> int:
        return sum(g.out_of_scope_answered for g in self.groups)

    @property
    def choices(self) -> int:
        return sum(g.choices for g in self.groups)

    def meets_targets(self) -> bool:
        """Every language and part evaluated reaches the accuracy; out-of-scope stays unanswered."""
        return (all(g.accuracy >= self.targets["heldout_accuracy"] for g in self.groups)
                and self.out_of_scope_answered <= self.targets["out_of_scope_answers"])


def evaluate(lang: str | None = None, part: str = "heldout",
             retriever_for: Callable[[str], Retriever] | None = None) -> KnowledgeReport:
    """Run the question set (`part`: dev, heldout or all; both languages when `lang` is None)."""
    build = retriever_for or Retriever.shared
    understander = Understander.shared()
    data = question_set()
    groups, micros = [], []
    for each in [lang] if lang else LANGS:
        retriever = build(each)
        for name in PARTS if part == "all" else [part]:
            group = Group(each, name)
            for text, expected in data[each][name]:
                start = time.perf_counter_ns()
                answer = retriever.answer(text)
                micros.append((time.perf_counter_ns() - start) / 1000)
                group.total += 1
                group.right += is_right(answer, expected)
                group.choices += answer.kind == "choices"
                if expected == "none":
                    group.out_of_scope += 1
                    group.out_of_scope_answered += answer.kind != "none"
                else:
                    group.started += starts(understander.understand(text), answer)
                if not is_right(answer, expected):
                    got = ",".join(e.id for e in answer.entries) or "none"
                    group.misses.append((text, expected, f"{answer.kind}:{got}"))
            groups.append(group)
    return KnowledgeReport(groups, statistics.median(micros) if micros else 0.0,
                           dict(data["targets"]))


def format_report(report: KnowledgeReport) -> str:
    """A few lines for a terminal: figures per language and part, then every dev miss.

    Held-out misses are counted, never printed: a part whose lines whoever runs the command
    reads is no longer blind (the retriever never reads it; its developers should not either).
    """
    lines = [f"knowledge answers: {report.accuracy():.1%} right overall, "
             f"{report.out_of_scope_answered} answers to out-of-scope lines, "
             f"{report.choices} choices offered, {report.micros_median:.0f} µs per question "
             f"(median, not a target); targets {'met' if report.meets_targets() else 'NOT met'}"]
    for g in report.groups:
        lines.append(f"  {g.lang:<5} {g.part:<7} {g.right}/{g.total} = {g.accuracy:.1%}; "
                     f"out of scope answered {g.out_of_scope_answered}/{g.out_of_scope}; "
                     f"choices {g.choices}; questions a service is started for instead "
                     f"{g.started}")
    for g in report.groups:
        if g.part == "heldout":
            if g.misses:
                lines.append(f"    {len(g.misses)} {g.lang} held-out misses not shown: that "
                             "part stays unread (--part dev shows dev's)")
            continue
        lines += [f"    miss {g.lang} {g.part}: {text!r} expected {want}, got {got}"
                  for text, want, got in g.misses]
    return "\n".join(lines)
