"""How well the language stage understands the labelled corpus: per label, overall, and what
matters most in a service that acts on people's cards: a service must never start on a line
that asks for none (a false start), nor be refused on a line that asks for it (a reversal:
"社保卡不要跟这个号绑了，解开" answered "好的，不办理解绑"), and asking back ("您是想…吗？") has a
cost too.

A line is right when: an intent label -> that intent with act "start" (a confirmation is not
right); `fact` -> act "fact"; `negated` -> act "negated"; `none` -> no intent and no start nor
confirmation; `yes` / `no` -> yes_no; `consent_yes` / `consent_no` -> `consent` and yes_no both
(a sentence agreeing or refusing); `choice_N` -> choice N; `unsure` -> the flag `unsure`
("我不知道", "不记得了": inside a step, about the thing asked) and no start; `greeting`, `thanks`,
`bye`, `ack` -> `small_talk` of that kind and no start (a greeting's menu aside: 你好 opens it).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from flows.language.understander import Understander, Understanding

CORPUS = Path(__file__).parent / "corpus"
ANSWERS = {"fact", "negated", "none", "yes", "no", "unsure", "consent_yes", "consent_no"}
SMALL_TALK = {"greeting", "thanks", "bye", "ack"}  # a greeting may start the menu, nothing else
ROUNDS = 5  # each line is timed this many times; the median of all timings is reported


@dataclass
class Report:
    """The figures of one evaluation and the targets they are held to."""

    part: str
    total: int = 0
    right: int = 0
    confirmations: int = 0
    false_starts: list[str] = field(default_factory=list)
    reversals: list[str] = field(default_factory=list)  # a service's line read as refusing it
    per_label: dict[str, tuple[int, int]] = field(default_factory=dict)  # label -> (right, of)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (text, label, got)
    us_per_message: float = 0.0
    targets: dict[str, float] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def confirm_share(self) -> float:
        return self.confirmations / self.total if self.total else 0.0

    def meets_targets(self) -> bool:
        """Accuracy, false starts and confirmations; never the timing, which a loaded machine
        would turn into a failure of understanding (speed is bench/language.py's)."""
        t = self.targets
        return (self.accuracy >= t.get("accuracy", 0.0)
                and self.confirm_share <= t.get("confirmations", 1.0)
                and len(self.false_starts) <= t.get("false_starts", 0)
                and len(self.reversals) <= t.get("reversals", len(self.reversals)))


def load_corpus(path: Path | None = None, part: str = "heldout") -> tuple[list[tuple[str, str]],
                                                                        dict[str, float]]:
    """(text, label) lines of `part` from a corpus file or every *.yaml in a directory, and the
    strictest of their targets."""
    path = path or CORPUS
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    lines: list[tuple[str, str]] = []
    targets: dict[str, float] = {}
    for file in files:
        with open(file, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        for key, value in (data.get("targets") or {}).items():
            strict = max if key == "accuracy" else min
            targets[key] = strict(targets.get(key, value), value)
        parts = list(data) if part == "all" else [part]
        for name in parts:
            if name == "targets":
                continue
            for label, texts in (data.get(name) or {}).items():
                lines += [(str(text), str(label)) for text in texts]
    return lines, targets


def judge(got: Understanding, label: str) -> bool:
    if label.startswith("choice_"):
        return got.choice == int(label.removeprefix("choice_"))
    if label in ("yes", "no"):
        return got.yes_no is (label == "yes")
    if label in ("consent_yes", "consent_no"):
        return got.consent is got.yes_no is (label == "consent_yes")
    if label == "none":
        return got.intent is None and got.act in ("none", "negated")
    if label == "unsure":
        return got.unsure and got.act != "start"
    if label in SMALL_TALK:
        return got.small_talk == label and (got.act != "start" or got.intent == "menu")
    if label in ("fact", "negated"):
        return got.act == label
    return got.intent == label and got.act == "start"


def is_service(label: str) -> bool:
    """A label that names a service to start (bind_card, human…), not an answer or small talk;
    nor cancel, which a refusal's reading does as asked ("算了不绑了 取消当前操作")."""
    return not (label in ANSWERS or label in SMALL_TALK or label.startswith("choice_")
                or label == "cancel")


def evaluate(understander: Understander, corpus_path: Path | None = None,
             part: str = "heldout") -> Report:
    lines, targets = load_corpus(corpus_path, part)
    report, tally = Report(part=part, targets=targets), Counter()
    timings: list[float] = []
    for text, label in lines:
        got = understander.understand(text)
        for _ in range(ROUNDS):
            start = time.perf_counter()
            understander.understand(text)
            timings.append(time.perf_counter() - start)
        ok = judge(got, label)
        report.total += 1
        report.right += ok
        report.confirmations += got.act == "confirm"
        tally[(label, ok)] += 1
        if not ok:
            report.wrong.append((text, label, f"{got.intent} {got.act} {got.reason} "
                                              f"{got.confidence:.2f}"))
        if got.act == "start" and (label in ANSWERS or label.startswith("choice_")
                                   or (label in SMALL_TALK and got.intent != "menu")):
            report.false_starts.append(text)
        if got.act == "negated" and not got.question and is_service(label):  # a question
            report.reversals.append(text)  # read so is still answered, never "好的，不办理"
    labels = sorted({label for label, _ in tally})
    report.per_label = {k: (tally[(k, True)], tally[(k, True)] + tally[(k, False)]) for k in labels}
    report.us_per_message = 1e6 * statistics.median(timings) if timings else 0.0
    return report


def format_report(report: Report, lines: bool = True) -> str:
    """Plain text lines: per label, overall, false starts, confirmations, speed, verdict.

    `lines=False` counts the wrong lines and false starts without printing them: for the
    shipped held-out and fresh parts, which stay blind only while nobody reads them."""
    out = [f"part: {report.part} ({report.total} lines)"]
    out += [f"  {k:<16} {r:>3}/{n:<3} {r / n:6.1%}" for k, (r, n) in report.per_label.items()]
    t, starts = report.targets, len(report.false_starts)
    out += [
        f"accuracy        {report.accuracy:6.1%}  (target >= {t.get('accuracy', 0):.0%})",
        f"false starts    {starts:>6}  (target <= {t.get('false_starts', 0):.0f})",
        f"reversals       {len(report.reversals):>6}  "
        + (f"(target <= {t['reversals']:.0f})" if "reversals" in t else "(no target)"),
        f"confirmations   {report.confirm_share:6.1%}  (target <= {t.get('confirmations', 1):.0%})",
        f"µs per message  {report.us_per_message:6.1f}  (median; not a target: it depends on "
        f"the machine's load; bench/language.py measures speed)",
    ]
    if lines:
        out += [f"  false start: {text}" for text in report.false_starts]
        out += [f"  reversal: {text}" for text in report.reversals]
        out += [f"  wrong: {text!r} expected {label}, got {got}"
                for text, label, got in report.wrong]
    elif report.wrong or report.false_starts:
        out.append(f"  {len(report.wrong)} wrong lines, {starts} false starts and "
                   f"{len(report.reversals)} reversals not shown: "
                   f"the {report.part} part stays unread (--part dev shows dev's)")
    out.append("meets targets" if report.meets_targets() else "BELOW TARGETS")
    return "\n".join(out)
