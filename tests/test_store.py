"""Every store keeps the same promises: delivery records, claims, sessions, fenced FIFO turns."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from contextlib import closing

import pytest

from bot.clock import ManualClock
from bot.store import LEASE, ClaimConflict, LeaseLost, LockTimeout, MemoryStore, SQLiteStore
from bot.store.base import DEDUP_TTL, OWED, RUNNING, SESSION_GRACE

pytestmark = pytest.mark.xdist_group("window")

STORES = ["memory", "sqlite", "redis", "cluster"]


def make_store(request, kind: str, tmp_path, clock=None):
    clock = clock or ManualClock()
    if kind == "memory":
        return MemoryStore(clock)
    if kind == "sqlite":
        return SQLiteStore(tmp_path / "s.sqlite3", clock)
    from bot.store.redis import RedisStore

    url = request.getfixturevalue("redis_url" if kind == "redis" else "redis_cluster_url")
    return RedisStore(url, clock, prefix=f"t{uuid.uuid4().hex[:8]}:")


@pytest.fixture(params=STORES)
def store(request, tmp_path):
    made = make_store(request, request.param, tmp_path)
    yield made
    made.close()


def on_manual_time(store) -> None:
    if not isinstance(store, MemoryStore | SQLiteStore):
        pytest.skip("Redis expires keys on its own clock (see the real-time test below)")


def test_store_saves_session_and_reply_together(store):
    store.save("u1", {"flow": "demo", "state": "ask", "slots": {"n": 1}}, "m:u1:1", "<xml/>", 900)
    assert store.session("u1") == {"flow": "demo", "state": "ask", "slots": {"n": 1}}
    assert store.reply("u1", "m:u1:1") == "<xml/>"
    store.save("u1", None, "m:u1:2", "", 900)
    assert store.session("u1") is None
    assert store.reply("u1", "m:u1:2") == ""


def test_store_session_is_a_copy(store):
    store.save("u1", {"slots": {"n": 1}}, "k", "", 900)
    store.session("u1")["slots"]["n"] = 2
    assert store.session("u1")["slots"]["n"] == 1


def test_store_expired_session_keeps_only_a_marker(store):
    on_manual_time(store)
    store.save("u1", {"at": 5.0, "flow": "bind_card", "slots": {"id": "110105199001011232"}},
               "k", "r", 900)
    store.clock.advance(DEDUP_TTL + 1)
    assert store.reply("u1", "k") is None
    store.clock.advance(900)
    store.prune()
    assert store.session("u1") == {"at": 5.0, "expired": True, "flow": "bind_card"}  # not what
    if isinstance(store, SQLiteStore):  # the row itself, not only what session() shows
        with closing(sqlite3.connect(store.path)) as db:
            assert "110105199001011232" not in str(db.execute("SELECT * FROM sessions").fetchall())
    store.clock.advance(SESSION_GRACE)
    assert store.session("u1") is None


def test_store_claims_a_signed_query_for_one_body(store):
    assert store.claim_request("q:1", "body-a", 300)
    assert store.claim_request("q:1", "body-a", 300)
    assert not store.claim_request("q:1", "body-b", 300)
    on_manual_time(store)
    store.clock.advance(301)
    assert store.claim_request("q:1", "body-b", 300)


def test_store_begin_records_a_delivery_once(store):
    assert store.begin("u1", "m:u1:1", claim=("q:1", "a", 300)) is None
    assert store.begin("u1", "m:u1:1", claim=("q:1", "a", 300)) == RUNNING  # a retry
    with pytest.raises(ClaimConflict):
        store.begin("u1", "m:u1:2", claim=("q:1", "b", 300))
    assert store.reply("u1", "m:u1:2") is None  # a refused body records nothing


def test_store_owed_reply_goes_to_the_outbox_and_retries_get_success(store):
    body = {"touser": "u1", "msgtype": "text", "text": {"content": "hi"}}
    store.begin("u1", "k1")
    assert store.owe("u1", "k1") is None
    assert store.begin("u1", "k1") == OWED
    store.save("u1", {"s": 1}, "k1", "<xml>hi</xml>", 900, owed=body)
    assert store.begin("u1", "k1") == ""  # answered success; the reply went out otherwise
    entries = store.outbox.claim("c1", 10, 30)
    assert [(e.key, e.body) for e in entries] == [("k1", body)]


def test_store_owe_after_the_save_returns_the_reply(store):
    store.begin("u1", "k1")
    store.save("u1", {"s": 1}, "k1", "<xml>hi</xml>", 900, owed={"touser": "u1"})
    assert store.owe("u1", "k1") == "<xml>hi</xml>"
    assert store.outbox.counts()["owed"] == 0


def test_store_outbox_put_is_idempotent_and_settles(store):
    assert store.outbox.put("n:1", {"touser": "u1"})
    assert not store.outbox.put("n:1", {"touser": "u1"})
    (entry,) = store.outbox.claim("c1", 10, 30)
    assert store.outbox.claim("c2", 10, 30) == []  # hidden from others while claimed
    store.outbox.ack(entry)
    assert not store.outbox.put("n:1", {"touser": "u1"})  # sent once means never again
    assert store.outbox.counts() == {"owed": 0, "sent": 1, "failed": 0}


def test_store_outbox_retry_and_fail(store):
    store.outbox.put("n:1", {"touser": "u1"})
    store.outbox.put("n:2", {"touser": "u2"})
    first, second = store.outbox.claim("c1", 10, 30)
    store.outbox.retry(first, 0.2)
    store.outbox.fail(second, "45015")
    assert store.outbox.claim("c1", 10, 30) == []
    time.sleep(0.3)
    (again,) = store.outbox.claim("c1", 10, 30)
    assert (again.key, again.attempts) == ("n:1", 2)
    assert store.outbox.counts()["failed"] == 1


def test_store_outbox_holds_a_followers_later_send_while_an_earlier_one_is_owed(store):
    for key, to in (("a:1", "u1"), ("a:2", "u1"), ("b:1", "u2"), ("a:3", "u1")):
        store.outbox.put(key, {"touser": to})
    store.outbox.put("turn:x", {"user": "u1"})  # an owed turn keeps no order of sends
    first = store.outbox.claim("c1", 10, 30)
    assert sorted(e.key for e in first) == ["a:1", "b:1", "turn:x"]
    head = next(e for e in first if e.key == "a:1")
    store.outbox.retry(head, 0.2, unsure=True)  # backing off: u1's next still waits
    assert store.outbox.claim("c1", 10, 30) == []
    time.sleep(0.6)  # past the retry's delay (and Redis's hand-back of the held ones)
    (again,) = store.outbox.claim("c1", 10, 30)
    assert (again.key, again.unsure) == ("a:1", True)
    store.outbox.ack(again)
    time.sleep(0.6)
    (second,) = store.outbox.claim("c1", 10, 30)
    assert (second.key, second.unsure) == ("a:2", False)
    store.outbox.fail(second, "45015")  # failed for good: it holds nobody back
    time.sleep(0.6)
    assert [e.key for e in store.outbox.claim("c1", 10, 30)] == ["a:3"]


def test_store_outbox_entry_of_a_dead_courier_is_claimed_again(store):
    store.outbox.put("n:1", {"touser": "u1"})
    assert len(store.outbox.claim("dead", 10, 0.3)) == 1
    assert store.outbox.claim("live", 10, 0.3) == []
    time.sleep(0.4)
    assert [e.key for e in store.outbox.claim("live", 10, 0.3)] == ["n:1"]


def test_store_save_inside_the_turn_lets_the_next_one_in(store):
    with store.lock("u1") as lease:
        store.save("u1", {"s": 1}, "k1", "r1", 900, lease)
    with store.lock("u1", timeout=0.5) as lease:
        store.save("u1", {"s": 2}, "k2", "r2", 900, lease)
    assert store.session("u1") == {"s": 2}


def test_store_tokens_only_grow(store):
    tokens = []
    for _ in range(3):
        with store.lock("u1") as lease:
            tokens.append(lease.token)
    assert tokens == sorted(set(tokens))


def test_store_a_stalled_holder_is_passed_over_and_fenced_off(store):
    """The holder stops renewing; the next push gets the turn within a lease, not 30 s."""
    stalled = store.lock("u1")
    old = stalled.__enter__()
    started = time.monotonic()
    with store.lock("u1", timeout=LEASE + 3) as lease:
        waited = time.monotonic() - started
        assert LEASE - 1 < waited < LEASE + 2
        assert not store.renew(old)
        with pytest.raises(LeaseLost):
            store.save("u1", {"s": "stale"}, "k-old", "r", 900, old)
        stalled.__exit__(None, None, None)  # the stalled holder's release ends nothing
        assert store.renew(lease)
        store.save("u1", {"s": "fresh"}, "k-new", "r", 900, lease)
    assert store.session("u1") == {"s": "fresh"}
    assert store.reply("u1", "k-old") is None


def test_store_renewed_lease_is_kept(store):
    with store.lock("u1") as lease:
        for _ in range(2):  # held 1.2 leases in all
            time.sleep(LEASE * 0.6)
            assert store.renew(lease)
        with pytest.raises(LockTimeout):
            with store.lock("u1", timeout=0.2):
                pass
        store.save("u1", {"s": 1}, "k", "r", 900, lease)


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

    def take(n: int) -> None:
        with store.lock("u1"):
            order.append(n)

    with store.lock("u1"):
        threads = []
        for n in range(5):
            t = threading.Thread(target=take, args=(n,))
            t.start()
            threads.append(t)
            time.sleep(0.05)  # let each take its ticket before the next arrives
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
    first.outbox.put("k", {"touser": "u1"})
    first.close()
    second = SQLiteStore(tmp_path / "s.sqlite3")
    assert second.session("u1") == {"state": "ask_name"}
    assert [e.key for e in second.outbox.claim("c", 10, 30)] == ["k"]
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


def test_sqlite_store_files_are_private(tmp_path):
    data = tmp_path / "fresh" / "data"
    store = SQLiteStore(data / "bot.sqlite3")
    store.save("u1", {"s": 1}, "k", "r", 900)
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    for name in ("bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm"):
        assert oct((data / name).stat().st_mode & 0o777) == "0o600", name
    store.close()


def test_store_a_failure_while_waiting_gives_the_ticket_back(store, monkeypatch):
    """Any error in the wait (the store blinking) leaves the line, it does not block it."""
    with store.lock("u1"):
        monkeypatch.setattr(store, "_attempt", lambda *a: (_ for _ in ()).throw(OSError("blip")))
        with pytest.raises(OSError):
            with store.lock("u1"):
                pass
        monkeypatch.undo()
    started = time.perf_counter()
    with store.lock("u1", timeout=1):
        pass
    assert time.perf_counter() - started < 0.2  # not held up by the failed waiter's ticket


def test_redis_store_turn_keys_expire(redis_url):
    from bot.store.redis import TURN_KEY_TTL, RedisStore

    store = RedisStore(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    with store.lock("u1") as lease:
        store.save("u1", {"s": 1}, "k", "r", 900, lease)
    keys = store.db.keys(f"{store.prefix}{{u1}}:*")  # the outbox stream is kept on purpose
    assert keys and all(store.db.pttl(k) > 0 for k in keys), keys  # nothing stays forever
    assert 0 < store.db.pttl(f"{store.prefix}{{u1}}:turn") <= TURN_KEY_TTL
    store.close()


def test_sqlite_store_one_turn_is_three_commits(tmp_path):
    """A push's life on SQLite: the delivery begins, its turn is taken, the turn is saved.

    Each commit syncs the WAL; a second look at the line or a waking courier used to add
    three more per message (profile: 6.0 commits per message, now 3.0).
    """
    store = SQLiteStore(tmp_path / "s.sqlite3", ManualClock())
    commits: list[str] = []
    with store._pool.connection() as conn:  # noqa: SLF001 - the pool lends this one again
        conn.set_trace_callback(lambda sql: sql == "COMMIT" and commits.append(sql))
        assert store.begin("u1", "m:u1:1", ("q:1", "digest", 300)) is None
        with store.lock("u1") as lease:
            store.save("u1", {"flow": "demo"}, "m:u1:1", "<xml/>", 900, lease)
        assert len(commits) == 3
        with store.lock("u1"):  # the next turn is served at once: the line moved on
            pass
    assert store.reply("u1", "m:u1:1") == "<xml/>"
    store.close()


def test_store_outbox_of_an_older_file_gets_the_follower_column(tmp_path):
    """A file from before per-follower order: its owed rows still go out, new ones in order."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE outbox (key TEXT PRIMARY KEY, body TEXT NOT NULL, state TEXT "
                   "NOT NULL, due REAL NOT NULL, until REAL NOT NULL, attempts INTEGER NOT "
                   "NULL, reason TEXT, seq INTEGER NOT NULL)")
        db.execute("INSERT INTO outbox VALUES ('old:1', '{\"touser\": \"u1\"}', 'owed', 0, 0, 0, "
                   "NULL, 1)")
    db.close()
    store = SQLiteStore(path, ManualClock())
    try:
        store.outbox.put("new:1", {"touser": "u1"})
        store.outbox.put("new:2", {"touser": "u1"})
        assert [e.key for e in store.outbox.claim("c1", 10, 30)] == ["old:1", "new:1"]
    finally:
        store.close()


