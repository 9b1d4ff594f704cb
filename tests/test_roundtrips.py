"""A push costs two store round trips (begin, save) and says a deferred notice exactly once.

Counted, not assumed: SQLite transactions and reads by a trace on every connection of the
store's and the KV's pools; Redis commands by the server (INFO commandstats) and by MONITOR.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from bot.outbound.deferred import Deferred
from bot.parts import bot_of
from bot.store import BoundQuery, SQLiteStore
from tests.conftest import Chat

BACKGROUND = ("wxbot-renewer", "wxbot-checkpoint", "wxbot-courier")  # not the push's trips
STEPS = ["绑定社保卡", "你好", "查询进度", "取消", "菜单"]


class Trips:
    """Every transaction and every read outside one, on the given SQLite pools' connections."""

    def __init__(self, *pools) -> None:  # noqa: ANN002
        self.transactions, self.reads, self.writes = 0, 0, 0
        self._guard = threading.Lock()
        for pool in pools:
            setup = pool.setup
            pool.setup = lambda conn, setup=setup: (setup(conn), self._trace(conn))
            for conn in list(pool._all):  # noqa: SLF001 - the connections opened already
                self._trace(conn)

    def _trace(self, conn) -> None:  # noqa: ANN001
        conn.set_trace_callback(lambda sql: self._seen(conn, sql))

    def _seen(self, conn, sql: str) -> None:  # noqa: ANN001
        if threading.current_thread().name.startswith(BACKGROUND) or sql.startswith("PRAGMA"):
            return
        with self._guard:
            if sql.startswith("BEGIN"):
                self.transactions += 1
            elif sql.startswith(("INSERT", "UPDATE", "DELETE")):
                self.writes += 1
            elif sql.startswith("SELECT") and not conn.in_transaction:
                self.reads += 1

    def trips(self) -> int:
        return self.transactions + self.reads


def test_a_push_is_two_sqlite_round_trips_with_a_deferred_notice_said(make_app, platform_for):
    app = make_app()
    bot = bot_of(app)
    engine = bot.engine
    alice = Chat(platform_for(app), "oAliceTrips01", bot.backend)
    alice.say("你好")  # connections open, the language stage built
    engine.deferred.add("oAliceTrips01", "R20261122-0042", "approved")
    trips = Trips(bot.store._pool, engine.deferred.kv._pool)  # noqa: SLF001
    replies = [alice.say(text) for text in STEPS]
    assert trips.transactions == 2 * len(STEPS), vars(trips)
    assert trips.reads == 0, vars(trips)  # the session, hand-over state and notices: in begin
    assert sum("R20261122-0042" in reply for reply in replies) == 1
    assert "R20261122-0042" in replies[0]


