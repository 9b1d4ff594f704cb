"""The mock platform's customer service: its API shapes, the queue, sessions and routing."""

from __future__ import annotations

import time

import pytest

from bot.clock import ManualClock
from bot.sim.mockplatform.cgi import MOCK
from bot.sim.wire.client import PlatformClient
from tests.mockplatform import TOKEN, live

ALICE = "oAlice00000000000000000000"


def call(served, method: str, path: str, **kwargs) -> dict:  # noqa: ANN001
    token = served.bot.platform.token()
    answer = served.http.request(method, f"{served.url}{path}", timeout=10,
                                 params={"access_token": token, **kwargs.pop("params", {})},
                                 **kwargs)
    return answer.json()


def agents(served, action: str, **body) -> dict:  # noqa: ANN001
    return served.http.post(f"{served.url}/sim/api/agents/{action}", json=body, timeout=10).json()


@pytest.mark.parametrize(("method", "path", "errcode"), [
    ("POST", "/cgi-bin/customservice/kfaccount/add", 40066),
    ("GET", "/customservice/getkflist", 40066),
    ("POST", "/customservice/kfsession/close", 65413),
])
def test_kf_api_answers_the_platforms_errcodes(tmp_path, method, path, errcode) -> None:
    with live(tmp_path, ManualClock()) as served:
        found = call(served, method, path, json={"kf_account": "kf1@wxbot", "openid": ALICE})
        assert found["errcode"] == errcode


def test_kf_accounts_are_added_listed_and_refused_twice(tmp_path) -> None:
    with live(tmp_path, ManualClock()) as served:
        body = {"kf_account": "kf2@wxbot", "nickname": "客服小李", "password": "x"}
        assert call(served, "POST", "/customservice/kfaccount/add", json=body)["errcode"] == 0
        assert call(served, "POST", "/customservice/kfaccount/add", json=body)["errcode"] == 65406
        listed = call(served, "GET", "/cgi-bin/customservice/getkflist")["kf_list"]
        online = call(served, "GET", "/cgi-bin/customservice/getonlinekflist")["kf_online_list"]
        assert [a["kf_account"] for a in listed] == ["kf1@wxbot", "kf2@wxbot"]
        assert [a["kf_account"] for a in online] == ["kf1@wxbot"]


def test_kf_transfer_queues_then_agent_takes_talks_and_closes(tmp_path) -> None:
    clock = ManualClock()
    with live(tmp_path, clock) as served:
        mock = served.app.extensions[MOCK]
        asked = served.wechat.send("text", ALICE, Content="转人工")  # the bot transfers
        assert "transfer_customer_service" in asked.body
        assert [q["openid"] for q in agents_overview(served)["queue"]] == [ALICE]
        assert agents(served, "take", user=ALICE)["kf_account"] == "kf1@wxbot"
        assert served.counter("pushes:kf_create_session:200") == 1
        routed = served.wechat.send("text", ALICE, Content="我的卡丢了")
        assert routed.body == "success"  # the agent has it; the bot never saw it
        agents(served, "say", user=ALICE, text="您好，我来帮您挂失。")
        # the bot's own "人工客服已接入" goes through its outbox and may land after it
        sent = [m["body"] for m in served.outbound(ALICE) if "customservice" in m["body"]]
        assert [m["customservice"] for m in sent] == [{"kf_account": "kf1@wxbot"}]
        assert sent[0]["text"]["content"] == "您好，我来帮您挂失。"
        assert [m["side"] for m in mock.kf.messages(ALICE)] == ["in", "in", "out"]
        agents(served, "close", user=ALICE)
        assert served.counter("pushes:kf_close_session:200") == 1
        assert mock.kf.session(ALICE) == ""


def test_kf_session_ends_after_30_idle_minutes_without_an_event(tmp_path) -> None:
    clock = ManualClock()
    with live(tmp_path, clock) as served:
        served.wechat.send("text", ALICE, Content="你好")
        served.app.extensions[MOCK].kf.enqueue(ALICE, "", "转人工")
        agents(served, "take", user=ALICE)
        clock.advance(30 * 60)
        back = served.wechat.send("text", ALICE, Content="还在吗")
        assert back.reply.get("MsgType") == "text"  # the bot answered: the platform let go
        assert served.app.extensions[MOCK].kf.session(ALICE) == ""
        assert served.counter("pushes:kf_close_session:200") == 0


def agents_overview(served) -> dict:  # noqa: ANN001
    return served.http.get(f"{served.url}/sim/api/agents", timeout=10).json()


def test_kf_routed_messages_open_the_window_also_in_safe_mode(tmp_path) -> None:
    key, appid = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx0123456789abcdef"
    with live(tmp_path, ManualClock(), WECHAT_AES_KEY=key, WECHAT_APP_ID=appid) as served, \
            PlatformClient(served.app, TOKEN, aes_key=key, app_id=appid, mode="safe",
                           clock=served.clock) as sealed:
        agents(served, "take", user=ALICE)  # taken before the bot ever heard of her
        routed = sealed.send("text", ALICE, Content="人工客服在吗")
        assert (routed.status, routed.body) == (200, "success")
        said = agents(served, "say", user=ALICE, text="在的，请讲。")
        assert said == {"openid": ALICE, "kf_account": "kf1@wxbot"}  # her message opened it
        assert served.app.extensions[MOCK].kf.messages(ALICE)[0]["text"] == "人工客服在吗"


