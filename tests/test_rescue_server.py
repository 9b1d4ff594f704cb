"""kill -9 mid-turn, as processes: the other server runs the dead one's turn, its reply sent once.

Two `python -m bot serve` on one BOT_STORE (SQLite file or Redis), the mock backend as its own
process (`python -m bot backend`, made slow through POST /backend/v1/faults), and an HTTP sink
for message/custom/send (OUTBOUND_SEND). A follower binds a card; the last step (the bind) is
slow, and the server running it is killed with SIGKILL. Counted: bodies at the sink, the card's
binding, SMS codes sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import requests
from werkzeug.wrappers import Request, Response

from bot.sim.wire.client import PlatformClient
from tests.conftest import stores
from tests.instances import people, write_seed
from tests.servers import Server, serving
from tests.timing import RESCUED
from tests.window_kit import Sink

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("processes-serve")]

TOKEN = "rescuetoken"
SLOW = 6.0  # s the fault adds to the bind call: past the 4 s deadline
MID_TURN = 1.0  # s into that call when the server is killed (before it answered)
API_TIMEOUT = 10.0  # s for a call to the backend's API from the test
QUIET = 3.0  # s after the send in which a second one would have shown


class SinkServer(Sink):
    """message/custom/send over HTTP: each JSON body it is given, in order."""

    def wsgi(self, environ, start_response):
        self(Request(environ).get_json())
        return Response("{}", 200, content_type="application/json")(environ, start_response)


class World:
    """The backend process, the sink and two bot servers A and B on one store."""

    def __init__(self, stack: ExitStack, tmp, store: str) -> None:
        (self.person,) = people(1)
        seed = write_seed(tmp / "seed.yaml", [self.person])
        self.backend = Server(["backend", "--data-dir", str(tmp / "backend"), "--seed", str(seed)],
                              {}, tmp / "backend.log").start()
        stack.callback(self.backend.stop)
        self.api = f"{self.backend.url}/backend/v1"
        self.sink = SinkServer()
        sink_url = stack.enter_context(serving(self.sink.wsgi))
        self.bots = []
        for name in ("a", "b"):
            env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp / name), "BOT_STORE": store,
                   "BOT_BACKEND": self.api, "OUTBOUND_SEND": f"{sink_url}/send",
                   "BOT_REPLY_DEADLINE": "4", "BOT_SIMULATOR": "0"}
            bot = Server(["serve"], env, tmp / f"{name}.log").start()
            stack.callback(bot.stop)
            self.bots.append(bot)
        self.wechat = [stack.enter_context(PlatformClient(bot.url, TOKEN)) for bot in self.bots]

    def post(self, path: str, body: dict) -> None:
        requests.post(f"{self.api}/{path}", json=body, timeout=API_TIMEOUT).raise_for_status()

    def get(self, path: str, **params: str) -> dict:
        return requests.get(f"{self.api}/{path}", params=params, timeout=API_TIMEOUT).json()

    def logs(self) -> str:
        return "\n".join(f"--- {b.log.name}\n{b.log.read_text(errors='replace')[-2000:]}"
                         for b in self.bots)


@pytest.fixture
def world(store_url, tmp_path) -> Iterator[World]:
    with ExitStack() as stack:
        made = World(stack, tmp_path, store_url)
        yield made
        print(made.logs())


OPENID = "oRescue0001"


def up_to_the_code(world: World) -> str:
    """The bind flow on A until it asks for the SMS code; the code-push XML, not yet sent."""
    p, wechat = world.person, world.wechat[0]
    for said, asked in (("绑定社保卡", "身份证号"), (p["id_number"], "姓名"), (p["name"], "卡号"),
                        (p["card"], "验证码")):
        assert asked in wechat.text(OPENID, said).body
    (sms,) = world.get("sms", phone=p["phone"])["messages"]
    return wechat.build("text", OPENID, Content=sms["code"])


def sent_once(world: World) -> None:
    """B's courier sent the bind's reply, once; the card is bound once, one code was texted."""
    (sent,) = world.sink.wait(1, RESCUED) or [None]
    assert sent is not None, world.logs()
    assert sent["touser"] == OPENID and "绑定成功" in sent["text"]["content"]
    time.sleep(QUIET)
    assert len(world.sink.bodies) == 1
    assert world.get(f"cards/{world.person['card']}")["bound_openid"] == OPENID
    assert len(world.get("sms", phone=world.person["phone"])["messages"]) == 1
    started = time.monotonic()
    assert world.wechat[1].text(OPENID, "帮助").body  # B carries on, in the window
    assert time.monotonic() - started < 5


@stores("sqlite", "redis")
def test_rescue_server_killed_after_its_success_leaves_the_reply_to_the_other(world):
    xml = up_to_the_code(world)
    world.post("faults", {"delay": SLOW, "times": 1})
    started = time.monotonic()
    assert world.wechat[0].send_xml(xml, user=OPENID).body == "success"  # owed at the deadline
    assert time.monotonic() - started < 5
    world.bots[0].kill()  # mid-bind: nobody retries a push answered `success`
    sent_once(world)


@stores("sqlite", "redis")
def test_rescue_server_killed_before_answering_the_retry_on_the_other_gets_success(world):
    xml = up_to_the_code(world)
    world.post("faults", {"delay": SLOW, "times": 1})
    first: list = []

    def push() -> None:
        try:
            first.append(world.wechat[0].send_xml(xml, user=OPENID))
        except requests.ConnectionError:
            first.append(None)

    pushed = threading.Thread(target=push)
    pushed.start()
    pushed.join(MID_TURN)
    assert pushed.is_alive(), "the slow bind ended before the kill"
    world.bots[0].kill()
    pushed.join(5)
    assert first == [None]  # no answer: the platform delivers the push again, to B
    started = time.monotonic()
    assert world.wechat[1].send_xml(xml, user=OPENID).body == "success"  # the turn is RUNNING
    assert time.monotonic() - started < 1
    sent_once(world)
