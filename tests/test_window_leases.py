"""Leases under plain load: every reply arrives, and a lease is called lost only when it was.

The renewer looks at every flight each RENEW_EVERY; here it looks every millisecond, so the
moments the benchmark hits a few times a run (a renewal just after the turn's own save) come
up every few turns.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

import pytest

from bot.app import bot_of, create_app
from bot.sim.wire.client import PlatformClient
from bot.store import turns
from bot.window import workers as window
from bot.window.workers import Window
from tests.conftest import TOKEN
from tests.timing import RENEW_FAST
from tests.window_kit import Sink, SlowBackend, SlowCount, slow_catalog

pytestmark = pytest.mark.xdist_group("window")

FOLLOWERS, TICKS, THREADS = 12, 8, 4
WARNED_WITHIN = 3.0  # s the renewer may take to notice a real loss on a loaded machine
OWED_WITHIN = 10.0  # s an owed reply may take to go out through the courier
LOST = "lost its lease"


@pytest.fixture
def setup(store_url, tmp_path, clock, monkeypatch):
    monkeypatch.setattr(window, "RENEW_EVERY", RENEW_FAST)
    sink = Sink()
    config = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path), "CLOCK": clock,
              "BOT_LANG": "en", "FLOWS": [SlowCount], "CATALOG": slow_catalog(),
              "BACKEND": SlowBackend(), "OUTBOUND_SEND": sink, "BOT_STORE": store_url}
    app = create_app(config)
    with PlatformClient(app, TOKEN, clock=clock) as wechat:
        yield bot_of(app), wechat, sink
    bot_of(app).close()


def counts_up(wechat: PlatformClient, who: str) -> list[str]:
    """`who` starts a count and ticks TICKS times; the number each reply shows."""
    assert "count 0" in wechat.text(who, "count").body
    return [wechat.text(who, "tick").body for _ in range(TICKS)]


def fresh(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"  # Redis is shared by the session


def said(body: str) -> str:
    return body.split("<Content><![CDATA[", 1)[-1].split("]]>", 1)[0]


def lost_lease_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if LOST in r.getMessage()]


def test_window_followers_one_after_another_get_every_reply_and_lose_no_lease(setup, caplog):
    bot, wechat, sink = setup
    caplog.set_level(logging.WARNING)
    for n in range(FOLLOWERS):
        replies = counts_up(wechat, fresh(f"oSeq{n}x"))
        assert [said(b) for b in replies] == [f"count {i}" for i in range(1, TICKS + 1)]
    assert sink.bodies == []  # every reply was passive: nothing owed, nothing dropped
    assert lost_lease_logs(caplog) == []


def test_window_followers_at_once_get_every_reply_and_lose_no_lease(setup, caplog):
    bot, wechat, sink = setup
    caplog.set_level(logging.WARNING)
    replies: dict[str, list[str]] = {}

    def follower(n: int) -> None:
        for k in range(FOLLOWERS // THREADS):
            who = fresh(f"oPar{n}x{k}x")
            replies[who] = counts_up(wechat, who)

    threads = [threading.Thread(target=follower, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(replies) == FOLLOWERS
    # A turn past the deadline on a loaded machine is answered `success`, its reply owed.
    late = sum(b == "success" for bodies in replies.values() for b in bodies)
    owed = sink.wait(late, OWED_WITHIN)
    for who, bodies in replies.items():
        shown = [said(b) for b in bodies if b != "success"]
        mine = [b["text"]["content"] for b in owed if b["touser"] == who]
        assert sorted(shown + mine) == sorted(f"count {i}" for i in range(1, TICKS + 1)), who
    assert len(owed) == late  # each owed reply sent once
    assert lost_lease_logs(caplog) == []


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_window_a_running_turn_passed_over_is_reported_once(store, tmp_path, monkeypatch,
                                                            caplog):
    """The other side: a turn still working when the line moves on is said to have lost it."""
    from bot.store import open_store

    monkeypatch.setattr(window, "RENEW_EVERY", RENEW_FAST)
    monkeypatch.setattr(turns, "LEASE", 0.2)  # how long a waiter waits for a silent holder
    caplog.set_level(logging.WARNING)
    db = open_store("memory://" if store == "memory" else f"sqlite:///{tmp_path / 's.db'}")
    who, key = f"oLost{uuid.uuid4().hex[:6]}", "k1"
    assert db.begin(who, key) is None
    pane = Window(db)

    def work(flight: window.Flight) -> str:
        with db.lock(who) as lease:  # takes the turn, then stalls without renewing
            with db.lock(who, timeout=2.0):  # the next in line passes over it
                pass
            flight.lease = lease  # the renewer learns of the lease only now
            deadline = time.monotonic() + WARNED_WITHIN
            while not lost_lease_logs(caplog) and time.monotonic() < deadline:
                time.sleep(0.01)
            return "done"

    try:
        flight = pane.submit(work, who, key)
        assert flight is not None and flight.future.result(WARNED_WITHIN + 3) == "done"
    finally:
        pane.close()
        db.close()
    assert len(lost_lease_logs(caplog)) == 1
