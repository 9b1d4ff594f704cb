"""Shared fixtures: a real app (SQLite store, seeded mock backend), the platform, followers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from bot import create_app
from bot.app import bot_of
from bot.clock import ManualClock
from bot.sim.wire.client import PlatformClient
from tests.servers import Server

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "testtoken"  # the platform's rule: 3-32 letters and digits
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx0123456789abcdef"
TODAY = date(2026, 11, 22)
SAMPLES = Path(
    os.environ.get("WXBOT_PLATFORM_SAMPLES", ROOT.parent / "shared" / "platform-samples")
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TODAY)  # 10:00 in Shanghai on the fixtures' day


@pytest.fixture
def config(tmp_path: Path, clock: ManualClock) -> dict:
    return {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_APP_ID": APP_ID,
        "BOT_DATA_DIR": str(tmp_path),
        "CLOCK": clock,
    }


@pytest.fixture
def make_app(config: dict) -> Iterator[Callable[..., Flask]]:
    """Apps from the test config with some settings changed (`make_app(BOT_LANG="en")`)."""
    made: list[Flask] = []

    def make(**overrides) -> Flask:
        made.append(create_app({**config, **overrides}))
        return made[-1]

    yield make
    for each in made:
        bot_of(each).close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def bot(app):
    return bot_of(app)


@pytest.fixture
def backend(bot):
    return bot.backend


@pytest.fixture(params=["plaintext", "compat", "safe"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def platform_for() -> Iterator[Callable[..., PlatformClient]]:
    """The platform in front of an app, signing and sealing with that app's own settings."""
    with ExitStack() as opened:
        def client(app: Flask, mode: str = "plaintext", **options) -> PlatformClient:
            cfg = app.config
            options.setdefault("clock", bot_of(app).clock)
            return opened.enter_context(PlatformClient(
                app, cfg["WECHAT_TOKEN"], aes_key=cfg.get("WECHAT_AES_KEY"),
                app_id=cfg.get("WECHAT_APP_ID"), mode=mode, **options))

        yield client


@pytest.fixture
def wechat(app, platform_for):
    return platform_for(app)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """`served(**env)`: a real `wxbot serve` process (test token, own data dir) until the end."""
    from tests.servers import running

    with ExitStack() as started:
        def serve(*args: str, **env: str) -> Server:
            n = len(list(tmp_path.glob("served*.log")))
            env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path / f"served{n}"), **env}
            return started.enter_context(
                running(list(args or ["serve"]), env, tmp_path / f"served{n}.log"))

        yield serve


class Chat:
    """One follower talking to the bot, so tests read like the conversation they check."""

    def __init__(self, wechat: PlatformClient, openid: str, backend) -> None:
        self.wechat, self.openid, self.backend = wechat, openid, backend

    def _reply(self, delivery) -> str:
        assert delivery.status == 200 and delivery.ok, delivery.error
        return delivery.text

    def say(self, text: str) -> str:
        return self._reply(self.wechat.text(self.openid, text))

    def click(self, key: str) -> str:
        return self._reply(self.wechat.click(self.openid, key))

    def send(self, kind: str, **fields) -> str:
        return self._reply(self.wechat.send(kind, self.openid, **fields))

    def sms(self, phone: str) -> str:
        """The latest code the mock backend texted to `phone`."""
        return self.backend.sms_outbox(phone)[-1]["code"]


@pytest.fixture
def chat(wechat: PlatformClient, backend):
    return lambda openid="oAlice0001": Chat(wechat, openid, backend)


class RedisProcess:
    """A real redis-server without persistence on a loopback port; `restart()` loses its data,
    as a Redis restarted without RDB/AOF does (issue 19 point 2)."""

    def __init__(self, workdir: Path) -> None:
        import shutil

        from tests.servers import free_port

        self.binary, self.workdir = shutil.which("redis-server"), workdir
        if self.binary is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> RedisProcess:
        import subprocess
        import time

        import redis

        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.02)
        client.close()
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free loopback port for the session; skipped when not installed."""
    server = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server of the test's own, which the test may restart (its data then lost)."""
    server = RedisProcess(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory):
    """Three local Redis Cluster nodes, joined, for the session; skipped when not installed."""
    from tests.redis_cluster import missing, start_cluster

    if missing():
        pytest.skip(f"{', '.join(missing())} not installed (apt-get install redis-server "
                    "redis-tools)")
    url, stop = start_cluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        yield url
    finally:
        stop()