def test_kf_switch_hands_the_follower_to_an_online_colleague(tmp_path) -> None:
    with live(tmp_path, ManualClock()) as served:
        call(served, "POST", "/customservice/kfaccount/add",
             json={"kf_account": "kf2@wxbot", "nickname": "客服小李"})
        agents(served, "take", user=ALICE)
        assert agents(served, "switch", user=ALICE, account="kf2@wxbot")["errcode"] == 65415
        agents(served, "online", account="kf2@wxbot", online=True)
        assert agents(served, "switch", user=ALICE, account="kf2@wxbot")["kf_account"] == \
            "kf2@wxbot"
        assert served.counter("pushes:kf_switch_session:200") == 1
        session = call(served, "GET", "/customservice/kfsession/getsession",
                       params={"openid": ALICE})
        assert session["kf_account"] == "kf2@wxbot"


def texts_to(served, user: str) -> list[str]:  # noqa: ANN001
    return [m["body"]["text"]["content"] for m in served.outbound(user)
            if m["body"].get("msgtype") == "text"]


def test_kf_agent_taking_a_follower_is_told_to_them(tmp_path) -> None:
    """The platform says nothing until the agent types: the bot says a person is there."""
    with live(tmp_path, ManualClock()) as served:
        served.wechat.send("text", ALICE, Content="转人工")
        agents(served, "take", user=ALICE)
        assert eventually(lambda: any("人工客服已接入" in t for t in texts_to(served, ALICE)))


def test_kf_follower_who_left_the_queue_is_let_go_when_an_agent_takes_them(tmp_path) -> None:
    """取消 leaves the bot's wait, not the platform's queue (no call takes anyone out); an
    agent who takes them anyway finds the session ended by the bot, and the follower is
    served by the bot as they asked, without a word about an agent they never met."""
    with live(tmp_path, ManualClock()) as served:
        mock = served.app.extensions[MOCK]
        served.wechat.send("text", ALICE, Content="转人工")
        left = served.wechat.send("text", ALICE, Content="取消")
        assert "不再为您转接" in left.reply["Content"]
        queue = agents_overview(served)["queue"]  # the platform's: the console marks her
        assert [(q["openid"], q["withdrew"]) for q in queue] == [(ALICE, True)]
        agents(served, "take", user=ALICE)
        assert eventually(lambda: mock.kf.session(ALICE) == "")  # closed, then the event:
        assert eventually(lambda: served.counter("pushes:kf_close_session:200") == 1)
        back = served.wechat.send("text", ALICE, Content="绑定社保卡")
        assert "身份证号" in back.reply["Content"]
        said = texts_to(served, ALICE)
        assert not [t for t in said if "已接入" in t or "已结束" in t], said


def eventually(check, within: float = 5.0) -> bool:  # noqa: ANN001
    """True once `check()` is: the courier sends after the turn, on its own thread."""
    stop = time.monotonic() + within
    while not check():
        if time.monotonic() > stop:
            return False
        time.sleep(0.05)
    return True


def test_kf_a_session_the_platform_will_not_end_is_said_to_the_follower(tmp_path) -> None:
    """Should kfsession/close be refused (not "no session"), the agent keeps them: they are
    told a person is there, so a code or password is not typed to the agent unannounced."""
    with live(tmp_path, ManualClock()) as served:
        mock = served.app.extensions[MOCK]
        served.wechat.send("text", ALICE, Content="转人工")
        served.wechat.send("text", ALICE, Content="取消")
        served.fault("kf", 65414)  # the close is refused once, for good
        agents(served, "take", user=ALICE)
        assert eventually(lambda: any("人工客服已接入" in t for t in texts_to(served, ALICE)))
        assert mock.kf.session(ALICE) == "kf1@wxbot"



@pytest.mark.parametrize("typed", ["算了不用了 取消", "不等了 取消吧", "取消转人工",
                                   "nvm i'll figure it out"])  # a blind tester stayed queued
def test_kf_a_sentence_meaning_cancel_leaves_the_wait_as_the_word_does(tmp_path, typed) -> None:
    """"算了不用了 取消" while queued joined the queue (only the bare word left it); the agent
    who took them then had everything they typed."""
    with live(tmp_path, ManualClock()) as served:
        served.wechat.send("text", ALICE, Content="转人工")
        left = served.wechat.send("text", ALICE, Content=typed)
        assert left.reply.get("MsgType") == "text" and "不再为您转接" in left.reply["Content"]
        assert [q["withdrew"] for q in agents_overview(served)["queue"]] == [True]
