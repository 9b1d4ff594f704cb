"""The outbox under a failing platform API and a restarted Redis (issue 19 points 2-5).

One real `wxbot serve` process is both the bot and the mock platform API it sends to
(BOT_SIMULATOR=1, WECHAT_API_BASE pointing at its own /cgi-bin/); faults are injected through
`POST /sim/api/faults` (an errcode, or a delay after the call was done). Owed replies are put
into the bot's outbox from here, through the same store, and counted where they arrive: per
follower, how many and in which order (docs/reliability.md says what is promised).
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from bot.outbound.courier import Courier, no_client
from bot.platform import PlatformAPI
from bot.sim.wire.client import PlatformClient
from bot.store import Store, open_store
from tests.conftest import APP_ID, TOKEN, RedisProcess, stores
from tests.instances import APP_SECRET, eventually
from tests.servers import Server

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.xdist_group("processes-outbox")]
HTTP = 10.0  # s for the test's own calls
# The run had 500 owed messages for 50 followers and 60 injected -1 errors; each -1
# costs the API client's backoff (about a second), so 12 keep the run short and still spend
# the client's retry budget twice: two entries go back to the outbox, behind their followers'.
FOLLOWERS, EACH, ERRORS = 50, 10, 12
ORDERED_WITHIN = 60.0  # s for 500 sends with 12 errors
SLOW = 7.0  # s the platform answers late: past the API client's 5 s read timeout
SETTLED_WITHIN = 40.0  # s for a slow send, its one retry and the verdict
RECOVERED_WITHIN = 10.0  # s for a courier to send again after Redis came back empty


class Bot:
    """The server, its store opened from the test, and the mock platform's controls."""

    def __init__(self, stack: ExitStack, tmp: Path, store: str, **env: str) -> None:
        self.server = Server(["serve"], {
            "WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp / "bot"), "BOT_STORE": store,
            "BOT_SIMULATOR": "1", "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET,
            "BOT_SIM_CUSTOM_QUOTA": "50", **env}, tmp / "bot.log")
        self.server.env["WECHAT_API_BASE"] = f"{self.server.url}/cgi-bin/"
        self.server.start()
        stack.callback(self.server.stop)
        self.store: Store = open_store(store)
        stack.callback(self.store.close)
        self.wechat = stack.enter_context(PlatformClient(self.server.url, TOKEN))
        self.url = self.server.url

    def say(self, openid: str, text: str) -> str:
        delivery = self.wechat.text(openid, text)
        assert delivery.ok, delivery.error
        return delivery.text

    def owe(self, openid: str, text: str, key: str) -> None:
        """A reply owed to `openid`, as a turn that missed the window leaves it."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        assert self.store.outbox.put(key, body)

    def fault(self, **fault: object) -> None:
        answer = requests.post(f"{self.url}/sim/api/faults", json={"api": "custom", **fault},
                               timeout=HTTP)
        assert answer.status_code == 200, answer.text

    def received(self, openid: str) -> list[str]:
        got = requests.get(f"{self.url}/sim/api/outbound", params={"user": openid},
                           timeout=HTTP).json()["messages"]
        return [m["body"]["text"]["content"] for m in got if m["api"] == "custom"]

    def log(self) -> str:
        return self.server.log.read_text(errors="replace")


@pytest.fixture
def make_bot(tmp_path: Path) -> Iterator[Callable[..., Bot]]:
    with ExitStack() as stack:
        yield lambda store, **env: Bot(stack, tmp_path, store, **env)


@stores("sqlite", "redis")
def test_faults_courier_keeps_each_followers_order_under_api_errors(make_bot, store_url):
    bot = make_bot(store_url)
    openids = [f"oOrder{n:04d}" for n in range(FOLLOWERS)]
    for openid in openids:  # each follower wrote once: their 48-hour window is open
        bot.say(openid, "帮助")
    bot.fault(errcode=-1, times=ERRORS)
    for i in range(EACH):
        for openid in openids:
            bot.owe(openid, f"{openid}#{i}", f"order:{openid}:{i}")
    deadline = time.monotonic() + ORDERED_WITHIN
    while time.monotonic() < deadline and bot.store.outbox.counts()["sent"] < FOLLOWERS * EACH:
        time.sleep(1.0)
    got = {openid: bot.received(openid) for openid in openids}
    wanted = {openid: [f"{openid}#{i}" for i in range(EACH)] for openid in openids}
    lost_or_twice = {o: len(m) for o, m in got.items() if len(m) != EACH}
    out_of_order = [o for o, m in got.items() if m != wanted[o] and len(m) == EACH]
    assert (lost_or_twice, out_of_order) == ({}, []), bot.log()[-3000:]
    assert bot.store.outbox.counts() == {"owed": 0, "sent": FOLLOWERS * EACH, "failed": 0}


@stores("sqlite", "redis")
@pytest.mark.parametrize(("slow_answers", "copies"), [
    (1, 2),  # the first answer is late: tried once more, and that one is answered
    (3, 2),  # every answer is late: tried once more, then never again
])
def test_faults_courier_sends_a_reply_the_api_answers_late_at_most_twice(
        make_bot, store_url, slow_answers, copies):
    bot = make_bot(store_url)
    bot.say("oSlow0001", "帮助")
    bot.fault(delay=SLOW, times=slow_answers)
    bot.owe("oSlow0001", "请输入您的身份证号", "slow:1")
    settled = eventually(lambda: sum(bot.store.outbox.counts().values()) -
                         bot.store.outbox.counts()["owed"], 1, SETTLED_WITHIN, every=0.5)
    assert settled == 1, bot.log()[-3000:]
    time.sleep(SLOW)  # a late answer still on its way would show as a third copy
    assert bot.received("oSlow0001") == ["请输入您的身份证号"] * copies
    unsure = slow_answers > 1
    assert bot.store.outbox.counts()["failed"] == int(unsure)
    assert len(re.findall(r"outcome unknown twice", bot.log())) == int(unsure)


@pytest.mark.parametrize(("errcode", "times"), [
    (45015, 1),  # the 48-hour window closed before the reply went out
    (40001, 3),  # the token refused, again after a fresh one was fetched
])
def test_faults_reply_the_api_refuses_is_said_first_at_the_next_message(
        make_bot, tmp_path, errcode, times):
    bot = make_bot(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    bot.say("oKept0001", "帮助")  # the window opens
    bot.fault(errcode=errcode, times=times)
    bot.owe("oKept0001", "请输入您的身份证号", "kept:1")
    failed = eventually(lambda: bot.store.outbox.counts()["failed"], 1, SETTLED_WITHIN, 0.5)
    assert failed == 1 and bot.received("oKept0001") == []
    assert re.search(rf"failed for good \({errcode} ", bot.log()), bot.log()[-2000:]
    reply = bot.say("oKept0001", "帮助")
    assert reply.startswith("（这条消息之前没能发送给您，现在补上）：\n请输入您的身份证号\n\n")
    assert "请输入您的身份证号" not in bot.say("oKept0001", "帮助")  # said once


def test_faults_redis_restart_outbox_recovers_by_itself(make_bot, redis_process: RedisProcess):
    bot = make_bot(redis_process.url)
    bot.say("oRedis0001", "帮助")
    bot.owe("oRedis0001", "重启前", "redis:1")
    assert eventually(lambda: bot.received("oRedis0001"), ["重启前"], RECOVERED_WITHIN, 0.5) \
        == ["重启前"]
    redis_process.restart()  # no persistence: the stream and its consumer group are gone
    time.sleep(2.0)  # several claims meet the empty Redis (this side's store, made before
    #                  the restart, must not make the group again: only the server may)
    bot.say("oRedis0001", "帮助")  # the follower's line and session start over
    bot.owe("oRedis0001", "重启后", "redis:2")
    got = eventually(lambda: bot.received("oRedis0001"), ["重启前", "重启后"],
                     RECOVERED_WITHIN, 0.5)
    assert got == ["重启前", "重启后"], bot.log()[-3000:]
    health = requests.get(f"{bot.url}/healthz", timeout=HTTP)
    assert health.status_code == 200 and health.json()["outbox"] == {"ok": True}
    assert bot.log().count("could not read the outbox") <= 2  # not one line per claim


def test_faults_unreachable_api_is_logged_at_warning_with_its_reason(caplog, tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens here once the socket closes
    api = PlatformAPI(APP_ID, APP_SECRET, base=f"http://127.0.0.1:{port}/cgi-bin/", budget=0.1)
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    store.outbox.put("down:1", {"touser": "oDown0001", "msgtype": "text", "text": {"content": "x"}})
    caplog.set_level(logging.WARNING, logger="bot.outbound.courier")
    courier = Courier(store.outbox, api.send_custom, poll=0.05).start()
    try:
        eventually(lambda: len(caplog.records) > 0, True, RECOVERED_WITHIN)
    finally:
        courier.close()
        api.close()
        store.close()
    (first, *_) = caplog.records
    assert first.levelno == logging.WARNING
    assert re.search(r"failed \(PlatformError network: ConnectionError; "
                     r"cause ConnectionError\); retry 1", first.getMessage()), first.getMessage()


def test_faults_no_api_is_logged_with_the_fix_not_just_the_kind(caplog, tmp_path):
    """Without AppID/secret a late reply fails for good: the line says why and what to set
    (it said only `(SendError)` before), and no cause that is not there."""
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    store.outbox.put("none:1", {"touser": "oNone0001", "msgtype": "text", "text": {"content": "x"}})
    caplog.set_level(logging.WARNING, logger="bot.outbound.courier")
    courier = Courier(store.outbox, no_client, poll=0.05).start()
    try:
        eventually(lambda: len(caplog.records) > 0, True, RECOVERED_WITHIN)
    finally:
        courier.close()
        store.close()
    line = caplog.records[0].getMessage()
    assert "failed for good (SendError no platform API: set WECHAT_APP_ID and " \
           "WECHAT_APP_SECRET) after 1 attempt(s)" in line, line
    assert "oNone0001" not in line and "cause" not in line
