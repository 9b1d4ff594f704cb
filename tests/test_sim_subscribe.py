"""The mock platform's subscribe notices: grant ledger, bizsend's rules, the library, the pushes."""

from __future__ import annotations

import threading
import time

import pytest
from wechatpy.exceptions import WeChatClientException

from bot.clock import ManualClock
from bot.sim.mockplatform import DEMO_APP_ID
from bot.sim.wire.client import PlatformClient
from tests.mockplatform import TOKEN, live

ALICE, BOB = "oAliceSub00000000000000000", "oBobSub000000000000000000"
REVIEW = "tplReviewSub0000000000000000000000000000000"
AES, APPID = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", DEMO_APP_ID
DATA = {"thing1": {"value": "社保卡业务审核"}, "character_string2": {"value": "R20261122-0001"},
        "phrase3": {"value": "已通过"}, "time4": {"value": "2026年11月22日 10:30"}}
WITHIN = 5.0  # seconds a later push (the sent event) may take on a loaded machine


def errcode(call) -> int:  # noqa: ANN001
    with pytest.raises(WeChatClientException) as caught:
        call()
    return int(caught.value.errcode)


def popup(served, user: str, template, accept: bool, **more) -> tuple[int, dict]:  # noqa: ANN001
    answer = served.http.post(f"{served.url}/sim/api/subscribe", timeout=10,
                              json={"user": user, "template": template, "accept": accept, **more})
    return answer.status_code, answer.json()


def pushed(bot) -> tuple[list, threading.Event]:  # noqa: ANN001
    """subscribe_msg_* pushes as the bot receives them; the event is set by a sent event."""
    seen, sent = [], threading.Event()

    def note(inbound) -> None:  # noqa: ANN001
        if str(inbound.fields.get("Event", "")).startswith("subscribe_msg_"):
            seen.append(inbound)
            if inbound.fields["Event"] == "subscribe_msg_sent_event":
                sent.set()

    bot.before_message.append(note)
    return seen, sent


def test_a_one_time_grant_allows_one_send_then_43101(tmp_path) -> None:
    with live(tmp_path, ManualClock(), WECHAT_SUBSCRIBE_REVIEW=REVIEW) as served:
        client = served.wechatpy(auto_retry=False)
        served.wechat.text(ALICE, "你好")
        served.wechat.text(BOB, "你好")
        send = client.message.send_subscribe_message
        assert errcode(lambda: send(ALICE, REVIEW, DATA)) == 43101  # nobody accepted yet
        assert popup(served, ALICE, REVIEW, True)[0] == 200
        assert popup(served, BOB, REVIEW, False)[0] == 200
        assert send(ALICE, REVIEW, DATA)["errcode"] == 0
        assert errcode(lambda: send(ALICE, REVIEW, DATA)) == 43101  # spent
        assert errcode(lambda: send(BOB, REVIEW, DATA)) == 43101  # refused
        assert [m["api"] for m in served.outbound(ALICE)] == ["subscribe"]
        assert served.outbound(BOB) == []
        assert served.outbound(ALICE)[0]["body"]["data"] == DATA
        _, shown = popup(served, ALICE, REVIEW, True)  # a new accept: one more send
        assert shown["grants"][0] | {"at": None} == {
            "template_id": REVIEW, "title": "审核结果通知", "type": "one_time",
            "status": "accept", "remaining": 1, "at": None}
        assert send(ALICE, REVIEW, DATA)["errcode"] == 0
        assert len(served.outbound(ALICE)) == 2


@pytest.mark.parametrize(("touser", "template", "data", "code"), [
    ("", REVIEW, DATA, 40003),
    ("oNeverSeen000000000000000", REVIEW, DATA, 40003),  # another account's openid
    (ALICE, "no-such-template", DATA, 40037),
    (ALICE, REVIEW, {**DATA, "phrase3": {"value": "审核已经通过"}}, 47003),  # phrase: 5 Chinese
    (ALICE, REVIEW, {**DATA, "character_string2": {"value": "受理R1"}}, 47003),  # no Chinese
    (ALICE, REVIEW, {**DATA, "thing1": {"value": "事" * 21}}, 47003),
    (ALICE, REVIEW, {**DATA, "time4": {"value": "明天"}}, 47003),
    (ALICE, REVIEW, {"thing9": {"value": "x"}}, 47003),  # not a keyword of the template
    (ALICE, REVIEW, {}, 47003),
])
def test_bizsend_refuses_bad_fields_and_spends_nothing(tmp_path, touser, template, data,
                                                        code) -> None:
    with live(tmp_path, ManualClock(), WECHAT_SUBSCRIBE_REVIEW=REVIEW) as served:
        client = served.wechatpy(auto_retry=False)
        served.wechat.text(ALICE, "你好")
        popup(served, ALICE, REVIEW, True)
        send = client.message.send_subscribe_message
        assert errcode(lambda: send(touser, template, data)) == code
        assert served.outbound(ALICE) == []
        assert send(ALICE, REVIEW, DATA)["errcode"] == 0  # the grant was not spent


def test_the_47003_errmsg_names_the_bad_key(tmp_path) -> None:
    with live(tmp_path, ManualClock(), WECHAT_SUBSCRIBE_REVIEW=REVIEW) as served:
        served.wechat.text(ALICE, "你好")
        token = served.bot.platform.token()
        body = {"touser": ALICE, "template_id": REVIEW,
                "data": {**DATA, "phrase3": {"value": "审核已经通过"}}}  # six: one too many
        answer = served.http.post(f"{served.url}/cgi-bin/message/subscribe/bizsend", timeout=10,
                                  params={"access_token": token}, json=body).json()
        assert answer["errcode"] == 47003 and "data.phrase3.value invalid" in answer["errmsg"]


