"""A turn whose holder died is run again by another app on the same store, its reply sent once.

In-process, two apps on one store (SQLite, Redis, Redis Cluster). The dead holder is either a
store left holding a RUNNING record and the turn's lease (it never renews: a process gone
before answering), or app A itself, stopped after it answered `success` at its deadline (its
renewer and courier stop; its worker stays blocked in the backend until the test lets it go).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import uuid
from contextlib import closing

import pytest

from bot.app import bot_of, create_app
from bot.outbound.courier import Courier
from bot.protocol import parse_xml, to_message
from bot.sim.wire.client import PlatformClient
from bot.store import TURN, LeaseLost, MemoryStore, SQLiteStore, open_store
from bot.window.engine import delivery_key
from tests.conftest import TOKEN, stores
from tests.timing import DEADLINE, LEASE, MARGIN, RECHECK, RESCUED
from tests.window_kit import Sink, SlowBackend, SlowCount, slow_catalog

pytestmark = pytest.mark.xdist_group("window")

SECRET = "tick Z9-secret"  # what the follower typed: it must never reach a log


class GateBackend(SlowBackend):
    """A backend whose calls block while `shut` (the holder's worker hangs in it), counted."""

    def __init__(self) -> None:
        super().__init__()
        self.shut, self.entered = threading.Event(), threading.Event()
        self.opened = threading.Event()

    def work(self) -> None:
        super().work()
        if self.shut.is_set():
            self.entered.set()
            assert self.opened.wait(60), "the test never let the stalled worker go"


@pytest.fixture
def shared(store_url, tmp_path, clock):
    """make(name, backend) -> (app, sink, wechat): apps on one store URL, closed at the end."""
    url, made = store_url, []

    def make(name: str, backend: SlowBackend) -> tuple:
        sink = Sink()
        app = create_app({"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path / name),
                          "CLOCK": clock, "BOT_LANG": "en", "FLOWS": [SlowCount],
                          "CATALOG": slow_catalog(), "BACKEND": backend, "BOT_STORE": url,
                          "BOT_REPLY_DEADLINE": DEADLINE, "OUTBOUND_SEND": sink})
        wechat = PlatformClient(app, TOKEN, clock=clock)
        made.append((app, wechat))
        return app, sink, wechat

    yield url, make
    for app, wechat in made:
        wechat.close()
        bot_of(app).close()


def follower() -> str:
    return f"oR{uuid.uuid4().hex[:10]}"  # Redis outlives a test: fresh followers


@stores("sqlite", "redis", "cluster")
def test_rescue_retry_finding_a_dead_holders_turn_gets_success_and_the_reply_is_sent_once(
        shared, clock, caplog):
    url, make = shared
    backend = SlowBackend()
    b, sink, wechat = make("b", backend)
    who = follower()
    assert "count 0" in wechat.text(who, "count").body
    xml = wechat.build("text", who, Content=SECRET)
    key = delivery_key(to_message(parse_xml(xml)))
    dead = open_store(url, clock)  # the instance that took the push, then died mid-turn
    dead.begin(who, key)
    held = dead.lock(who)
    lease = held.__enter__()
    died = time.monotonic()

    with caplog.at_level(logging.DEBUG):
        started = time.monotonic()
        assert wechat.send_xml(xml, user=who).body == "success"  # the retry, within the lease
        assert time.monotonic() - started < MARGIN
        assert wechat.send_xml(xml, user=who).body == "success"  # and one more
        (sent,) = sink.wait(1, RESCUED)
        assert time.monotonic() - died > LEASE - MARGIN  # not while the holder could live
        assert sent == {"touser": who, "msgtype": "text", "text": {"content": "count 1"}}
        time.sleep(RECHECK + 1)  # a second rescue or send would show now
    assert len(sink.bodies) == 1 and backend.calls == 1
    with pytest.raises(LeaseLost):  # the dead holder's late write is fenced off
        dead.save(who, {"flow": "count", "state": "counting", "slots": {"n": 99}}, key, "",
                  900, lease)
    held.__exit__(None, None, None)
    dead.close()
    assert "count 2" in wechat.text(who, "tick").body  # exactly one step was taken
    assert bot_of(b).store.outbox.put(TURN + key, {}) is False  # settled: never owed again
    assert "Z9" not in caplog.text


@stores("sqlite", "redis", "cluster")
def test_rescue_app_dead_after_its_success_has_its_turn_run_by_another_app(shared, caplog):
    _, make = shared
    stalled, backend = GateBackend(), SlowBackend()
    a, sink_a, to_a = make("a", stalled)
    b, sink_b, to_b = make("b", backend)
    who = follower()
    assert "count 0" in to_a.text(who, "count").body
    stalled.shut.set()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        assert to_a.text(who, SECRET).body == "success"  # its deadline passed: owed
        assert time.monotonic() - started < DEADLINE + MARGIN
        assert stalled.entered.is_set()
        a_bot = bot_of(a)  # A "dies": nothing of it renews, sends or rescues any more
        a_bot.courier.close()
        a_bot.engine.window._stop.set()  # noqa: SLF001 - the renewer stops as with kill -9
        a_bot.engine.window._renewer.join(5)  # noqa: SLF001
        died = time.monotonic()

        (sent,) = sink_b.wait(1, RESCUED)
        assert time.monotonic() - died > LEASE - 2 * MARGIN
        assert sent["touser"] == who and sent["text"]["content"] == "count 1"
        stalled.opened.set()  # A's worker comes back to life and tries to save its stale turn
        time.sleep(RECHECK + 1)
    assert sink_a.bodies == [] and len(sink_b.bodies) == 1
    assert stalled.calls == 1 and backend.calls == 1  # A's lost step, B's redo
    assert "count 2" in to_b.text(who, "tick").body  # one step kept, not two
    assert "lost its lease; its work was dropped" in caplog.text
    assert "Z9" not in caplog.text


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize(("verdicts", "settled"), [(["wait", "done"], "sent"),
                                                   (["expired"], "failed")])
def test_rescue_courier_judges_turn_entries_and_never_sends_them(tmp_path, kind, verdicts,
                                                                  settled):
    store = MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "s.sqlite3")
    sends, looks, left = [], [], list(verdicts)
    store.outbox.put(TURN + "m:oU:1", {"user": "oU", "key": "m:oU:1", "at": 0,
                                       "push": {"Content": SECRET}})
    courier = Courier(store.outbox, sends.append, poll=0.05,
                      check=lambda body: looks.append(time.monotonic()) or left.pop(0))
    courier.start()
    try:
        deadline = time.monotonic() + RECHECK + 5
        while store.outbox.counts()[settled] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        courier.close()
    assert sends == [] and left == []  # judged, never sent
    assert store.outbox.counts() == {"owed": 0, "sent": 0, "failed": 0, settled: 1}
    if len(looks) == 2:
        assert looks[1] - looks[0] >= RECHECK - 0.1  # a live holder is not polled in a spin
    if kind == "sqlite":  # a settled entry keeps its key, not what the follower typed
        with closing(sqlite3.connect(tmp_path / "s.sqlite3")) as db:
            assert db.execute("SELECT body FROM outbox").fetchall() == [("{}",)]
    store.close()


