"""The replay machinery on its own, against the small demo flows: steps, checks, coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sim.replay.coverage import Coverage, declared
from bot.sim.replay.expect import check_expect, describe, matches
from bot.sim.replay.fixture import load_fixture
from bot.sim.replay.run import Outcome, replay
from bot.sim.targets.local import local_targets
from bot.sim.targets.placeholders import fill_placeholders
from bot.sim.wire.shorthand import EventError, parse_event
from tests.demo_flow import Count, Demo, demo_catalog

DEMO = """\
name: demo
today: 2026-11-22
lang: en
users: {ann: oAnn0001, bob: oBob0001}
steps:
  - send: demo
    expect: {regex: "colour, (red|blue)"}
    state: demo.ask_colour
  - send: green
    expect: [Not a colour, {not: size}]
  - as: bob
    send: count
    expect: count 0
  - send: red
    expect: {any: [size, colour]}
  - event: {view: "https://example.com/"}
    expect: ""
  - wait: 16m
    send: "7"
    expect: [no reply for 15 minutes, choose from this menu]
    state: none
"""


def run(tmp_path: Path, text: str, coverage: Coverage | None = None) -> Outcome:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    extra = {"FLOWS": [Demo, Count], "CATALOG": demo_catalog()}
    (outcome,) = replay([load_fixture(path)], local_targets(coverage=coverage, extra=extra))
    return outcome


def test_a_demo_conversation_passes_with_every_expect_form(tmp_path):
    outcome = run(tmp_path, DEMO)
    assert outcome.ok, outcome.failure


def test_coverage_counts_moves_taken_and_lists_the_rest(tmp_path):
    coverage = Coverage([Demo])
    done = DEMO.replace("wait: 16m", "wait: 1m").replace(
        "[no reply for 15 minutes, choose from this menu]\n    state: none", "'Done: red 7.'")
    assert run(tmp_path, done, coverage).ok
    n, m = coverage.counts()
    assert m == len(declared([Demo])) and coverage.line() == f"transition coverage: {n}/{m}"
    assert ("demo", "ask_colour", "ask_size") in coverage.taken
    assert ("demo", "ask_size", "done") in coverage.taken
    assert ("demo", "ask_colour", "failed") in coverage.missed_moves()
    assert ("demo", "failed") in coverage.missed_states()
    assert ("demo", "ask_colour") not in coverage.missed_states()


@pytest.mark.parametrize(("step", "got"), [
    ("  - send: '{sms:13800138000}'\n", "no SMS was sent to 13800138000"),
    ("  - review: approve\n", "has no pending review"),
    ("  - send: demo\n    state: demo.ask_size\n", "session in state demo.ask_colour"),
    ("  - event: {view: x}\n    expect: menu\n", "no reply (success)"),
])
def test_a_step_that_cannot_hold_says_why(tmp_path, step, got):
    outcome = run(tmp_path, "steps:\n" + step)
    assert outcome.failure is not None and outcome.failure.step == 1
    assert got in outcome.failure.got


def test_expectations_read_as_they_check():
    expect = check_expect(["身份证号", {"not": "错误"}, {"regex": r"\d+"}])
    assert matches(expect, "请输入18位身份证号") and not matches(expect, "身份证号错误")
    assert not matches(check_expect(""), "anything") and matches(check_expect(""), None)
    assert describe(check_expect({"any": ["a", ""]})) == "any of (contains 'a'; no reply (success))"


def test_placeholders_fill_from_the_target_at_send_time():
    class Outbox:
        def sms(self, phone: str) -> list[dict]:
            return [{"code": "000001"}, {"code": "999999"}]

    text = "{sms:139} {wrong_sms:139} {user:ann} {other}"
    filled = fill_placeholders(text, Outbox(), lambda alias: f"o_{alias}")
    assert filled == "999999 000000 o_ann {other}"


@pytest.mark.parametrize(("raw", "kind", "fields"), [
    ("subscribe", "event_subscribe", {}),
    ({"click": "BIND_CARD"}, "event_click", {"EventKey": "BIND_CARD"}),
    ({"voice": "帮助"}, "voice", {"Recognition": "帮助"}),
    ({"location": "1.5 2"}, "location", {"Location_X": "1.500000", "Location_Y": "2.000000"}),
    ({"subscribe": 7}, "event_subscribe", {"EventKey": "qrscene_7", "Ticket": "sim_ticket_7"}),
    ("CLICK", None, None),
    ({"event_scan": {"EventKey": "k"}}, "event_scan", {"EventKey": "k"}),
])
def test_gestures_by_name(raw, kind, fields):
    if kind is None:
        with pytest.raises(EventError, match="EventKey"):
            parse_event(raw)
        return
    got_kind, got_fields = parse_event(raw)
    assert got_kind == kind and fields.items() <= got_fields.items()
