"""How replay results read: one line per fixture, each failure in full, totals; and JUnit XML.

Everything goes to the given rich Console (stdout for the command); `failure_text` is the same
failure as plain text, for the pytest plugin and JUnit (one testcase per fixture, for CI).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot.sim.replay.coverage import Coverage
from bot.sim.replay.run import Outcome


def shown_path(path: Path) -> str:
    """A path relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def failure_text(outcome: Outcome) -> str:
    """The failure as plain lines: file, step, what was sent, expected and got."""
    failure = outcome.failure
    if failure is None:
        return ""
    return "\n".join([
        f"{shown_path(outcome.fixture.path)}: step {failure.step} failed "
        f"({outcome.fixture.name})",
        f"  sent:     {failure.sent}",
        f"  expected: {failure.expected}",
        f"  got:      {failure.got}",
    ])


def outcome_line(console: Console, outcome: Outcome) -> None:
    """PASS/FAIL, the file and the fixture's name."""
    where, name = escape(shown_path(outcome.fixture.path)), escape(outcome.fixture.name)
    if outcome.skipped:
        console.print(f"[yellow]SKIP[/] {where} — {name} [dim]({escape(outcome.skipped)})[/]")
    elif outcome.ok:
        console.print(f"[green]PASS[/] {where} — {name} "
                      f"[dim]({len(outcome.fixture.steps)} steps, {outcome.seconds:.2f} s)[/]")
    else:
        console.print(f"[bold red]FAIL[/] {where} — {name} "
                      f"[dim](step {outcome.failure.step} of {len(outcome.fixture.steps)})[/]")


def failures(console: Console, outcomes: list[Outcome]) -> None:
    """Each failure in full, readable at a glance (a file that did not load was said as it
    was read, `fixture error: …`: once is enough)."""
    for outcome in outcomes:
        failure = outcome.failure
        if failure is None or failure.step == 0:
            continue
        console.print()
        console.print(f"[bold red]✗ {escape(shown_path(outcome.fixture.path))}[/], step "
                      f"[bold]{failure.step}[/] — {escape(outcome.fixture.name)}")
        console.print(f"  [cyan]sent:    [/] {escape(failure.sent)}")
        console.print(f"  [green]expected:[/] {escape(failure.expected)}")
        console.print(f"  [red]got:     [/] {escape(failure.got)}")


def totals(console: Console, outcomes: list[Outcome]) -> None:
    skipped = sum(bool(o.skipped) for o in outcomes)
    failed = sum(not o.ok for o in outcomes)
    passed = len(outcomes) - failed - skipped
    style = "bold green" if not failed else "bold red"
    extra = f", {skipped} skipped" if skipped else ""
    console.print(f"[{style}]{len(outcomes)} fixtures: {passed} passed, {failed} failed{extra}[/]")


def coverage(console: Console, cov: Coverage) -> None:
    """The contract line, then what was never reached."""
    console.print(cov.line(), markup=False, highlight=False)
    closed = cov.unenterable()
    missed_states = cov.missed_states()
    if missed_states:
        console.print("states never reached:")
        for flow, state in missed_states:
            note = " (no transition enters it)" if (flow, state) in closed else ""
            console.print(f"  {escape(flow)}.{escape(state)}{note}", highlight=False)
    missed = cov.missed_moves()
    if missed:
        console.print("transitions never taken:")
        for flow, source, dest in missed:
            console.print(f"  {escape(flow)}: {escape(source)} -> {escape(dest)}",
                          highlight=False)


def junit_xml(outcomes: list[Outcome], suite: str = "wxbot replay") -> str:
    """The XML text: a testsuite of testcases named by fixture, failures with full details."""
    failed = sum(not o.ok for o in outcomes)
    skipped = sum(bool(o.skipped) for o in outcomes)
    root = ET.Element("testsuite", name=suite, tests=str(len(outcomes)), failures=str(failed),
                      errors="0", skipped=str(skipped),
                      time=f"{sum(o.seconds for o in outcomes):.3f}")
    for outcome in outcomes:
        path = shown_path(outcome.fixture.path)
        case = ET.SubElement(root, "testcase", classname=path.lstrip("/").removesuffix(".yaml")
                             .removesuffix(".yml").replace("/", "."),
                             name=outcome.fixture.name, file=path,
                             time=f"{outcome.seconds:.3f}")
        if outcome.skipped:
            ET.SubElement(case, "skipped", message=outcome.skipped)
        if outcome.failure is not None:
            message = (f"step {outcome.failure.step}: expected {outcome.failure.expected}, "
                       f"got {outcome.failure.got}")
            node = ET.SubElement(case, "failure", message=message, type="ExpectationFailed")
            node.text = failure_text(outcome)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def write_junit(path: Path, outcomes: list[Outcome]) -> None:
    """Write the JUnit file, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit_xml(outcomes), encoding="utf-8")
