"""`pushed:` steps: what reached the follower through the platform's API, in process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.platform import PlatformError
from bot.sim.replay import pushed
from bot.sim.replay.expect import check_expect
from bot.sim.replay.fixture import FixtureError, load_fixture
from bot.sim.replay.run import Outcome, run_fixture, settings_of
from bot.sim.targets.base import pushed_text
from bot.sim.targets.local import Local
from tests.conftest import ROOT

CONVERSATIONS = ROOT / "fixtures" / "conversations"
HEAD = """\
name: pushed
today: 2026-11-22
reply_deadline: 1
users: {zhangwei: oZhangWei0001}
steps:
  - send: 绑定社保卡
    expect: 身份证号
  - send: "110105199001011232"
    expect: 姓名
"""
SLOW_NAME = HEAD + """\
  - faults: {backend_delay: 1.5}
  - send: 张伟
    expect: ""
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pushed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def replayed() -> Iterator:
    """`replayed(path)`: (outcome, the Local it ran on, still open for a look inside)."""
    opened: list[Local] = []

    def replay(path: Path) -> tuple[Outcome, Local]:
        fixture = load_fixture(path)
        local = Local.for_run(settings_of(fixture))
        opened.append(local)
        return run_fixture(fixture, local), local

    yield replay
    for local in opened:
        local.close()


def sent_texts(local: Local, openid: str) -> list[str]:
    return [m["body"]["text"]["content"] for m in local.pushed(openid)]


def test_pushed_a_slow_turn_reaches_the_follower_once_through_the_api(tmp_path, replayed):
    outcome, local = replayed(write(tmp_path, SLOW_NAME + "    pushed: 卡号\n"
                                    "    state: bind_card.ask_card\n"))
    assert outcome.ok, outcome.failure
    texts = sent_texts(local, "oZhangWei0001")
    assert len(texts) == 1 and "卡号" in texts[0]  # exactly once, and only the owed reply
    acked = time.monotonic() + 5  # the courier acks after the platform took the send
    while local.bot.store.outbox.counts()["sent"] < 1 and time.monotonic() < acked:
        time.sleep(0.02)
    assert local.bot.store.outbox.counts()["sent"] == 1


def test_pushed_returns_as_soon_as_a_substring_arrives(tmp_path, replayed):
    started = time.monotonic()
    outcome, _ = replayed(write(tmp_path, SLOW_NAME + "    pushed: 卡号\n"))
    took = time.monotonic() - started
    assert outcome.ok, outcome.failure
    # The turn ends at 1.5 s; the bound (1.5 + COURIER_MARGIN) is far off.
    assert 1.5 <= took < 1.5 + pushed.COURIER_MARGIN


@pytest.mark.parametrize(("matcher", "got"), [
    ("身份证号", "pushed '请输入社保卡卡号"),
    ('""', "pushed '请输入社保卡卡号"),
    ("{not: 卡号}", "pushed '请输入社保卡卡号"),
])
def test_pushed_a_mismatch_names_the_step_what_was_expected_and_what_came(
        tmp_path, replayed, matcher, got):
    outcome, _ = replayed(write(tmp_path, SLOW_NAME + f"    pushed: {matcher}\n"))
    assert outcome.failure is not None and outcome.failure.step == 4
    assert outcome.failure.expected.startswith("pushed through the API: ")
    assert outcome.failure.got.startswith(got)


def test_pushed_not_waits_for_the_owed_reply_rather_than_passing_before_it(tmp_path, replayed):
    # The reply is owed at 1 s and sent at 1.5 s: judged at 1 s, {not: 卡号} would hold.
    outcome, _ = replayed(write(tmp_path, SLOW_NAME + "  - wait: 1m\n"
                                "    pushed: {not: 卡号}\n"))
    assert outcome.failure is not None and outcome.failure.step == 5
    assert "卡号" in outcome.failure.got


def test_pushed_nothing_owed_is_judged_at_once(tmp_path, replayed):
    text = HEAD + "  - send: 张伟\n    expect: 卡号\n    pushed: \"\"\n"
    started = time.monotonic()
    outcome, local = replayed(write(tmp_path, text))
    assert outcome.ok, outcome.failure
    assert time.monotonic() - started < 3.0  # not the bound (6 s): no wait for what won't come
    assert local.pushed("oZhangWei0001") == []


