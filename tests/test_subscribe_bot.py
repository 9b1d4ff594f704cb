"""The bot's side of subscribe notices: the events it parses, the grants it keeps, the channel
it picks for a notice outside the 48-hour window, and the fallback on 43101."""

from __future__ import annotations

import logging
import time

import pytest

from bot.clock import ManualClock
from bot.config import SUBSCRIBE_KEYWORDS
from bot.outbound.grants import Grants
from bot.outbound.notices import FIELDS
from bot.outbound.notify import CUSTOM, SUBSCRIBE, Notice, Notifier, shown_time
from bot.platform import PlatformError
from bot.protocol import BadRequest, parse_xml, to_message
from bot.protocol.subscribe import SubscribeMsgChangeEvent, SubscribeMsgPopupEvent
from bot.sim.mockplatform import library
from bot.sim.wire.build import build_event
from bot.store.kv import MemoryKV
from tests.mockplatform import live
from tests.test_notices import FENG_JUN

ALICE, BOB = "oAliceSub00000000000000000", "oBobSub000000000000000000"
REVIEW = "tplReviewSub0000000000000000000000000000000"
WITHIN = 5.0  # the review-notice contract: the applicant hears within 5 s
SETTLE = 1.0  # seconds to watch for an unwanted second message


def parsed(event: str, **fields) -> object:
    return to_message(parse_xml(build_event(event, "gh_account", ALICE, 1_700_000_000,
                                            **fields)))


def line(template: str, status: str, **more) -> dict:
    return {"TemplateId": template, "SubscribeStatusString": status, **more}


def test_the_three_events_parse_into_local_classes_with_every_list() -> None:
    one = parsed("subscribe_msg_popup_event",
                 SubscribeMsgPopupEvent={"List": line("T1", "accept", PopupScene=2)})
    two = parsed("subscribe_msg_popup_event", SubscribeMsgPopupEvent={"List": [
        line("T1", "accept", PopupScene=1), line("T2", "reject", PopupScene=1)]})
    assert isinstance(one, SubscribeMsgPopupEvent) and one.source == ALICE
    assert [(s.template_id, s.status, s.scene) for s in one.subscribes] == [("T1", "accept", 2)]
    assert [(s.template_id, s.status) for s in two.subscribes] == [("T1", "accept"),
                                                                   ("T2", "reject")]
    for wrapper in ("SubscribeMsgChangeEvent", "SubscribeMsgPopupEvent"):  # the old sample's
        change = parsed("subscribe_msg_change_event", **{wrapper: {"List": line("T1", "reject")}})
        assert isinstance(change, SubscribeMsgChangeEvent)
        assert [(s.template_id, s.status) for s in change.subscribes] == [("T1", "reject")]
    sent = parsed("subscribe_msg_sent_event", SubscribeMsgSentEvent={"List": {
        "TemplateId": "T1", "MsgID": "1700827132819554304", "ErrorCode": 0,
        "ErrorStatus": "success"}})
    assert [(s.template_id, s.msg_id, s.error_code, s.status) for s in sent.subscribes] == [
        ("T1", "1700827132819554304", 0, "success")]


@pytest.mark.parametrize("wrapped", [
    {}, {"SubscribeMsgPopupEvent": {"List": {"SubscribeStatusString": "accept"}}},
    {"SubscribeMsgPopupEvent": {"List": line("T1", "accept", PopupScene="two")}},
    {"SubscribeMsgPopupEvent": {"List": line("T1", {"nested": "x"})}},
    {"SubscribeMsgPopupEvent": {"List": [line(f"T{n}", "accept") for n in range(21)]}},
])
def test_a_malformed_subscribe_event_is_refused_before_any_handler(wrapped) -> None:
    with pytest.raises(BadRequest):
        parsed("subscribe_msg_popup_event", **wrapped)


class FakePlatform:
    def __init__(self, *errors: PlatformError) -> None:
        self.errors, self.sent = list(errors), []

    def send_subscribe(self, openid: str, template_id: str, data: dict, page=None) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((openid, template_id, data))


