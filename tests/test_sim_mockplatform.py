"""The mock platform API, driven as users drive the real one: wechatpy's WeChatClient over HTTP."""

from __future__ import annotations

import json
import re
import stat
import threading
import time

import pytest
import requests
from wechatpy.exceptions import WeChatClientException

from bot.sim.mockplatform import DEMO_APP_ID, DEMO_APP_SECRET
from bot.sim.mockplatform.db import FILENAME
from tests.mockplatform import HTTP_TIMEOUT, live

HOUR = 3600
RID = re.compile(r" rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")


@pytest.fixture
def mock(tmp_path, clock):
    with live(tmp_path, clock) as served:
        yield served


def errcode(call) -> int:  # noqa: ANN001
    with pytest.raises(WeChatClientException) as caught:
        call()
    return int(caught.value.errcode)


def token_query(mock, **params) -> dict:  # noqa: ANN001
    query = {"grant_type": "client_credential", "appid": DEMO_APP_ID, "secret": DEMO_APP_SECRET,
             **params}
    answer = requests.get(f"{mock.base}token", params=query, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200  # errors too: the platform never uses HTTP statuses
    return answer.json()


def test_token_is_7200_seconds_and_long(mock):
    got = token_query(mock)
    assert got["expires_in"] == 7200 and len(got["access_token"]) >= 128


@pytest.mark.parametrize(("params", "code"), [
    ({"appid": "wx0000000000000000"}, 40013),
    ({"secret": "x" * len(DEMO_APP_SECRET)}, 40001),
    ({"secret": "short"}, 40125),
    ({"grant_type": "password"}, 40002),
    ({"appid": ""}, 41002),
])
def test_token_refusals_are_http_200_with_errcode_and_rid(mock, params, code):
    got = token_query(mock, **params)
    assert got["errcode"] == code and RID.search(got["errmsg"]) and "access_token" not in got


def test_token_expires_after_7200_seconds_on_the_sim_clock(mock):
    mock.wechat.text("oTok1", "hi")
    client = mock.wechatpy(auto_retry=False)
    token = client.access_token  # fetched through the mock
    assert client.user.get("oTok1")["subscribe"] == 1
    mock.clock.advance(7199)
    assert client.user.get("oTok1")["subscribe"] == 1
    mock.clock.advance(2)
    assert errcode(lambda: client.user.get("oTok1", lang="en")) == 42001  # as configured
    assert client.session.get(client.access_token_key) == token


def test_token_new_fetch_supersedes_the_old_after_five_minutes(mock):
    mock.wechat.text("oTok2", "hi")
    old = token_query(mock)["access_token"]
    new = token_query(mock)["access_token"]

    def info(token: str) -> dict:
        return requests.get(f"{mock.base}user/info", timeout=HTTP_TIMEOUT,
                            params={"access_token": token, "openid": "oTok2"}).json()

    mock.clock.advance(299)
    assert info(old)["subscribe"] == 1 and info(new)["subscribe"] == 1
    mock.clock.advance(2)
    assert info(old)["errcode"] == 40001 and info(new)["subscribe"] == 1
    assert info("made-up")["errcode"] == 40001 and info("")["errcode"] == 41001


def test_wechatpy_auto_retry_is_bounded_only_by_the_mock_answering_40001_once(mock):
    """A superseded token is refused once; wechatpy's refetch then succeeds (no recursion)."""
    mock.wechat.text("oTok3", "hi")
    client = mock.wechatpy()  # auto_retry=True, as wechatpy ships
    client.user.get("oTok3")
    token_query(mock)  # another process fetched: client's token dies in 5 minutes
    mock.clock.advance(301)
    before = mock.counter("token_fetches")
    assert client.user.get("oTok3")["subscribe"] == 1
    assert mock.counter("token_fetches") == before + 1


def test_custom_send_window_closes_48_hours_after_the_last_message(mock):
    client = mock.wechatpy()  # auto_retry: its token expires (42001) while the clock moves
    assert errcode(lambda: client.message.send_text("oWin1", "hello")) == 40003  # a stranger
    mock.wechat.text("oWin1", "你好")
    client.message.send_text("oWin1", "客服消息")
    mock.clock.advance(48 * HOUR - 10)
    client.message.send_text("oWin1", "still inside")
    mock.clock.advance(11)
    assert errcode(lambda: client.message.send_text("oWin1", "too late")) == 45015
    assert [m["body"]["text"]["content"] for m in mock.outbound("oWin1")] == [
        "客服消息", "still inside"]


def test_custom_quota_is_five_per_message_and_a_retry_opens_no_new_window(mock):
    client = mock.wechatpy(auto_retry=False)
    delivery = mock.wechat.text("oQuota1", "第一条")
    for n in range(5):
        client.message.send_text("oQuota1", f"reply {n}")
    assert errcode(lambda: client.message.send_text("oQuota1", "sixth")) == 45047
    mock.wechat.post(delivery.request_body, delivery.query, user="oQuota1")  # a retry
    assert errcode(lambda: client.message.send_text("oQuota1", "still sixth")) == 45047
    mock.wechat.text("oQuota1", "第二条")  # a new message: a new window, a new quota
    client.message.send_text("oQuota1", "fresh")
    assert len(mock.outbound("oQuota1")) == 6


def test_custom_quota_is_configurable(tmp_path, clock):
    with live(tmp_path, clock, BOT_SIM_CUSTOM_QUOTA=20) as served:
        client = served.wechatpy(auto_retry=False)
        served.wechat.text("oQuota2", "hi")
        for n in range(20):
            client.message.send_text("oQuota2", str(n))
        assert errcode(lambda: client.message.send_text("oQuota2", "21st")) == 45047


@pytest.mark.parametrize("gesture", ["click", "subscribe"])
def test_menu_click_or_follow_opens_three_sends_for_one_minute(mock, gesture):
    client, user = mock.wechatpy(auto_retry=False), f"oEvt{gesture}"
    if gesture == "click":
        mock.wechat.click(user, "BIND_CARD")
    else:
        mock.wechat.send("event_subscribe", user)
    for n in range(3):
        client.message.send_text(user, str(n))
    assert errcode(lambda: client.message.send_text(user, "4th")) == 45047
    mock.clock.advance(61)
    assert errcode(lambda: client.message.send_text(user, "late")) == 45015


def test_unfollowing_closes_the_window(mock):
    client = mock.wechatpy(auto_retry=False)
    mock.wechat.text("oGone1", "hi")
    mock.wechat.send("event_unsubscribe", "oGone1")
    assert errcode(lambda: client.message.send_text("oGone1", "bye")) == 45015
    assert client.user.get("oGone1") == {"subscribe": 0, "openid": "oGone1"}


@pytest.mark.parametrize(("body", "code"), [
    (b"not json", 47001),
    (b"", 44002),
    (b'{"touser": "oBad1", "msgtype": "text", "text": {"content": "\\ud800"}}', 47001),
    (json.dumps({"touser": "oBad1", "msgtype": "text"}).encode(), 47001),
    (json.dumps({"touser": "oBad1", "msgtype": "news", "news": {"articles": [{}, {}]}}).encode(),
     45008),
])
def test_custom_send_refuses_malformed_bodies_with_http_200(mock, body, code):
    mock.wechat.text("oBad1", "hi")
    token = token_query(mock)["access_token"]
    answer = requests.post(f"{mock.base}message/custom/send", params={"access_token": token},
                           data=body, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200 and answer.json()["errcode"] == code
    assert mock.outbound("oBad1") == []


def template_finishes(bot) -> tuple[list, threading.Event]:  # noqa: ANN001
    """TEMPLATESENDJOBFINISH pushes as the bot receives them, and an event set at the first."""
    finishes, arrived = [], threading.Event()

    def note(inbound) -> None:  # noqa: ANN001
        if inbound.fields.get("Event") == "TEMPLATESENDJOBFINISH":
            finishes.append(inbound)
            arrived.set()

    bot.before_message.append(note)
    return finishes, arrived


def test_template_send_answers_a_msgid_then_pushes_templatesendjobfinish_once(tmp_path, clock):
    with live(tmp_path, clock, WECHAT_TEMPLATE_REVIEW="tpl-review") as served:
        finishes, arrived = template_finishes(served.bot)
        served.wechat.text("oTpl1", "hi")
        client = served.wechatpy(auto_retry=False)
        got = client.message.send_template("oTpl1", "tpl-review", {"result": {"value": "通过"}})
        assert got["errcode"] == 0 and got["msgid"] > 0
        assert arrived.wait(5)
        deadline = time.monotonic() + 5  # the hook runs before the bot answers the push
        while served.counter("pushes:template_finish:200") == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert served.counter("pushes:template_finish:200") == 1
        assert [(i.fields["MsgID"], i.fields["Status"]) for i in finishes] == [
            (str(got["msgid"]), "success")]
        assert served.outbound("oTpl1")[0]["api"] == "template"
        assert errcode(lambda: client.message.send_template("oTpl1", "unknown", {})) == 40037


@pytest.mark.parametrize(("profile", "sealed"), [("official", True), ("sandbox", False)])
def test_template_finish_push_is_sealed_except_in_the_plaintext_sandbox(tmp_path, clock, profile,
                                                                         sealed):
    aes = {"WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
    with live(tmp_path, clock, BOT_SIM_PROFILE=profile, WECHAT_TEMPLATE_REVIEW="tpl", **aes) as s:
        finishes, arrived = template_finishes(s.bot)
        s.wechat.text("oSeal1", "hi")
        s.wechatpy(auto_retry=False).message.send_template("oSeal1", "tpl", {"a": {"value": "x"}})
        assert arrived.wait(5) and [i.encrypted for i in finishes] == [sealed]


def test_an_api_the_simulator_does_not_play_is_an_errcode_not_a_404(mock):
    answer = mock.http.get(f"{mock.base}datacube/getusersummary", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200 and answer.json()["errcode"] == 48001


def test_sandbox_takes_any_template_and_at_most_100_followers(tmp_path, clock):
    with live(tmp_path, clock, BOT_SIM_PROFILE="sandbox") as served:
        client = served.wechatpy(auto_retry=False)
        for n in range(101):
            served.wechat.send("event_subscribe", f"oFan{n:03d}")
        data = {"first": {"value": "自由模板"}}
        assert client.message.send_template("oFan000", "any-id-I-wrote", data)["msgid"]
        assert errcode(lambda: client.message.send_template("oFan100", "any", data)) == 40003


MENU = {"button": [
    {"type": "click", "name": "绑定社保卡", "key": "BIND_CARD"},
    {"name": "更多", "sub_button": [{"type": "view", "name": "官网", "url": "https://example.org/"},
                                  {"type": "click", "name": "进度", "key": "PROGRESS"}]}]}


def test_menu_create_then_get_returns_it_in_the_platforms_shape(mock):
    client = mock.wechatpy(auto_retry=False)
    assert client.menu.get() is None  # 46003, which wechatpy turns into None
    client.menu.create(MENU)
    got = client.menu.get()["menu"]["button"]
    assert got[0] == {**MENU["button"][0], "sub_button": []}
    assert [b["name"] for b in got[1]["sub_button"]] == ["官网", "进度"]
    assert all(b["sub_button"] == [] for b in got[1]["sub_button"])
    client.menu.delete()
    assert client.menu.get() is None


def _button(**kw) -> dict:  # noqa: ANN003
    return {"type": "click", "name": "按钮", "key": "K", **kw}


@pytest.mark.parametrize(("menu", "code"), [
    ({"button": []}, 40016),
    ({"button": [_button()] * 4}, 40016),
    ({"button": [_button(type="teleport")]}, 40017),
    ({"button": [_button(type=[])]}, 40017),  # not a string: refused, not a 500 (the fuzz test)
    ({"button": [_button(type={"a": 1})]}, 40017),
    ({"button": [_button(name="一二三四五六")]}, 40018),  # 18 bytes > 16
    ({"button": [_button(key="k" * 129)]}, 40019),
    ({"button": [_button(type="view", url="https://x/" + "a" * 1024)]}, 40020),
    ({"button": [{"name": "父", "sub_button": [{"name": "子", "sub_button": [_button()]}]}]},
     40022),
    ({"button": [{"name": "父", "sub_button": [_button()] * 6}]}, 40023),
    ({"button": [{"name": "父", "sub_button": [_button(type="nope")]}]}, 40024),
    ({"button": [{"name": "父", "sub_button": [_button(name="长" * 21)]}]}, 40025),
    ({"button": [{"name": "父", "sub_button": [_button(key="")]}]}, 40026),
    ({"button": [{"name": "父", "sub_button": [_button(type="view")]}]}, 40027),
])
def test_menu_create_enforces_the_platforms_limits(mock, menu, code):
    client = mock.wechatpy(auto_retry=False)
    assert errcode(lambda: client.menu.create(menu)) == code
    assert client.menu.get() is None  # nothing half-made


def test_user_info_of_a_follower_and_of_a_stranger(mock):
    client = mock.wechatpy(auto_retry=False)
    mock.wechat.text("oInfo1", "hi")
    info = client.user.get("oInfo1")
    assert info["subscribe"] == 1 and info["subscribe_time"] == int(mock.clock.now())
    assert "nickname" not in info  # gone since 2021-12-27
    assert errcode(lambda: client.user.get("oNobody")) == 40003


def test_faults_fail_the_next_k_calls_then_clear(mock):
    client = mock.wechatpy(auto_retry=False)
    mock.wechat.text("oFault1", "hi")
    mock.fault("custom", -1, times=2)
    assert errcode(lambda: client.message.send_text("oFault1", "a")) == -1
    assert errcode(lambda: client.message.send_text("oFault1", "b")) == -1
    client.message.send_text("oFault1", "c")
    assert [m["body"]["text"]["content"] for m in mock.outbound("oFault1")] == ["c"]


def test_a_template_id_that_is_not_unicode_is_400(mock):
    answer = mock.http.post(f"{mock.url}/sim/api/templates", timeout=HTTP_TIMEOUT,
                            data=b'{"template_id": "\\udc00", "content": ""}',
                            headers={"Content-Type": "application/json"})
    assert answer.status_code == 400


@pytest.mark.parametrize("body", [{"api": "nope", "errcode": 1}, {"api": "custom"},
                                  {"api": "custom", "errcode": 0},
                                  {"api": "custom", "errcode": -1, "times": -3}, []])
def test_bad_fault_requests_are_400_and_change_nothing(mock, body):
    answer = mock.http.post(f"{mock.url}/sim/api/faults", json=body, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"
    assert mock.counter("calls:custom") == 0
    mock.wechat.text("oFault2", "hi")
    mock.wechatpy(auto_retry=False).message.send_text("oFault2", "fine")


def test_outbound_needs_a_user(mock):
    answer = mock.http.get(f"{mock.url}/sim/api/outbound", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 400


def test_state_is_one_private_file_that_two_apps_share(tmp_path, clock):
    with live(tmp_path, clock) as first, live(tmp_path, clock) as second:
        first.wechat.text("oShared1", "hi")  # learnt by the first app's mock
        client = second.wechatpy(auto_retry=False)
        client.message.send_text("oShared1", "via the second")
        assert [m["api"] for m in first.outbound("oShared1")] == ["custom"]
    assert stat.S_IMODE((tmp_path / FILENAME).stat().st_mode) == 0o600


def _demo_env(data) -> dict:  # noqa: ANN001
    return {"BOT_DATA_DIR": str(data), "WECHAT_TOKEN": "devtoken",
            "WECHAT_TEMPLATE_REVIEW": "tpl-review"}


@pytest.mark.e2e
def test_demo_process_window_closes_when_its_clock_moves_48_hours(tmp_path):
    from bot.sim.wire.client import PlatformClient
    from tests.mockplatform import wechatpy_client
    from tests.servers import running

    with running(["demo", "--no-browser"], _demo_env(tmp_path), tmp_path / "log") as server, \
            PlatformClient(server.url, "devtoken") as wechat, requests.Session() as http:
        client = wechatpy_client(f"{server.url}/cgi-bin/")  # auto_retry: tokens expire too
        assert wechat.text("oProc1", "你好").status == 200
        client.message.send_text("oProc1", "inside the window")
        moved = http.post(f"{server.url}/backend/v1/clock", json={"advance": 48 * HOUR + 1},
                          timeout=HTTP_TIMEOUT)
        assert moved.status_code == 200
        assert errcode(lambda: client.message.send_text("oProc1", "outside")) == 45015
        sent = client.message.send_template("oProc1", "tpl-review", {"r": {"value": "通过"}})
        counters = {}
        for _ in range(100):  # the push follows the answer; wait for it by the clock
            counters = http.get(f"{server.url}/sim/api/platform", timeout=HTTP_TIMEOUT).json()
            if counters["counters"].get("pushes:template_finish:200"):
                break
            threading.Event().wait(0.05)
        assert counters["counters"].get("pushes:template_finish:200") == 1
        got = http.get(f"{server.url}/sim/api/outbound", params={"user": "oProc1"},
                       timeout=HTTP_TIMEOUT).json()["messages"]
        assert [m["api"] for m in got] == ["custom", "template"] and got[1]["body"]["template_id"]
        assert sent["msgid"] > 0
        client._http.close()  # noqa: SLF001


@pytest.mark.e2e
def test_two_server_processes_play_one_platform(tmp_path):
    """Pushes reach one worker, sends go to another: one window, one quota, one token."""
    from bot.sim.wire.client import PlatformClient
    from tests.mockplatform import wechatpy_client
    from tests.servers import running

    env = {**_demo_env(tmp_path), "BOT_SIMULATOR": "1", "WECHAT_APP_ID": DEMO_APP_ID,
           "WECHAT_APP_SECRET": DEMO_APP_SECRET}
    with running(["serve"], env, tmp_path / "a.log") as a, \
            running(["serve"], env, tmp_path / "b.log") as b, \
            PlatformClient(a.url, "devtoken") as wechat:
        assert wechat.text("oProc2", "你好").status == 200
        via_a, via_b = (wechatpy_client(f"{s.url}/cgi-bin/", auto_retry=False) for s in (a, b))
        for n in range(5):
            (via_a if n % 2 else via_b).message.send_text("oProc2", str(n))
        assert errcode(lambda: via_a.message.send_text("oProc2", "6th")) == 45047
        via_b.user.get("oProc2")
        counters = requests.get(f"{b.url}/sim/api/platform", timeout=HTTP_TIMEOUT).json()
        assert counters["counters"]["calls:custom"] == 6
        for client in (via_a, via_b):
            client._http.close()  # noqa: SLF001


def test_a_locked_mock_delays_a_push_by_observe_busy_at_most(mock, tmp_path):
    """Noting a push is on the per-message path: a stuck writer costs it OBSERVE_BUSY, not more."""
    import sqlite3

    from bot.sim.mockplatform.followers import OBSERVE_BUSY

    holder = sqlite3.connect(tmp_path / FILENAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another worker holds the write lock and stalls
    try:
        started = time.monotonic()
        delivery = mock.wechat.text("oLocked1", "你好")
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert delivery.status == 200 and delivery.text  # the bot still answered
    assert OBSERVE_BUSY <= waited < OBSERVE_BUSY + 3.0
    client = mock.wechatpy(auto_retry=False)
    assert errcode(lambda: client.message.send_text("oLocked1", "unnoted")) == 40003
    mock.wechat.text("oLocked1", "again")
    client.message.send_text("oLocked1", "noted now")


def test_concurrent_sends_spend_the_quota_exactly_once_each(mock):
    """Ten sends at once into a window of five: five delivered, five 45047, none lost."""
    mock.wechat.text("oRace1", "你好")
    token = token_query(mock)["access_token"]
    barrier, codes = threading.Barrier(10), []

    def send(n: int) -> None:
        with requests.Session() as http:
            barrier.wait()
            answer = http.post(f"{mock.base}message/custom/send", timeout=HTTP_TIMEOUT,
                               params={"access_token": token},
                               data=json.dumps({"touser": "oRace1", "msgtype": "text",
                                                "text": {"content": str(n)}}))
            codes.append(answer.json()["errcode"])

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(codes) == [0] * 5 + [45047] * 5
    assert len(mock.outbound("oRace1")) == 5