def test_the_library_gives_a_long_term_template_whose_grant_lasts_until_refused(tmp_path) -> None:
    with live(tmp_path, ManualClock()) as served:
        client = served.wechatpy(auto_retry=False)
        served.wechat.text(ALICE, "你好")
        base = f"{served.url}/wxaapi/newtmpl/"
        categories = client.get(base + "getcategory")["data"]
        ids = ",".join(str(c["id"]) for c in categories)
        titles = client.get(base + "getpubtemplatetitles", params={"ids": ids, "limit": 30})
        long_term = next(t for t in titles["data"] if t["type"] == 3)
        words = client.get(base + "getpubtemplatekeywords", params={"tid": long_term["tid"]})
        kids = [w["kid"] for w in words["data"]][:3]
        made = client.post(base + "addtemplate", data={"tid": str(long_term["tid"]),
                                                       "kidList": kids, "sceneDesc": "进度提醒"})
        template = made["priTmplId"]
        listed = client.get(base + "gettemplate")["data"]
        assert [t["priTmplId"] for t in listed] == [template] and listed[0]["type"] == 3
        assert "{{thing1.DATA}}" in listed[0]["content"]
        popup(served, ALICE, template, True, scene=2)
        data = {"thing1": {"value": "社保卡补办"}, "character_string2": {"value": "R1"},
                "phrase3": {"value": "制卡中"}}
        send = client.message.send_subscribe_message
        assert send(ALICE, template, data)["errcode"] == 0
        assert send(ALICE, template, data)["errcode"] == 0  # long-term: again
        assert popup(served, ALICE, template, False, settings=True)[0] == 200
        assert errcode(lambda: send(ALICE, template, data)) == 43101
        client.post(base + "deltemplate", data={"priTmplId": template})
        assert errcode(lambda: send(ALICE, template, data)) == 40037
        assert len(served.outbound(ALICE)) == 2


@pytest.mark.parametrize(("params", "code"), [
    ({}, 200018), ({"ids": '"1201"'}, 200019), ({"ids": "1201", "limit": 31}, 200017),
    ({"ids": "1201", "start": -1}, 200016)])
def test_template_titles_refuse_as_the_platform_does(tmp_path, params, code) -> None:
    with live(tmp_path, ManualClock()) as served:
        client = served.wechatpy(auto_retry=False)
        base = f"{served.url}/wxaapi/newtmpl/"
        assert errcode(lambda: client.get(base + "getpubtemplatetitles", params=params)) == code


@pytest.mark.parametrize("body", [
    {"user": ALICE, "template": REVIEW},  # no accept
    {"user": ALICE, "template": [], "accept": True},
    {"user": ALICE, "template": "unknown", "accept": True},
    {"user": ALICE, "template": REVIEW, "accept": True, "settings": True},
    {"user": ALICE, "template": REVIEW, "accept": True, "scene": 7},
    {"user": "", "template": REVIEW, "accept": True},
])
def test_the_popup_control_refuses_bad_input_and_changes_nothing(tmp_path, body) -> None:
    with live(tmp_path, ManualClock(), WECHAT_SUBSCRIBE_REVIEW=REVIEW) as served:
        seen, _ = pushed(served.bot)
        answer = served.http.post(f"{served.url}/sim/api/subscribe", json=body, timeout=10)
        assert answer.status_code == 400 and answer.json()["detail"]
        grants = served.http.get(f"{served.url}/sim/api/subscribe", params={"user": ALICE},
                                 timeout=10).json()["grants"]
        assert [g["status"] for g in grants] == ["none"] and seen == []


@pytest.mark.parametrize("mode", ["plaintext", "safe"])
def test_popup_and_sent_events_reach_the_bot_signed_and_sealed(tmp_path, mode) -> None:
    keys = {"WECHAT_AES_KEY": AES, "WECHAT_APP_ID": APPID, "WECHAT_MODE": "safe"} \
        if mode == "safe" else {}
    with live(tmp_path, ManualClock(), WECHAT_SUBSCRIBE_REVIEW=REVIEW, **keys) as served, \
            PlatformClient(served.app, TOKEN, aes_key=keys.get("WECHAT_AES_KEY"),
                           app_id=keys.get("WECHAT_APP_ID"), mode=mode) as wechat:
        seen, sent = pushed(served.bot)
        wechat.text(ALICE, "你好")
        popup(served, ALICE, REVIEW, True)
        served.wechatpy(auto_retry=False).message.send_subscribe_message(ALICE, REVIEW, DATA)
        assert sent.wait(WITHIN)
        time.sleep(0.2)  # no second sent event
        events = [i.fields["Event"] for i in seen]
        assert events == ["subscribe_msg_popup_event", "subscribe_msg_sent_event"]
        assert all(i.encrypted == (mode == "safe") for i in seen)
        item = seen[0].fields["SubscribeMsgPopupEvent"]["List"]
        assert item == {"TemplateId": REVIEW, "SubscribeStatusString": "accept",
                        "PopupScene": "1"}
        result = seen[1].fields["SubscribeMsgSentEvent"]["List"]
        assert (result["TemplateId"], result["ErrorCode"], result["ErrorStatus"]) == \
            (REVIEW, "0", "success")
        assert served.counter("pushes:subscribe_msg_popup_event:200") == 1
        assert served.counter("pushes:subscribe_msg_sent_event:200") == 1


def test_the_test_account_has_no_subscribe_notices(tmp_path) -> None:
    with live(tmp_path, ManualClock(), BOT_SIM_PROFILE="sandbox") as served:
        served.wechat.text(ALICE, "你好")
        client = served.wechatpy(auto_retry=False)
        assert errcode(lambda: client.message.send_subscribe_message(ALICE, "t", DATA)) == 48001
