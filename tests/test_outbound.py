"""The bot's outbound client (PlatformAPI) against the mock platform over HTTP: where every
call goes, one shared token, and a retry policy that is bounded."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

from bot import create_app
from bot.clock import ManualClock
from bot.parts import bot_of
from bot.platform import PlatformAPI, PlatformError
from bot.platform.client import CONNECT_TIMEOUT, READ_TIMEOUT
from bot.platform.wechat_api import BACKOFF
from bot.sim.mockplatform import DEMO_APP_ID, DEMO_APP_SECRET
from bot.store.kv import MemoryKV, open_kv
from tests.conftest import stores
from tests.mockplatform import live


@pytest.fixture
def mock(tmp_path, clock):
    with live(tmp_path, clock) as served:
        served.wechat.text("oOut1", "你好")  # opens oOut1's window
        yield served


def api_for(mock, **kwargs) -> PlatformAPI:  # noqa: ANN001
    kwargs.setdefault("clock", mock.clock)
    kwargs.setdefault("kv", MemoryKV(kwargs["clock"]))
    return PlatformAPI(DEMO_APP_ID, DEMO_APP_SECRET, base=mock.base, **kwargs)


def test_every_call_and_the_token_fetch_go_to_the_api_base(mock):
    api = api_for(mock)
    api.send_text("oOut1", "办理进度：已受理")
    assert mock.counter("calls:token") == 1 and mock.counter("calls:custom") == 1
    assert mock.outbound("oOut1")[0]["body"] == {
        "touser": "oOut1", "msgtype": "text", "text": {"content": "办理进度：已受理"}}
    assert api.client.timeout == (CONNECT_TIMEOUT, READ_TIMEOUT)  # never requests' default
    api.close()


def test_the_app_builds_its_platform_client_lazily_from_the_config(mock, tmp_path):
    platform = mock.bot.platform
    assert isinstance(platform, PlatformAPI) and platform._client is None  # noqa: SLF001
    platform.send_text("oOut1", "from the bot")
    assert mock.counter("token_fetches") == 1
    bare = create_app({"WECHAT_TOKEN": "t", "BOT_DATA_DIR": str(tmp_path / "bare")})
    assert bot_of(bare).platform is None
    bot_of(bare).close()


def test_a_refused_token_is_refetched_once_and_the_call_tried_once_more(mock):
    api = api_for(mock)
    api.token()
    mock.fault("custom", 40001, times=1)
    api.send_text("oOut1", "after one refresh")
    assert mock.counter("token_fetches") == 2 and mock.counter("calls:custom") == 2
    assert len(mock.outbound("oOut1")) == 1
    api.close()


def test_a_platform_that_keeps_answering_40001_gets_two_tries_not_a_loop(mock):
    api = api_for(mock)
    mock.fault("custom", 40001, times=100)
    with pytest.raises(PlatformError) as caught:
        api.send_text("oOut1", "never")
    assert caught.value.errcode == 40001 and not caught.value.retryable
    assert mock.counter("token_fetches") == 2 and mock.counter("calls:custom") == 2
    api.close()


@pytest.mark.parametrize("code", [42001, 40014])
def test_an_expired_token_is_refreshed_once(tmp_path, clock, code):
    with live(tmp_path, clock, BOT_SIM_EXPIRED_ERRCODE=code) as served:
        served.wechat.text("oOut1", "你好")
        api = api_for(served, clock=ManualClock(clock.now()))  # its own clock: no early refresh
        api.token()
        clock.advance(7200)
        api.send_text("oOut1", "after expiry")
        assert served.counter("token_fetches") == 2 and served.counter("calls:custom") == 2
        api.close()


def test_the_cache_refreshes_before_expiry_on_its_clock(mock):
    api = api_for(mock)
    first = api.token()
    mock.clock.advance(7200 - 301)
    assert api.token() == first
    mock.clock.advance(2)  # inside the last 5 minutes: a new token, the old one still works
    assert api.token() != first and mock.counter("token_fetches") == 2
    api.close()


def test_a_busy_platform_is_retried_with_backoff(mock):
    pauses: list[float] = []
    api = api_for(mock, sleep=pauses.append)
    mock.fault("custom", -1, times=2)
    api.send_text("oOut1", "third time")
    assert pauses == list(BACKOFF[:2]) and mock.counter("calls:custom") == 3
    api.close()


def test_retries_stop_at_the_budget(mock):
    pauses: list[float] = []
    api = api_for(mock, sleep=pauses.append, budget=1.0)
    mock.fault("custom", -1, times=100)
    with pytest.raises(PlatformError) as caught:
        api.send_text("oOut1", "never")
    assert caught.value.errcode == -1 and caught.value.retryable
    assert sum(pauses) <= 1.0 and mock.counter("calls:custom") == len(pauses) + 1
    api.close()


def test_a_wrong_secret_is_one_fetch_and_no_retry(mock):
    api = PlatformAPI(DEMO_APP_ID, "x" * len(DEMO_APP_SECRET), base=mock.base, kv=MemoryKV())
    with pytest.raises(PlatformError) as caught:
        api.send_text("oOut1", "never")
    assert caught.value.errcode == 40001 and mock.counter("calls:token") == 1
    api.close()


def test_network_failures_are_retried_within_the_budget(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens here once the block ends
    api = PlatformAPI(DEMO_APP_ID, DEMO_APP_SECRET, base=f"http://127.0.0.1:{port}/cgi-bin/",
                      kv=MemoryKV(), budget=0.8)
    started = time.monotonic()
    with pytest.raises(PlatformError) as caught:
        api.send_text("oOut1", "nobody home")
    assert caught.value.errcode is None and caught.value.retryable
    assert 0.7 <= time.monotonic() - started < 5.0  # backoff 0.2 + 0.5, then the budget ends
    api.close()


def test_a_platform_that_never_answers_hits_the_read_timeout():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepts connections, never answers
        base = f"http://127.0.0.1:{silent.getsockname()[1]}/cgi-bin/"
        api = PlatformAPI(DEMO_APP_ID, DEMO_APP_SECRET, base=base, kv=MemoryKV(), budget=0,
                          timeout=(1.0, 0.5))
        started = time.monotonic()
        with pytest.raises(PlatformError) as caught:
            api.token()
        assert "Timeout" in caught.value.errmsg and time.monotonic() - started < 3.0
        api.close()


@stores("sqlite", "redis")  # Redis: a keyspace of the test's own, so no earlier token
def test_instances_sharing_a_store_fetch_one_token(mock, store_url):
    apis = [PlatformAPI(DEMO_APP_ID, DEMO_APP_SECRET, base=mock.base, store=store_url,
                        clock=mock.clock) for _ in range(4)]
    barrier = threading.Barrier(len(apis))
    tokens: list[str] = []

    def fetch(api: PlatformAPI) -> None:
        barrier.wait()
        tokens.append(api.token())

    threads = [threading.Thread(target=fetch, args=(api,)) for api in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(tokens) == 4 and len(set(tokens)) == 1
    assert mock.counter("token_fetches") == 1
    for api in apis:
        api.close()


SEND = """
import sys
from bot.platform import PlatformAPI
api = PlatformAPI(sys.argv[1], sys.argv[2], base=sys.argv[3], store=sys.argv[4])
api.send_text("oOut1", "from process " + sys.argv[5])
api.close()
"""


@pytest.mark.e2e
def test_two_processes_share_one_token_through_the_store(mock, tmp_path):
    store = f"sqlite:///{tmp_path / 'procs.sqlite3'}"
    procs = [subprocess.Popen([sys.executable, "-c", SEND, DEMO_APP_ID, DEMO_APP_SECRET,
                               mock.base, store, str(n)]) for n in range(2)]
    assert [p.wait(60) for p in procs] == [0, 0]
    assert mock.counter("token_fetches") == 1
    assert sorted(m["body"]["text"]["content"] for m in mock.outbound("oOut1")) == [
        "from process 0", "from process 1"]


def test_kv_add_is_a_mutex_and_delete_checks_the_holder(store_url, store_kind):
    clock = ManualClock()
    kv = open_kv(store_url, clock)
    assert kv.add("m", "a", 30) and not kv.add("m", "b", 30)
    kv.delete("m", "b")  # not the holder: nothing happens
    assert kv.get("m") == "a"
    kv.delete("m", "a")
    assert kv.get("m") is None and kv.add("m", "b", 30)
    kv.set("t", "v", 10)
    assert kv.get("t") == "v"
    if store_kind != "redis":  # Redis expires by its own clock
        clock.advance(31)
        assert kv.get("m") is None and kv.add("m", "c", 30)
    kv.close()


def test_a_fetch_mutex_left_by_a_dead_process_lapses_and_a_waiter_fetches():
    from bot.platform.tokens import FETCH_LOCK_TTL, TokenCache

    clock, fetched = ManualClock(), []
    kv = MemoryKV(clock)
    kv.add("token-fetch:wxA", "dead-holder", FETCH_LOCK_TTL)  # took the mutex, then kill -9
    cache = TokenCache(kv, "wxA", lambda: fetched.append(1) or ("T1", 7200), clock, wait=5.0)
    got: list[str] = []
    waiter = threading.Thread(target=lambda: got.append(cache.get()))
    waiter.start()
    time.sleep(0.2)
    assert got == [] and fetched == []  # waiting for the holder, not fetching beside it
    clock.advance(FETCH_LOCK_TTL)
    waiter.join(5)
    assert got == ["T1"] and fetched == [1]


def test_a_fetch_that_ends_just_before_the_mutex_is_taken_is_not_repeated():
    from bot.platform.tokens import TokenCache

    clock, fetched = ManualClock(), []
    kv = MemoryKV(clock)
    first = TokenCache(kv, "wxC", lambda: fetched.append("first") or ("T1", 7200), clock)
    second = TokenCache(kv, "wxC", lambda: fetched.append("second") or ("T2", 7200), clock)
    add = kv.add

    def add_after_the_first_fetch(key: str, value: str, ttl: float) -> bool:
        if key.startswith("token-fetch:") and not fetched:  # `second` looked: no token yet
            kv.add = add
            assert first.get() == "T1"  # ...and `first` fetched and let go of the mutex
        return add(key, value, ttl)

    kv.add = add_after_the_first_fetch
    assert second.get() == "T1" and fetched == ["first"]


def test_a_waiter_gives_up_after_its_wait():
    from bot.platform.tokens import TokenCache

    clock = ManualClock()
    kv = MemoryKV(clock)
    kv.add("token-fetch:wxB", "slow-holder", 60)
    cache = TokenCache(kv, "wxB", lambda: ("never", 7200), clock, wait=0.3)
    started = time.monotonic()
    with pytest.raises(PlatformError, match="took over 0.3 s"):
        cache.get()
    assert 0.3 <= time.monotonic() - started < 2.0


def test_a_token_fault_is_retried_like_any_busy_answer(mock):
    pauses: list[float] = []
    api = api_for(mock, sleep=pauses.append)
    mock.fault("token", -1, times=1)
    api.send_text("oOut1", "after a busy token fetch")
    assert pauses == [BACKOFF[0]] and mock.counter("token_fetches") == 1
    api.close()


def test_a_silent_redis_fails_a_kv_read_after_the_socket_timeout():
    import redis

    from bot.store.kv_redis import REDIS_SOCKET_TIMEOUT, RedisKV

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepts, never answers
        kv = RedisKV(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        with pytest.raises(redis.TimeoutError):
            kv.get("token:wx")
        assert REDIS_SOCKET_TIMEOUT <= time.monotonic() - started < REDIS_SOCKET_TIMEOUT + 2
        kv.close()
