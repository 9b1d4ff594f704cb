"""Every store keeps the same promises: retry records, request claims, sessions, FIFO turns."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from bot.clock import ManualClock
from bot.store import ClaimConflict, LockTimeout, MemoryStore, SQLiteStore
from bot.store.base import DEDUP_TTL, SESSION_GRACE


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request, tmp_path):
    clock = ManualClock()
    if request.param == "memory":
        made = MemoryStore(clock)
    elif request.param == "sqlite":
        made = SQLiteStore(tmp_path / "s.sqlite3", clock)
    else:
        from bot.store.redis import RedisStore

        made = RedisStore(request.getfixturevalue("redis_url"), clock,
                          prefix=f"t{uuid.uuid4().hex[:8]}:")
    yield made
    made.close()


def on_manual_time(store) -> None:
    if not isinstance(store, MemoryStore | SQLiteStore):
        pytest.skip("Redis expires keys on its own clock (see the real-time test below)")


def test_store_saves_session_and_reply_together(store):
    store.save("u1", {"flow": "demo", "state": "ask", "slots": {"n": 1}}, "m:u1:1", "<xml/>", 900)
    assert store.session("u1") == {"flow": "demo", "state": "ask", "slots": {"n": 1}}
    assert store.reply("m:u1:1") == "<xml/>"
    store.save("u1", None, "m:u1:2", "", 900)
    assert store.session("u1") is None
    assert store.reply("m:u1:2") == ""


def test_store_session_is_a_copy(store):
    store.save("u1", {"slots": {"n": 1}}, "k", "", 900)
    store.session("u1")["slots"]["n"] = 2
    assert store.session("u1")["slots"]["n"] == 1


def test_store_records_expire(store):
    on_manual_time(store)
    store.save("u1", {"s": 1}, "k", "r", 900)
    store.clock.advance(DEDUP_TTL + 1)
    assert store.reply("k") is None
    assert store.session("u1") == {"s": 1}  # kept past its TTL, to say it expired
    store.clock.advance(900 + SESSION_GRACE)
    assert store.session("u1") is None


def test_store_claims_a_signed_query_for_one_body(store):
    assert store.claim_request("q:1", "body-a", 300)
    assert store.claim_request("q:1", "body-a", 300)
    assert not store.claim_request("q:1", "body-b", 300)
    on_manual_time(store)
    store.clock.advance(301)
    assert store.claim_request("q:1", "body-b", 300)


def test_store_lock_with_a_conflicting_claim_takes_no_turn(store):
    with store.lock("u1", claim=("q:9", "body-a", 300)):
        pass
    with pytest.raises(ClaimConflict):
        with store.lock("u1", claim=("q:9", "body-b", 300)):
            pass
    started = time.perf_counter()
    with store.lock("u1", timeout=1, claim=("q:9", "body-a", 300)):  # the line still moves
        pass
    assert time.perf_counter() - started < 0.2


def test_store_save_inside_the_turn_lets_the_next_one_in(store):
    with store.lock("u1"):
        store.save("u1", {"s": 1}, "k1", "r1", 900)
    with store.lock("u1", timeout=0.5):
        store.save("u1", {"s": 2}, "k2", "r2", 900)
    assert store.session("u1") == {"s": 2}


def test_redis_store_claims_expire_in_real_time(redis_url):
    from bot.store.redis import RedisStore

    store = RedisStore(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    assert store.claim_request("q:1", "a", 1)
    assert not store.claim_request("q:1", "b", 1)
    time.sleep(1.1)
    assert store.claim_request("q:1", "b", 1)
    store.close()


def test_store_turns_are_fifo_per_user(store):
    order: list[int] = []
    started = threading.Event()

    def take(n: int) -> None:
        with store.lock("u1"):
            order.append(n)

    with store.lock("u1"):
        threads = []
        for n in range(5):
            t = threading.Thread(target=take, args=(n,))
            t.start()
            threads.append(t)
            time.sleep(0.02)  # let each take its ticket before the next arrives
        started.set()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]


def test_store_other_users_do_not_wait(store):
    with store.lock("slow-user"):
        started = time.perf_counter()
        with store.lock("quick-user", timeout=1):
            pass
        assert time.perf_counter() - started < 0.2


def test_store_gives_up_a_turn_without_blocking_the_line(store):
    with store.lock("u1"):
        with pytest.raises(LockTimeout):
            with store.lock("u1", timeout=0.05):
                pass
    started = time.perf_counter()
    with store.lock("u1", timeout=1):
        pass
    assert time.perf_counter() - started < 0.2


def test_sqlite_store_state_survives_reopening(tmp_path):
    first = SQLiteStore(tmp_path / "s.sqlite3")
    first.save("u1", {"state": "ask_name"}, "k", "r", 900)
    first.close()
    second = SQLiteStore(tmp_path / "s.sqlite3")
    assert second.session("u1") == {"state": "ask_name"}
    second.close()


def test_sqlite_store_turns_hold_across_connections(tmp_path):
    """Two store objects on one file stand for two worker processes."""
    a, b = SQLiteStore(tmp_path / "s.sqlite3"), SQLiteStore(tmp_path / "s.sqlite3")
    with a.lock("u1"):
        with pytest.raises(LockTimeout):
            with b.lock("u1", timeout=0.1):
                pass
    with b.lock("u1", timeout=1):
        pass
    a.close()
    b.close()