@pytest.mark.parametrize(("state", "verdict"), [("running", "wait"), ("owed", "wait"),
                                                ("saved", "done"), ("old", "expired")])
def test_rescue_check_waits_for_a_live_holder_and_drops_what_is_settled(tmp_path, clock, state,
                                                                        verdict):
    sink, backend = Sink(), SlowBackend()
    app = create_app({"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path), "CLOCK": clock,
                      "BOT_LANG": "en", "FLOWS": [SlowCount], "CATALOG": slow_catalog(),
                      "BACKEND": backend, "BOT_STORE": "memory://", "OUTBOUND_SEND": sink})
    engine, rescue = bot_of(app).engine, bot_of(app).rescue
    try:
        who, key = follower(), "m:x:1"
        if state != "old":
            engine.store.begin(who, key)
        if state == "owed":
            engine.store.owe(who, key)
        if state == "saved":
            engine.store.save(who, None, key, "<xml/>", 900)
        at = clock.now() - (rescue.ttl + 1 if state == "old" else 0)
        with PlatformClient(app, TOKEN, clock=clock) as wechat:
            push = parse_xml(wechat.build("text", who, Content="x"))
        body = {"user": who, "key": key, "at": at, "push": push}
        assert rescue.check(body) == verdict
        time.sleep(0.2)
        assert backend.calls == 0 and sink.bodies == []  # nothing was run again
    finally:
        bot_of(app).close()


@stores("memory", "sqlite", "redis", "cluster")
def test_rescue_owe_at_the_deadline_owes_the_turn_with_it(store_url, clock):
    store = open_store(store_url, clock)
    who, turn = follower(), {"user": "u", "key": "k", "at": 0, "push": {}}
    try:
        store.begin(who, f"m:{who}:1")
        assert store.owe(who, f"m:{who}:1", turn) is None
        store.begin(who, f"m:{who}:2")
        store.save(who, None, f"m:{who}:2", "<xml/>", 900)
        assert store.owe(who, f"m:{who}:2", turn) == "<xml/>"  # saved first: nothing owed
        entries = [e for e in store.outbox.claim("c", 50, 30) if who in e.key]
        assert [(e.kind, e.key, e.body) for e in entries] == [("turn", f"{TURN}m:{who}:1", turn)]
    finally:
        store.close()
