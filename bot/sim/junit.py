"""JUnit XML for CI dashboards: one testcase per replayed fixture."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from bot.sim.replay import Outcome
from bot.sim.report import failure_text, shown_path


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
