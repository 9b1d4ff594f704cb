"""Fixture steps for the customer-service agent, and the transfer matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sim.replay.expect import TRANSFER_SEEN, check_expect, describe, matches
from bot.sim.replay.fixture import FixtureError, load_fixture
from bot.sim.replay.run import action


def fixture(tmp_path: Path, steps: str) -> Path:
    path = tmp_path / "f.yaml"
    path.write_text(f"users: {{alice: oA1, bob: oB1}}\nsteps:\n{steps}", encoding="utf-8")
    return path


@pytest.mark.parametrize(("raw", "reply", "passes"), [
    ({"transfer": "true"}, TRANSFER_SEEN, True),
    ({"transfer": "true"}, "您好", False),
    ({"transfer": "true"}, None, False),
    ({"transfer": "false"}, "您好", True),
    ({"transfer": True}, "<news reply>", False),
])
def test_expect_transfer_matches_only_the_transfer_reply(raw, reply, passes) -> None:
    assert matches(check_expect(raw), reply) is passes


def test_expect_transfer_reads_as_it_checks() -> None:
    assert describe(check_expect({"transfer": "no"})) == "no transfer to customer service"


@pytest.mark.parametrize(("step", "user", "agent", "reads"), [
    ("{take: bob}", "bob", ("take", None), "agent: take bob"),
    ("{say: 您好, to: bob}", "bob", ("say", "您好"), "agent: say bob saying '您好'"),
    ("{close: alice}", "alice", ("close", None), "agent: close alice"),
])
def test_agent_step_acts_on_the_named_follower(tmp_path, step, user, agent, reads) -> None:
    loaded = load_fixture(fixture(tmp_path, f"  - agent: {step}\n")).steps[0]
    assert (loaded.user, loaded.agent, action(loaded)) == (user, agent, reads)


@pytest.mark.parametrize(("step", "problem"), [
    ("agent: {say: hi}", "an agent step is"),
    ("agent: {take: carol}", "unknown user"),
    ("agent: {take: bob}\n    expect: hi", "says nothing to the bot"),
    ("agent: {hug: bob}", "an agent step is"),
])
def test_agent_step_refuses_what_cannot_run(tmp_path, step, problem) -> None:
    with pytest.raises(FixtureError, match=problem):
        load_fixture(fixture(tmp_path, f"  - {step}\n"))