def window(errcode: int | None):  # noqa: ANN201
    """A customer-service sender: inside the window (None) or refused with `errcode`."""
    said = []

    def send(body: dict) -> None:
        if errcode is not None:
            raise PlatformError(errcode, "response out of time limit")
        said.append(body)
    send.said = said
    return send


NOTICE = Notice("review", "审核结果：已通过",
                {"thing1": "服务密码重置人工审核", "phrase3": "已通过"})


def notifier(send, platform, status: str | None = "accept", **templates) -> Notifier:  # noqa: ANN001
    grants = Grants(MemoryKV())
    if status is not None:
        grants.kv.set(f"subscribe:grant:{ALICE}:{REVIEW}", status, 60)
    return Notifier(send, platform, grants, templates or {"review": REVIEW})


def test_the_keywords_the_bot_fills_are_the_ones_its_templates_have() -> None:
    for kind, tid in library.KIND_TITLES.items():
        kids = [kid for kid, *_ in library.TITLES[tid][3]]
        assert tuple(key for key, _ in library.keywords(tid, kids)) == SUBSCRIBE_KEYWORDS[kind]
    assert FIELDS == SUBSCRIBE_KEYWORDS["review"]
    assert library.check("time4", shown_time(1_795_000_000))  # 2026年11月18日 ...


def test_inside_the_window_a_customer_service_message_goes_and_nothing_else() -> None:
    send, platform = window(None), FakePlatform()
    assert notifier(send, platform).notify(ALICE, NOTICE) == CUSTOM
    assert len(send.said) == 1 and platform.sent == []


def test_outside_the_window_a_granted_follower_gets_a_subscribe_notice_once() -> None:
    platform = FakePlatform()
    assert notifier(window(45015), platform).notify(ALICE, NOTICE) == SUBSCRIBE
    assert platform.sent == [(ALICE, REVIEW, {"thing1": {"value": "服务密码重置人工审核"},
                                              "phrase3": {"value": "已通过"}})]


@pytest.mark.parametrize(("status", "templates"), [
    (None, {}), ("reject", {}), ("used", {}), ("accept", {"guardian": "tplG"})])
def test_without_a_grant_or_a_template_nothing_is_sent_and_the_caller_falls_back(
        status, templates) -> None:
    platform = FakePlatform()
    assert notifier(window(45015), platform, status, **templates).notify(ALICE, NOTICE) is None
    assert platform.sent == []


def test_43101_marks_the_grant_used_and_is_logged_without_the_openid(caplog) -> None:
    platform = FakePlatform(PlatformError(43101, "user refuse to accept the msg rid: 1-2-3"))
    chooser = notifier(window(45015), platform)
    with caplog.at_level(logging.INFO):
        assert chooser.notify(ALICE, NOTICE) is None
        assert chooser.notify(ALICE, NOTICE) is None  # not tried again: known spent
    assert platform.sent == [] and chooser.grants.of(ALICE, [REVIEW]) == {REVIEW: "used"}
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1 and "43101" in refused[0] and "user refuse" in refused[0]
    assert ALICE not in caplog.text and "已通过" not in caplog.text


def test_a_busy_platform_is_raised_for_the_couriers_retry() -> None:
    platform = FakePlatform(PlatformError(-1, "system error"))
    with pytest.raises(PlatformError):
        notifier(window(45015), platform).notify(ALICE, NOTICE)


def popup(served, user: str, accept: bool) -> None:  # noqa: ANN001
    answer = served.http.post(f"{served.url}/sim/api/subscribe", timeout=10,
                              json={"user": user, "template": REVIEW, "accept": accept})
    assert answer.status_code == 200, answer.text


def open_review(served, openid: str) -> str:  # noqa: ANN001
    for text in ("忘记密码", FENG_JUN[0], FENG_JUN[1]):
        served.wechat.text(openid, text)
    said = served.wechat.text(openid, "我一直没有登记手机号，现在想重置服务密码。").text
    return said.split("受理编号 ")[1][:14]


def decide(served, ref: str) -> None:  # noqa: ANN001
    answer = served.http.post(f"{served.url}/backend/v1/reviews/{ref}/approve", json={},
                              timeout=10)
    assert answer.status_code == 200, answer.text