def test_sqlite_store_of_a_file_with_the_older_rowid_tables_serves_as_before(tmp_path):
    """Tables made WITHOUT ROWID in new files only: a file from before keeps its own and
    still claims, records, answers a retry and refuses a reused query the same way."""
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE replies (key TEXT PRIMARY KEY, reply TEXT NOT NULL, "
                   "expires REAL)")
        db.execute("CREATE TABLE inflight (key TEXT PRIMARY KEY, marker TEXT, until REAL)")
        db.execute("CREATE TABLE requests (key TEXT PRIMARY KEY, digest TEXT, expires REAL)")
        db.execute("CREATE TABLE sessions (user TEXT PRIMARY KEY, data TEXT NOT NULL, "
                   "stale REAL, expires REAL)")
        db.execute("CREATE TABLE leases (user TEXT PRIMARY KEY, next INTEGER, serving INTEGER, "
                   "until REAL, skipped TEXT)")
        db.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL)")
    store = SQLiteStore(path, ManualClock())
    try:
        with closing(sqlite3.connect(path)) as db:
            kept = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND sql LIKE '%WITHOUT ROWID%'")]
        assert not {"replies", "inflight", "requests", "sessions", "leases", "kv"} & set(kept)
        begun = store.begin_turn("u1", "m:u1:1", ("q:s:1:n", "d1", 600))
        assert begun.served and begun.record is None
        store.save("u1", {"flow": "demo"}, "m:u1:1", "<xml>1</xml>", 900, begun.lease)
        again = store.begin_turn("u1", "m:u1:1", ("q:s:1:n", "d1", 600))
        assert again.record == "<xml>1</xml>"
        with pytest.raises(ClaimConflict):
            store.begin_turn("u1", "m:u1:2", ("q:s:1:n", "other", 600))
        assert store.begin_turn("u1", "m:u1:3", ("q:s:2:n", "d3", 600)).session == \
            {"flow": "demo"}
    finally:
        store.close()


def test_sqlite_store_makes_its_tables_without_rowid_in_a_new_file(tmp_path):
    store = SQLiteStore(tmp_path / "new.sqlite3", ManualClock())
    store.close()
    with closing(sqlite3.connect(tmp_path / "new.sqlite3")) as db:
        lean = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                         "AND sql LIKE '%WITHOUT ROWID'")}
    assert {"replies", "inflight", "requests", "sessions", "leases", "kv"} <= lean
