"""Life inside the 5-second window, in-process (deadline compressed to 0.5 s), on every store."""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest

from bot.app import bot_of, create_app
from bot.sim.wire.client import PlatformClient
from bot.store import LeaseLost
from bot.window.workers import Window
from tests.conftest import TOKEN, stores
from tests.timing import DEADLINE, LEASE, MARGIN, RENEW_EVERY
from tests.window_kit import Sink, SlowBackend, SlowCount, deliver_three_times, slow_catalog

pytestmark = pytest.mark.xdist_group("window")



@pytest.fixture
def setup(store_url, tmp_path, clock):
    sink, backend = Sink(), SlowBackend()
    config = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path), "CLOCK": clock,
              "BOT_LANG": "en", "FLOWS": [SlowCount], "CATALOG": slow_catalog(),
              "BACKEND": backend, "BOT_REPLY_DEADLINE": DEADLINE, "OUTBOUND_SEND": sink,
              "BOT_STORE": store_url}
    app = create_app(config)
    with PlatformClient(app, TOKEN, clock=clock) as wechat:
        yield bot_of(app), wechat, backend, sink
    bot_of(app).close()


def user() -> str:
    return f"oW{uuid.uuid4().hex[:10]}"  # Redis is shared by the session: fresh followers


@stores("memory", "sqlite", "redis", "cluster")
def test_window_slow_turn_is_answered_success_and_sent_once(setup):
    bot, wechat, backend, sink = setup
    who = user()
    assert wechat.text(who, "count").body != "success"  # fast: the passive reply
    backend.delay = 3 * DEADLINE
    answers = deliver_three_times(wechat, who, "tick", gap=DEADLINE + 0.1)
    assert [body for _, body in answers] == ["success"] * 3
    assert answers[0][0] < DEADLINE + MARGIN
    assert all(elapsed < MARGIN for elapsed, _ in answers[1:])  # retries do not wait
    assert sink.wait(1, backend.delay + 3) and sink.texts() == ["count 1"]
    time.sleep(1)
    assert backend.calls == 1  # three deliveries, one turn
    assert sink.texts() == ["count 1"]
    assert sink.bodies[0]["touser"] == who
    backend.delay = 0
    assert "count 2" in wechat.text(who, "tick").body  # the late one was exactly one step


@stores("memory", "sqlite", "redis", "cluster")
def test_window_fast_reply_is_passive_and_a_retry_gets_it_again(setup):
    bot, wechat, backend, sink = setup
    who = user()
    wechat.text(who, "count")
    answers = deliver_three_times(wechat, who, "tick", gap=0.05)
    assert len({body for _, body in answers}) == 1 and "count 1" in answers[0][1]
    assert backend.calls == 1
    time.sleep(0.6)
    assert sink.bodies == []  # nothing owed


@stores("memory", "sqlite", "redis", "cluster")
def test_window_a_stalled_holder_cannot_write_and_the_next_push_proceeds(setup):
    bot, wechat, backend, sink = setup
    who = user()
    wechat.text(who, "count")
    stalled = bot.store.lock(who)
    old = stalled.__enter__()  # took the turn, then stopped (never renews)
    started = time.monotonic()
    assert wechat.text(who, "tick").body == "success"
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert sink.wait(1, LEASE + 3) and sink.texts() == ["count 1"]
    assert time.monotonic() - started < LEASE + 3  # seconds, not 30
    with pytest.raises(LeaseLost):
        bot.store.save(who, {"flow": "count", "state": "counting", "slots": {"n": 99}},
                       "stale", "", 900, old)
    stalled.__exit__(None, None, None)
    assert bot.store.session(who)["slots"]["n"] == 1
    assert "count 2" in wechat.text(who, "tick").body  # the line moves on


@stores("memory", "sqlite", "redis", "cluster")
def test_window_past_capacity_is_answered_at_once(setup):
    bot, wechat, backend, sink = setup
    bot.engine.window.close()
    bot.engine.window = Window(bot.store, workers=1, backlog=4)
    first, second = user(), user()
    wechat.text(first, "count")
    wechat.text(second, "count")
    backend.delay = 1.5
    answers = {}

    import threading

    def push(who: str) -> None:
        started = time.monotonic()
        answers[who] = (wechat.text(who, "tick").body, time.monotonic() - started)

    hog = threading.Thread(target=push, args=(first,))
    hog.start()
    time.sleep(0.2)
    push(second)
    hog.join(10)
    assert answers[second][0] == "success" and answers[second][1] < 0.3  # at once, no wait
    assert sorted(b["touser"] for b in sink.wait(2, 6)) == sorted([first, second])


@pytest.mark.e2e
def test_window_store_down_says_busy(tmp_path, clock):
    """A Redis that went away: the follower reads "busy", not a silent success."""
    import shutil

    from tests.servers import free_port

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    redis_proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                                  stdout=subprocess.DEVNULL)
    time.sleep(0.3)
    app = create_app({"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path), "CLOCK": clock,
                      "BOT_LANG": "en", "FLOWS": [SlowCount], "CATALOG": slow_catalog(),
                      "BACKEND": SlowBackend(), "BOT_STORE": f"redis://127.0.0.1:{port}/0",
                      "BOT_REPLY_DEADLINE": DEADLINE, "OUTBOUND_SEND": Sink()})
    try:
        with PlatformClient(app, TOKEN, clock=clock) as wechat:
            assert "count 0" in wechat.text("oDown", "count").body
            redis_proc.kill()
            redis_proc.wait(5)
            started = time.monotonic()
            delivery = wechat.text("oDown", "tick")
            assert "busy, try again" in delivery.body
            assert time.monotonic() - started < 4  # within the reply deadline's budget
    finally:
        bot_of(app).close()
        if redis_proc.poll() is None:
            redis_proc.kill()
            redis_proc.wait(5)


def test_window_sweeps_expired_sessions_on_a_timer(tmp_path, clock):
    """Not only every N saves: an idle process still turns expired sessions into markers."""
    import sqlite3
    from contextlib import closing

    from bot.store import SQLiteStore

    store = SQLiteStore(tmp_path / "s.sqlite3", clock)
    store.save("oOld", {"at": clock.now(), "slots": {"name": "张伟"}}, "k", "", 60)
    clock.advance(61)
    window = Window(store, prune_every=0.1)
    try:
        time.sleep(RENEW_EVERY + 1)  # the renewer's round, then the sweep
        with closing(sqlite3.connect(store.path)) as db:
            (data,) = db.execute("SELECT data FROM sessions").fetchone()
        assert "张伟" not in data and '"expired": true' in data
    finally:
        window.close()
        store.close()
