"""How well the steps read slots out of sentences, measured on the labelled corpus.

Why a measure and not only tests: the wrapper words and shapes are heuristics, and a change that
helps one phrasing can break another; the corpus (corpus/slots/slots.yaml) holds the
phrasings and the traps (a phone number at the code step, two ID numbers, no slot at all), and
the report names every miss so a regression shows as a line, not a feeling. Run:
evaluate_slots() and print format_slot_report(...). Files are read when asked to evaluate,
never per message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from flows.language.slots import read_slot

CORPUS = Path(__file__).parent / "corpus" / "slots" / "slots.yaml"  # apart from intents


@dataclass(frozen=True)
class Miss:
    role: str
    text: str
    expected: str | None
    got: str | None


@dataclass
class SlotReport:
    total: dict[str, int] = field(default_factory=dict)  # role -> cases
    right: dict[str, int] = field(default_factory=dict)  # role -> cases read as labelled
    misses: list[Miss] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Over every case, whatever its role."""
        cases = sum(self.total.values())
        return sum(self.right.values()) / cases if cases else 0.0

    def meets_targets(self) -> bool:
        """Every labelled case read right: a step that misreads an answer misleads a person."""
        return not self.misses

    def role_accuracy(self, role: str) -> float:
        return self.right.get(role, 0) / self.total[role] if self.total.get(role) else 0.0


def load_cases(path: Path | str | None = None) -> list[tuple[str, str, str | None]]:
    """(role, text, expected) from the corpus file; a malformed line is an error naming it."""
    with open(path or CORPUS, encoding="utf-8") as fh:
        rows = yaml.safe_load(fh)["cases"]
    cases = []
    for number, row in enumerate(rows, 1):
        if set(row) != {"role", "text", "expect"}:
            raise ValueError(f"case {number}: want role, text and expect, got {sorted(row)}")
        expect = row["expect"]
        cases.append((str(row["role"]), str(row["text"]), None if expect is None else str(expect)))
    return cases


def evaluate_slots(path: Path | str | None = None) -> SlotReport:
    """Read every case as its step would, and count what came out as labelled."""
    report = SlotReport()
    for role, text, expected in load_cases(path):
        slot = read_slot(role, text)
        got = slot.value if slot else None
        report.total[role] = report.total.get(role, 0) + 1
        if got == expected:
            report.right[role] = report.right.get(role, 0) + 1
        else:
            report.misses.append(Miss(role, text, expected, got))
    return report


def format_slot_report(report: SlotReport) -> str:
    """One line per role, then every miss: what was typed, what was wanted, what was read."""
    lines = [f"slots: {sum(report.right.values())}/{sum(report.total.values())} "
             f"({report.accuracy:.1%})"]
    for role in sorted(report.total):
        lines.append(f"  {role:<9} {report.right.get(role, 0):>3}/{report.total[role]:<3} "
                     f"{report.role_accuracy(role):.1%}")
    lines += [f"  MISS {m.role}: {m.text!r} wanted {m.expected!r}, read {m.got!r}"
              for m in report.misses]
    return "\n".join(lines)
