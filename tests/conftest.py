"""Shared fixtures: a real app (SQLite store, seeded mock backend), the platform, followers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId
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


PROCESS_FIXTURES = {"served", "redis_process"}  # a test that asks for one starts processes


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that start processes through the shared fixtures are end-to-end (`-m "not e2e"`
    leaves them out); files that start their own say so in `pytestmark`."""
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
    if config.getoption("loadgroup", False):  # an xdist worker under --dist loadgroup
        for item in items:
            _name_its_group(item)


def _name_its_group(item: pytest.Item) -> None:
    """Give a test of an `xdist_group` the `@group` ending by which `--dist loadgroup` keeps the
    group on one worker.

    pytest-xdist 3.8 writes that ending into `item._nodeid`, which pytest 9.2 no longer reads
    (a node's id is `item._id`): the controller saw no group, handed the tests of one group to
    any worker, and timing tests of the window, processes and browser groups ran at once on
    two workers. The ending is xdist's own form (its groups, sorted, joined by `_`); an id that
    has it already (a later xdist) is left alone.
    """
    names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                    for mark in item.iter_markers("xdist_group")})
    nodeid = item.nodeid
    if not names or nodeid.rfind("@") > nodeid.rfind("]"):
        return
    item._id = NodeId.parse(f"{nodeid}@{'_'.join(names)}")


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


@pytest.fixture
def chat_en(make_app, platform_for):
    """Followers of a bot that replies in English (BOT_LANG=en), one Chat per openid."""
    app = make_app(BOT_LANG="en")
    return lambda openid="oEnglish0001": Chat(platform_for(app), openid, bot_of(app).backend)


@pytest.fixture
def chat_in(chat, chat_en):
    """A new follower of the bot speaking `lang` ("zh" or "en"): for one conversation
    parametrized over both languages."""
    return lambda lang: (chat_en if lang == "en" else chat)()


class RedisProcess:
    """A real redis-server without persistence on a loopback port; `restart()` loses its data,
    as a Redis restarted without RDB/AOF does (issue 19 point 2)."""

    DATABASES = 512  # numbered keyspaces: db 0 is shared by the worker's tests, the rest handed
    # out one each by `redis_dbs` (more than a whole run asks for)
    START_TIMEOUT = 10.0  # s for the server to answer PING on a busy machine

    def __init__(self, workdir: Path) -> None:
        import shutil

        self.binary, self.workdir = shutil.which("redis-server"), workdir
        if self.binary is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.port = 0
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        """Start on the port it had, or the first time on a free one; if another process took
        that port in the meantime, on another (the first time only: a restart keeps its port)."""
        from tests.servers import free_port

        for _ in range(1 if self.port else 5):
            port = self.port or free_port()
            if self._serving(port):
                self.port = port
                return self
            self.stop()
        raise RuntimeError(f"redis-server did not start on 127.0.0.1 (port {port})")

    def _serving(self, port: int) -> bool:
        """Start the process on `port`; True once it answers as itself (not another process's
        server that happens to hold the port)."""
        import subprocess
        import time

        import redis

        self.proc = subprocess.Popen(
            [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--databases", str(self.DATABASES),
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + self.START_TIMEOUT
        with redis.Redis(port=port) as client:
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    return client.info("server")["process_id"] == self.proc.pid
                except redis.ConnectionError:
                    time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()


class RedisDbs:
    """Numbered keyspaces on the worker's session server, one per asker, emptied when handed
    out: a test's couriers never read another test's entries, whatever order tests run in."""

    def __init__(self, url: str) -> None:
        from itertools import count

        self.base, self.numbers = url.rsplit("/", 1)[0], count(1)

    def fresh(self) -> str:
        import redis

        number = next(self.numbers)
        if number >= RedisProcess.DATABASES:
            raise RuntimeError(f"more than {RedisProcess.DATABASES - 1} Redis keyspaces asked for")
        url = f"{self.base}/{number}"
        with redis.Redis.from_url(url) as client:
            client.flushdb()
        return url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free loopback port for the session (under pytest-xdist, one for
    each worker); skipped when not installed. Db 0, shared by the worker's tests: keep keys
    apart by a fresh prefix or follower, or ask for `redis_db_url`."""
    server = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def redis_dbs(redis_url) -> RedisDbs:
    """Hands out keyspaces of their own (`redis_dbs.fresh()`), for module-scoped fixtures."""
    return RedisDbs(redis_url)


@pytest.fixture
def redis_db_url(redis_dbs: RedisDbs) -> str:
    """A keyspace of the test's own on the session's Redis, empty."""
    return redis_dbs.fresh()


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server of the test's own, which the test may restart (its data then lost)."""
    server = RedisProcess(tmp_path).start()
    yield server
    server.stop()


STORES = ("memory", "sqlite", "redis")  # `store_url`'s kinds; "cluster" too when asked for


def store_url_of(request: pytest.FixtureRequest, kind: str, where: Path) -> str:
    """The BOT_STORE of a store `kind`: memory, a SQLite file in `where`, a Redis keyspace of
    the test's own (emptied), or the session's Redis Cluster."""
    if kind == "memory":
        return "memory://"
    if kind == "sqlite":
        return f"sqlite:///{where / 'store.sqlite3'}"
    if kind == "redis":
        return request.getfixturevalue("redis_db_url")
    if kind == "cluster":
        return request.getfixturevalue("redis_cluster_url")
    raise ValueError(f"no store kind {kind!r}: one of {', '.join(STORES)}, cluster")


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A BOT_STORE URL, the test run once for each kind of store. A test that wants other kinds
    says so with `@stores("sqlite", "redis", "cluster")` (below); `store_kind` names the kind
    (the test's id shows it too)."""
    return store_url_of(request, request.param, tmp_path)


def stores(*kinds: str) -> pytest.MarkDecorator:
    """`@stores("sqlite", "redis", "cluster")`: run the test on these kinds of `store_url`."""
    return pytest.mark.parametrize("store_url", kinds, indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest, store_url: str) -> str:
    """Which kind `store_url` is this time (memory, sqlite, redis, cluster)."""
    return request.node.callspec.params["store_url"]


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory):
    """Three local Redis Cluster nodes, joined, for the session (under pytest-xdist, three for
    each worker); skipped when not installed."""
    from tests.redis_cluster import missing, start_cluster

    if missing():
        pytest.skip(f"{', '.join(missing())} not installed (apt-get install redis-server "
                    "redis-tools)")
    for tries_left in reversed(range(3)):  # again on other ports, if one was taken meanwhile
        try:
            url, stop = start_cluster(tmp_path_factory.mktemp("redis-cluster"))
            break
        except RuntimeError:
            if not tries_left:
                raise
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def browser():
    """A real headless Chromium and playwright's `expect` (tests/browser.py); skipped without."""
    from tests.browser import launched_chromium

    yield from launched_chromium()