def test_pushed_gives_up_at_its_bound(tmp_path, replayed, monkeypatch):
    monkeypatch.setattr(pushed, "COURIER_MARGIN", 0.5)
    text = HEAD + "  - send: 张伟\n    expect: 卡号\n    pushed: 卡号\n"
    started = time.monotonic()
    outcome, _ = replayed(write(tmp_path, text))
    took = time.monotonic() - started
    assert outcome.failure is not None and outcome.failure.got == "nothing pushed"
    assert 1.0 + 0.5 <= took < 1.0 + 0.5 + 3.5  # deadline + margin; unpatched it would be 6 s


def test_pushed_the_48_hour_window_refuses_the_owed_reply(replayed):
    outcome, local = replayed(CONVERSATIONS / "window_48h_owed_reply_refused.yaml")
    assert outcome.ok, outcome.failure
    # the send refused (45015), not lost; the push's rescue entry may also have lapsed with the
    # 49 h the clock moved, and counts as failed beside it
    assert local.bot.store.outbox.counts()["failed"] in (1, 2)
    assert not any("卡号" in text for text in sent_texts(local, "oZhangWei0001"))


def test_pushed_an_expired_token_is_fetched_again(replayed):
    outcome, local = replayed(CONVERSATIONS / "token_expiry_refetch.yaml")
    assert outcome.ok, outcome.failure
    counters = local.sim_api("/sim/api/platform")["counters"]
    assert counters["token_fetches"] == 2 and counters["calls:custom"] == 2


def test_local_routes_the_bots_platform_api_to_its_own_mock(tmp_path, replayed):
    _, local = replayed(write(tmp_path, HEAD))
    local.bot.platform.send_text("oZhangWei0001", "在吗")  # the follower wrote: window open
    assert sent_texts(local, "oZhangWei0001") == ["在吗"]
    assert local.sends_answered() == 1
    assert local.sim_api("/sim/api/platform")["counters"]["calls:token"] == 1


def test_local_a_refusal_of_the_mock_reaches_the_bot_as_the_platforms_error(tmp_path, replayed):
    _, local = replayed(write(tmp_path, HEAD))
    with pytest.raises(PlatformError) as refused:
        local.bot.platform.send_text("oNeverWroteIn0001", "在吗")
    assert refused.value.errcode == 40003  # an openid the account never saw
    assert local.sends_answered() == 1 and local.pushed("oNeverWroteIn0001") == []


@pytest.mark.parametrize(("value", "error"), [
    ("0", "above 0"), ("5", "below the platform's 5"), ("soon", "got 'soon'"), ("nan", "nan"),
])
def test_reply_deadline_out_of_range_is_a_load_error(tmp_path, value, error):
    text = HEAD.replace("reply_deadline: 1", f"reply_deadline: {value}")
    with pytest.raises(FixtureError, match="reply_deadline") as caught:
        load_fixture(write(tmp_path, text))
    assert error in str(caught.value)


def test_pushed_a_malformed_matcher_is_a_load_error_naming_the_step(tmp_path):
    with pytest.raises(FixtureError, match=r"steps\[3\]\.pushed"):
        load_fixture(write(tmp_path, HEAD + "  - send: 张伟\n    pushed: {regex: '('}\n"))


@pytest.mark.parametrize(("matcher", "expected"), [
    ("卡号", True), ([" 卡号", {"regex": "\\d"}], True), ({"any": ["a", "b"]}, True),
    ("", False), ({"not": "卡号"}, False), (["卡号", {"not": "a"}], False),
])
def test_monotone_tells_matchers_more_messages_cannot_spoil(matcher, expected):
    assert pushed.monotone(check_expect(matcher)) is expected


@pytest.mark.parametrize(("message", "text"), [
    ({"api": "custom", "body": {"msgtype": "text", "text": {"content": "绑定成功"}}}, "绑定成功"),
    ({"api": "template", "body": {"template_id": "T1", "data": {
        "first": {"value": "审核结果"}, "result": {"value": "通过"}}}}, "审核结果\n通过"),
    ({"api": "custom", "body": {"msgtype": "news", "news": {"articles": []}}}, "<news message>"),
])
def test_pushed_text_reads_a_message_as_the_follower_does(message, text):
    assert pushed_text(message) == text
