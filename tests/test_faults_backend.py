"""A slow social-security backend over HTTP (issue 19 point 8): the conversation carries on.

The mock backend runs as its own process (`wxbot backend`, slowed through POST
/backend/v1/faults); the bot is a `wxbot serve` process that is also the mock platform API its
owed replies go to (tests/test_faults_outbox.py's `Bot`). A follower binds a card; the bind
step's backend call is made slow.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
import requests

from tests.instances import eventually, people, write_seed
from tests.servers import Server
from tests.test_faults_outbox import HTTP, Bot

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.xdist_group("processes-serve")]
OPENID = "oSlowBackend01"
OWED_WITHIN = 25.0  # s for a 12 s backend call's reply to come through the API


class Backend:
    def __init__(self, stack: ExitStack, tmp) -> None:
        (self.person,) = people(1)
        seed = write_seed(tmp / "seed.yaml", [self.person])
        self.server = Server(["backend", "--data-dir", str(tmp / "backend"), "--seed", str(seed)],
                             {}, tmp / "backend.log").start()
        stack.callback(self.server.stop)
        self.api = f"{self.server.url}/backend/v1"

    def get(self, path: str, **params: str) -> dict:
        return requests.get(f"{self.api}/{path}", params=params, timeout=HTTP).json()

    def slow(self, seconds: float) -> None:
        requests.post(f"{self.api}/faults", json={"delay": seconds, "times": 1},
                      timeout=HTTP).raise_for_status()


def up_to_the_code(bot: Bot, backend: Backend) -> str:
    """The bind flow until it asks for the SMS code; the code."""
    p = backend.person
    for said, asked in (("绑定社保卡", "身份证号"), (p["id_number"], "姓名"), (p["name"], "卡号"),
                        (p["card"], "验证码")):
        assert asked in bot.say(OPENID, said)
    return backend.get("sms", phone=p["phone"])["messages"][-1]["code"]


@pytest.fixture
def world(tmp_path):
    with ExitStack() as stack:
        backend = Backend(stack, tmp_path)
        yield backend, lambda **env: Bot(stack, tmp_path, f"sqlite:///{tmp_path / 's.db'}",
                                         BOT_BACKEND=backend.api, **env)


def test_faults_slow_backend_reply_goes_out_through_the_api(world):
    backend, make_bot = world
    bot = make_bot()
    code = up_to_the_code(bot, backend)
    backend.slow(12.0)  # past the old fixed 10 s read timeout
    assert bot.say(OPENID, code) == ""  # `success`: the reply is owed
    got = eventually(lambda: len(bot.received(OPENID)), 1, OWED_WITHIN, every=1.0)
    assert got == 1, bot.log()[-3000:]
    (reply,) = bot.received(OPENID)
    assert "绑定成功" in reply and "系统繁忙" not in reply
    assert backend.get(f"cards/{backend.person['card']}")["bound_openid"] == OPENID


def test_faults_backend_past_its_timeout_is_told_and_the_step_kept(world):
    backend, make_bot = world
    bot = make_bot(BOT_BACKEND_TIMEOUT="2")
    code = up_to_the_code(bot, backend)
    backend.slow(3.0)
    told = bot.say(OPENID, code)
    assert "响应太慢" in told and "再发一次" in told and "系统繁忙" not in told
    again = eventually(lambda: "绑定成功" in bot.say(OPENID, code), True, 10.0, every=2.0)
    assert again, bot.log()[-3000:]
    assert backend.get(f"cards/{backend.person['card']}")["bound_openid"] == OPENID