def test_sqlite_store_begin_turn_and_save_are_two_commits(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    trips = Trips(store._pool)  # noqa: SLF001
    for n in range(3):
        begun = store.begin_turn("u1", f"m:u1:{n}", (f"q:{n}", "digest", 300),
                                 ("notice:deferred:{u1}", "notice:said:{u1}"))
        assert begun.served and begun.record is None
        with store.hold(begun) as lease:
            store.save("u1", {"flow": "demo", "n": n}, f"m:u1:{n}", "<xml/>", 900, lease,
                       said=("notice:said:{u1}", [f"R{n}:approved"], 60))
    assert (trips.transactions, trips.reads) == (6, 0)
    assert store.look("u1", ("notice:said:{u1}",))[1]["notice:said:{u1}"] == \
        '["R0:approved", "R1:approved", "R2:approved"]'
    store.close()


def _redis_turn(store, user: str, key: str, claim) -> None:  # noqa: ANN001
    begun = store.begin_turn(user, key, claim, Deferred(None).reads_for(user))  # type: ignore[arg-type]
    with store.hold(begun) as lease:
        store.save(user, {"flow": "demo"}, key, "<xml/>", 900, lease,
                   said=Deferred(None).marks(user, [("R1", "approved")]))  # type: ignore[arg-type]


def _monitored(redis_url: str, prefix: str, work) -> list[str]:  # noqa: ANN001
    """The commands clients sent naming `prefix`'s keys while `work()` ran (not a script's)."""
    import redis

    admin = redis.Redis.from_url(redis_url, decode_responses=True)
    sent, done = [], f"done-{uuid.uuid4().hex}"
    with admin.monitor() as monitor:
        def listen() -> None:
            while True:
                command = monitor.next_command()
                if done in command["command"]:
                    return
                if command["client_type"] != "lua" and prefix in command["command"]:
                    sent.append(command["command"].split()[0])  # the client's, not a script's

        listener = threading.Thread(target=listen)
        listener.start()
        time.sleep(0.2)  # MONITOR is on before the first push
        work()
        redis.Redis.from_url(redis_url).echo(done)
        listener.join(10)
    admin.close()
    return sent


def test_redis_a_push_is_two_script_calls_and_nothing_else(redis_url):
    from bot.store.redis import RedisStore

    store = RedisStore(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    _redis_turn(store, "u1", "warm:u1", ("q:warm", "d", 300))  # scripts loaded, pool open

    def pushes() -> None:
        for n in range(5):
            _redis_turn(store, "u1", f"m:u1:{n}", (f"q:{n}", "d", 300))

    sent = _monitored(redis_url, store.prefix, pushes)
    assert sent == ["EVALSHA"] * 10, sent
    said = store.look("u1", (Deferred.said_key("u1"),))[1]
    assert said == {Deferred.said_key("u1"): '["R1:approved"]'}  # once
    store.close()


def _body(user: str, text: str) -> dict:
    return {"touser": user, "msgtype": "text", "text": {"content": text}}


def _api_turn(store, user: str, key: str, said: str = "") -> None:  # noqa: ANN001
    """A turn whose answer goes through the API (a transfer, an event): its send in the save."""
    begun = store.begin_turn(user, key, (BoundQuery(f"q:{key}"), "d", 300))  # safe mode
    said = said or key
    with store.hold(begun) as lease:
        store.save(user, {"flow": "demo"}, key, "", 900, lease,
                   sends=((f"say:{said}", _body(user, f"said {said}")),))


def _owed_turn(store, user: str, key: str) -> None:  # noqa: ANN001
    """A turn that missed the window: the deadline owes it (and the push), its save the reply."""
    begun = store.begin_turn(user, key, (BoundQuery(f"q:{key}"), "d", 300))  # safe mode
    assert store.owe(user, key, {"user": user, "key": key, "push": {}, "at": 0}) is None
    with store.hold(begun) as lease:
        store.save(user, {"flow": "demo"}, key, "<xml/>", 900, lease,
                   owed=_body(user, f"owed {key}"))


def _drained(store) -> list[tuple[str, str]]:  # noqa: ANN001
    """Every owed entry, claimed in the order a courier may send them: (key, text or user)."""
    found = []
    for _ in range(50):
        claimed = store.outbox.claim("check", 100, 60)
        if not claimed and not store.outbox.counts()["owed"]:
            return found
        for entry in claimed:
            found.append((entry.key, entry.body.get("text", {}).get("content", entry.body.get(
                "user"))))
            store.outbox.ack(entry)
        time.sleep(0.1 if not claimed else 0)  # an entry handed back behind its follower's
    raise AssertionError(f"the outbox did not drain: {found}")


def test_redis_api_sends_and_owed_replies_are_put_by_the_turns_own_scripts(redis_url):
    """A send through the API: begin and save, two calls (it was three, the put apart). An
    owed reply: begin, the deadline's owe (with the owed turn), save (with the reply): three,
    as SQLite's three transactions (it was six: a put for the turn, then the save left the
    reply SENDING and a put and a SET finished it). Every entry is in the outbox once."""
    from bot.store.redis import RedisStore

    store = RedisStore(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    _owed_turn(store, "u1", "warm:u1")  # scripts loaded (a first call loads one), pool open
    _drained(store)
    sent = _monitored(redis_url, store.prefix,
                      lambda: [_api_turn(store, "oApi1", f"m:api:{n}") for n in range(3)])
    assert sent == ["EVALSHA"] * 6, sent
    sent = _monitored(redis_url, store.prefix,
                      lambda: [_owed_turn(store, "oOwed1", f"m:owed:{n}") for n in range(3)])
    assert sent == ["EVALSHA"] * 9, sent
    assert all(store.reply(user, key) == "" for user, key in
               [("oApi1", f"m:api:{n}") for n in range(3)] +
               [("oOwed1", f"m:owed:{n}") for n in range(3)])
    drained = _drained(store)
    assert sorted(drained) == sorted(
        [(f"say:m:api:{n}", f"said m:api:{n}") for n in range(3)] +
        [(f"m:owed:{n}", f"owed m:owed:{n}") for n in range(3)] +
        [(f"turn:m:owed:{n}", "oOwed1") for n in range(3)])
    for user in ("oApi1", "oOwed1"):  # each follower's sends in the order their turns made
        theirs = [text for key, text in drained if not key.startswith("turn:") and user[1:4]
                  .lower() in key]
        assert theirs == sorted(theirs), drained
    _api_turn(store, "oApi1", "m:api:again", "m:api:0")  # a turn done again: sent once
    assert store.outbox.counts()["owed"] == 0
    store.close()


def test_redis_a_turn_that_lost_its_lease_owes_no_send(redis_url):
    """The send goes in after the lease check, in the same script: a stalled turn whose work
    is dropped leaves nothing in the outbox (the put came first, apart, before)."""
    from bot.store import LeaseLost
    from bot.store.base import Lease
    from bot.store.redis import RedisStore

    store = RedisStore(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    begun = store.begin_turn("oStall", "m:stall:1")
    with store.hold(begun):
        pass  # the turn ended; a holder still thinking it has it saves now
    with pytest.raises(LeaseLost):
        store.save("oStall", {"flow": "demo"}, "m:stall:1", "", 900, Lease("oStall",
                   begun.ticket), sends=(("say:m:stall:1", _body("oStall", "late")),))
    assert store.outbox.counts()["owed"] == 0
    store.close()


def test_redis_cluster_a_follower_turn_reads_and_marks_in_one_slot(redis_cluster_url):
    from bot.store.redis import RedisStore

    store = RedisStore(redis_cluster_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    deferred = Deferred(None)  # type: ignore[arg-type]
    for n in range(3):  # a cross-slot key would raise CROSSSLOT here
        _redis_turn(store, "oCluster1", f"m:{n}", (f"q:{uuid.uuid4().hex}", "d", 300))
    said = store.look("oCluster1", deferred.reads_for("oCluster1"))[1]
    assert said[deferred.said_key("oCluster1")] == '["R1:approved"]'
    assert store.begin_turn("oCluster1", "m:0").record == "<xml/>"
    store.close()


def _cluster_calls(store, work) -> list[str]:  # noqa: ANN001
    """The commands the store sent to the cluster while `work()` ran, each checked against the
    nodes' own count of EVALSHA (INFO commandstats, which also counts a script's commands)."""
    import redis

    admins = [redis.Redis(host=node.host, port=node.port, decode_responses=True)
              for node in store.db.get_nodes()]
    for admin in admins:
        admin.config_resetstat()
    sent: list[str] = []
    send = store.db.execute_command

    def counted(*args, **options):  # noqa: ANN002, ANN003, ANN202
        sent.append(str(args[0]).upper())
        return send(*args, **options)

    store.db.execute_command = counted
    try:
        work()
    finally:
        del store.db.execute_command
    ran = sum(int(admin.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))
              for admin in admins)
    for admin in admins:
        admin.close()
    assert ran == sent.count("EVALSHA"), (ran, sent)
    return sent


def test_redis_cluster_a_safe_mode_push_is_two_calls_its_claim_in_the_followers_slot(
        redis_cluster_url):
    """In safe mode the query is bound to its follower (BoundQuery): its claim goes in the
    follower's slot, inside begin_turn, and it still refuses the query with another body."""
    from bot.store import ClaimConflict
    from bot.store.redis import RedisStore

    store = RedisStore(redis_cluster_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    _redis_turn(store, "oSafe1", "warm", (BoundQuery("q:warm"), "d", 300))
    _redis_turn(store, "oSafe1", "warm2", ("q:warm2", "d", 300))  # CLAIM loaded too
    bound = [BoundQuery(f"q:{uuid.uuid4().hex}") for _ in range(3)]
    calls = _cluster_calls(store, lambda: [_redis_turn(store, "oSafe1", f"m:{n}", (query, "d",
                                                       300)) for n, query in enumerate(bound)])
    assert calls == ["EVALSHA"] * 6, calls
    plain = _cluster_calls(store, lambda: [_redis_turn(store, "oSafe1", f"p:{n}", (
        f"q:{uuid.uuid4().hex}", "d", 300)) for n in range(3)])
    assert plain == ["EVALSHA"] * 9, plain  # compat and plaintext: the claim in a call apart
    assert store.begin_turn("oSafe1", "m:0", (bound[0], "d", 300)).record == "<xml/>"  # retry
    with pytest.raises(ClaimConflict):  # the same query, another body
        store.begin_turn("oSafe1", "m:other", (bound[0], "other", 300))
    assert store.begin_turn("oSafe1", "m:other").record is None  # nothing begun by the refusal
    store.close()


def test_redis_cluster_api_sends_and_owed_replies_are_owed_in_the_turns_own_scripts(
        redis_cluster_url):
    """On a cluster too: the entries are pended in the follower's slot by the turn's scripts
    (the outbox's slot is another), and the courier's claim moves them, in order, once."""
    from bot.store.redis import RedisStore

    store = RedisStore(redis_cluster_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    _owed_turn(store, "u1", "warm:u1")  # scripts loaded (a first call loads one), pool open
    _api_turn(store, "u1", "warm:u2")
    _drained(store)
    sent = _cluster_calls(store, lambda: [_api_turn(store, "oApi1", f"m:api:{n}")
                                          for n in range(3)])
    assert sent == ["EVALSHA"] * 6, sent
    sent = _cluster_calls(store, lambda: [_owed_turn(store, "oOwed1", f"m:owed:{n}")
                                          for n in range(3)])
    assert sent == ["EVALSHA"] * 9, sent
    assert store.db.llen(store.outbox.pending("oOwed1")) == 6  # owed with the turn, not moved
    drained = _drained(store)
    assert sorted(drained) == sorted(
        [(f"say:m:api:{n}", f"said m:api:{n}") for n in range(3)] +
        [(f"m:owed:{n}", f"owed m:owed:{n}") for n in range(3)] +
        [(f"turn:m:owed:{n}", "oOwed1") for n in range(3)])
    sends = [text for key, text in drained if not key.startswith("turn:")]
    assert [t for t in sends if "api" in t] == sorted(t for t in sends if "api" in t)
    assert [t for t in sends if "owed" in t] == sorted(t for t in sends if "owed" in t)
    assert not store.db.exists(store.outbox.pending("oOwed1"), store.outbox.pending("oApi1"))
    _api_turn(store, "oApi1", "m:api:again", "m:api:0")  # a turn done again: sent once
    assert store.outbox.counts()["owed"] == 0
    store.close()


def test_redis_cluster_entries_pended_by_a_dead_process_are_swept(redis_cluster_url):
    """Another process's claim finds them (its courier never ran: killed), one sweep later."""
    from bot.store.redis import RedisStore

    prefix = f"t{uuid.uuid4().hex[:8]}:"
    dead, alive = RedisStore(redis_cluster_url, prefix=prefix), None
    for n in range(3):
        _api_turn(dead, f"oGone{n}", f"m:gone:{n}")
    try:
        alive = RedisStore(redis_cluster_url, prefix=prefix)
        assert sorted(_drained(alive)) == [(f"say:m:gone:{n}", f"said m:gone:{n}")
                                           for n in range(3)]
        assert dead.outbox.counts()["owed"] == 0  # moved by the other: nothing twice
        assert alive.outbox.counts()["owed"] == 0
    finally:
        dead.close()
        if alive is not None:
            alive.close()


def test_redis_cluster_a_failing_move_does_not_stop_the_claims(redis_cluster_url,
                                                                 monkeypatch):
    """A node that cannot be read (here: every move fails) leaves its followers' entries
    pended for a later claim; the entries already in the outbox are still claimed."""
    import redis

    from bot.store.redis import RedisStore

    store = RedisStore(redis_cluster_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    _api_turn(store, "oStuck1", "m:stuck:1")
    store.outbox.put("notice:1", _body("oOther1", "a notice"))
    real = store.outbox._move  # noqa: SLF001

    def failing(user: str) -> int:
        raise redis.ConnectionError("node down")

    monkeypatch.setattr(store.outbox, "_move", failing)
    assert [e.key for e in store.outbox.claim("c", 10, 60)] == ["notice:1"]
    monkeypatch.setattr(store.outbox, "_move", real)
    assert [e.key for e in store.outbox.claim("c", 10, 60)] == ["say:m:stuck:1"]
    store.close()


def test_a_deferred_notice_is_said_once_by_two_instances_racing(make_app, platform_for):
    """Two apps on one store file; the follower's pushes reach both at once, round after round,
    while a courier keeps deferring more notices: each notice is said exactly once."""
    first, second = make_app(), make_app()
    bots = [bot_of(first), bot_of(second)]
    chats = [Chat(platform_for(app), "oRacer000001", bot.backend)
             for app, bot in zip((first, second), bots, strict=True)]
    refs = [f"R20261122-{n:04d}" for n in range(12)]
    said: list[str] = []

    def push(chat: Chat, text: str) -> None:
        said.append(chat.say(text))

    for n, ref in enumerate(refs):
        assert bots[n % 2].engine.deferred.add("oRacer000001", ref, "approved")
        threads = [threading.Thread(target=push, args=(chat, f"你好{n}{i}"))
                   for i, chat in enumerate(chats)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    counted = {ref: sum(reply.count(ref) for reply in said) for ref in refs}
    assert counted == dict.fromkeys(refs, 1), counted
    assert len(said) == 2 * len(refs)


def test_said_marks_survive_a_courier_change_made_meanwhile(tmp_path):
    """The courier rewrites the list while a turn says it: the said mark still hides it."""
    from bot.store.kv_sqlite import SQLiteKV

    store = SQLiteStore(tmp_path / "s.sqlite3")
    deferred = Deferred(SQLiteKV(tmp_path / "s.sqlite3"))
    deferred.add("oA", "R1", "approved")
    msg_reads = deferred.reads_for("oA")
    begun = store.begin_turn("oA", "m:1", None, msg_reads)
    due = [n for n in deferred._unsaid(*(begun.kv[k] for k in msg_reads))]  # noqa: SLF001
    assert due == [("R1", "approved")]
    deferred.add("oA", "R2", "rejected")  # the courier, between the turn's reads and its save
    with store.hold(begun) as lease:
        store.save("oA", None, "m:1", "", 900, lease, said=deferred.marks("oA", due))
    assert deferred._read("oA") == [("R2", "rejected")]  # noqa: SLF001
    deferred.add("oA", "R1", "approved")  # heard again: said already, never again
    assert deferred._read("oA") == [("R2", "rejected")]  # noqa: SLF001
    deferred.kv.close()
    store.close()


@pytest.mark.parametrize("kind", ["sqlite", "redis", "cluster"])
def test_kill_9_during_saves_loses_and_doubles_nothing(kind, tmp_path, request):
    """A process owes replies (its deadline passed) and saves turns in a loop; kill -9 at
    random moments, again and again. Afterwards every delivery is either settled with its
    owed send in the outbox exactly once, or still unsettled (a retry or the rescue redoes
    it) with none; what a look by the rescue finishes counts as settled. On a cluster the
    killed process's courier never moved what its saves pended: another's claim sweeps."""
    import os
    import signal
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 's.sqlite3'}" if kind == "sqlite" else \
        request.getfixturevalue("redis_url" if kind == "redis" else "redis_cluster_url")
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    script = KILL_CHILD.format(url=url, prefix=prefix)
    for round_ in range(4):
        child = subprocess.Popen([sys.executable, "-c", script, str(round_)],
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.03 * round_)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    store = _open(url, prefix)
    try:
        keys = [f"m:{r}:{n}" for r in range(4) for n in range(400)]
        # The rescue's look at each delivery (it finishes a put the save left to do).
        settled = {key for key in keys if store.reply(key.split(":")[1], key) == ""}
        counted: dict[str, int] = {}
        for body in _owed_bodies(store):
            counted[body["text"]["content"]] = counted.get(body["text"]["content"], 0) + 1
        assert settled and all(n == 1 for n in counted.values()), counted  # nothing doubled
        assert set(counted) == settled  # nothing lost, nothing owed for an unsaved turn
    finally:
        store.close()


KILL_CHILD = """
import sys
from bot.store import open_store
from bot.store.redis import RedisStore

url, prefix, round_ = {url!r}, {prefix!r}, sys.argv[1]
store = RedisStore(url, prefix=prefix) if url.startswith("redis") else open_store(url)
print("ready", flush=True)
for n in range(400):
    key, user = f"m:{{round_}}:{{n}}", round_
    begun = store.begin_turn(user, key, None, ())
    store.owe(user, key)
    with store.hold(begun) as lease:
        store.save(user, {{"flow": "demo"}}, key, "<xml/>", 900, lease,
                   owed={{"touser": "o" + key, "msgtype": "text", "text": {{"content": key}}}})
"""


def _open(url: str, prefix: str):  # noqa: ANN202
    if url.startswith("redis"):
        from bot.store.redis import RedisStore

        return RedisStore(url, prefix=prefix)
    from bot.store import open_store

    return open_store(url)


def _owed_bodies(store) -> list[dict]:  # noqa: ANN001
    entries, seen = [], set()
    while True:
        claimed = store.outbox.claim("check", 100, 60)
        if not claimed:
            return entries
        for entry in claimed:
            assert entry.ref not in seen
            seen.add(entry.ref)
            entries.append(entry.body)
            store.outbox.ack(entry)