def wait_for(served, openid: str) -> list[dict]:  # noqa: ANN001
    until = time.monotonic() + WITHIN
    while time.monotonic() < until and not served.outbound(openid):
        time.sleep(0.05)
    time.sleep(SETTLE)
    return served.outbound(openid)


def test_review_outside_the_window_reaches_who_accepted_and_waits_for_who_did_not(tmp_path):
    clock = ManualClock()
    with live(tmp_path, clock, WECHAT_SUBSCRIBE_REVIEW=REVIEW) as served:
        refs = {who: open_review(served, who) for who in (ALICE, BOB)}
        popup(served, ALICE, True)
        popup(served, BOB, False)
        grants = served.bot.notifier.grants
        assert grants.of(ALICE, [REVIEW]) == {REVIEW: "accept"}  # heard from the push
        assert grants.of(BOB, [REVIEW]) == {REVIEW: "reject"}
        clock.advance(49 * 3600)  # both windows closed
        for ref in refs.values():
            decide(served, ref)
        got = wait_for(served, ALICE)
        assert [m["api"] for m in got] == ["subscribe"]
        values = {k: v["value"] for k, v in got[0]["body"]["data"].items()}
        assert values["character_string2"] == refs[ALICE] and values["phrase3"] == "已通过"
        assert FENG_JUN[0] not in str(got) and FENG_JUN[1] not in str(got)
        assert wait_for(served, BOB) == []
        assert served.counter("calls:subscribe") == 1  # Bob's refusal was known: not tried
        first, again = (served.wechat.text(BOB, "你好").text for _ in range(2))
        assert refs[BOB] in first and refs[BOB] not in again  # said once, at his next message
        assert refs[ALICE] not in served.wechat.text(ALICE, "你好").text  # not said twice


def test_a_grant_spent_unseen_gets_43101_and_the_notice_falls_back(tmp_path, caplog) -> None:
    clock = ManualClock()
    with live(tmp_path, clock, WECHAT_SUBSCRIBE_REVIEW=REVIEW) as served:
        ref = open_review(served, ALICE)
        popup(served, ALICE, True)
        data = {"thing1": {"value": "其他通知"}}
        served.wechatpy(auto_retry=False).message.send_subscribe_message(ALICE, REVIEW, data)
        clock.advance(49 * 3600)
        with caplog.at_level(logging.INFO, logger="bot.outbound"):
            decide(served, ref)
            assert [m["body"]["data"] for m in wait_for(served, ALICE)] == [data]  # no second
            # the mock records the refused send before the courier's thread hears the 43101,
            # marks the grant spent and keeps the outcome for the next message: wait for all
            heard = time.monotonic() + 5
            while time.monotonic() < heard and "deferred to their next message" not in caplog.text:
                time.sleep(0.02)
        # the bot's own lines only: the simulator's tap, playing the platform, names openids
        outbound = "\n".join(r.getMessage() for r in caplog.records
                             if r.name.startswith("bot.outbound"))
        assert "43101" in outbound and ALICE not in outbound
        assert served.bot.notifier.grants.of(ALICE, [REVIEW]) == {REVIEW: "used"}
        assert ref in served.wechat.text(ALICE, "你好").text  # the fallback: said next message


@pytest.mark.parametrize("value", [{"accept": ""}, {"allow": "review"}, "review",
                                   {"accept": "review", "refuse": "review"}, {"accept": 3}])
def test_a_malformed_subscribe_step_names_its_field(tmp_path, value) -> None:
    from bot.sim.replay.steps import FixtureError, parse_step

    with pytest.raises(FixtureError) as caught:
        parse_step(tmp_path / "f.yaml", {"alice": ALICE}, 1, {"subscribe": value})
    assert caught.value.where == "steps[1].subscribe" and "accept: review" in caught.value.problem


def test_a_fixture_plays_the_popup_and_checks_the_subscribe_notice_in_process() -> None:
    import subprocess
    import sys
    from pathlib import Path

    fixture = (Path(__file__).parent.parent / "fixtures" / "conversations"
               / "subscribe_review_outside_window.yaml")
    done = subprocess.run([sys.executable, "-m", "bot", "replay", str(fixture)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "1 passed, 0 failed" in done.stdout, done.stdout + done.stderr
