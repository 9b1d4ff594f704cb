"""Redis store: the same promises as SQLite for deployments that already run Redis.

Each step is one Lua script on one follower's keys (`{openid}` hash tag), so it is atomic on
the server and runs on a Redis Cluster too (`redis+cluster://HOST:PORT`, any one node).
The pool and every socket wait are bounded and named: a hung Redis costs a push at most
SOCKET_TIMEOUT per call, far inside the platform's 5 s.
"""

from __future__ import annotations

import json
import threading
from contextlib import AbstractContextManager

import redis
from redis.backoff import ConstantBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

from bot.clock import Clock
from bot.store import redis_scripts as lua
from bot.store import turns
from bot.store.base import (
    DEDUP_TTL,
    LEASE,
    OWED,
    RUNNING,
    SAID_KEEP,
    SESSION_GRACE,
    TURN,
    TURN_WAIT,
    Begun,
    BoundQuery,
    Claim,
    ClaimConflict,
    Lease,
    LeaseLost,
    Said,
    expired_marker,
)
from bot.store.redis_outbox import KEEP_SETTLED, RedisOutbox

POOL_SIZE = 64  # connections per process (per node on a cluster): threads x a little
POOL_WAIT = 1.0  # seconds to wait for a free connection before the push is answered busy
SOCKET_TIMEOUT = 1.0  # seconds for any one command
CONNECT_TIMEOUT = 1.0
HEALTH_CHECK = 15  # seconds idle before a pooled connection is pinged first
RETRIES, RETRY_PAUSE = 0, 0.05  # no silent retries: each would add SOCKET_TIMEOUT (redis-py: 3)
TURN_KEY_TTL = 86_400_000  # ms: a follower's line is forgotten a day after its last push
SENDING = "\x00sending"  # an owed body saved by an older version, not yet put (a look puts it)
LEASE_MS = int(LEASE * 1000)
OPTIONS = {"decode_responses": True, "socket_timeout": SOCKET_TIMEOUT,
           "socket_connect_timeout": CONNECT_TIMEOUT, "health_check_interval": HEALTH_CHECK}


def _retry() -> Retry:
    return Retry(ConstantBackoff(RETRY_PAUSE), RETRIES)


def connect(url: str) -> redis.Redis | RedisCluster:
    """A client with explicit limits; `redis+cluster://` talks to a cluster."""
    if url.startswith("redis+cluster://"):
        return RedisCluster.from_url("redis://" + url[len("redis+cluster://"):],
                                     max_connections=POOL_SIZE, retry=_retry(), **OPTIONS)
    pool = redis.BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE,
                                                 timeout=POOL_WAIT, retry=_retry(), **OPTIONS)
    return redis.Redis(connection_pool=pool)


class RedisStore:
    """Keys live under `wxbot:`; one connection pool per store, shared by threads."""

    def __init__(self, url: str, clock: Clock | None = None, prefix: str = "wxbot:") -> None:
        self.clock = clock or Clock()
        self.prefix = prefix
        self.db = connect(url)
        self._run = {name: self.db.register_script(getattr(lua, name))
                     for name in ("TAKE", "ATTEMPT", "RENEW", "END", "BEGIN", "OWE", "SAVE",
                                  "CLAIM", "BEGIN_TURN")}
        # A claim is keyed by the signed query alone (a forger may name another follower):
        # on a cluster its slot is not the follower's, so it is a call of its own there,
        # unless safe mode binds the query to its follower (BoundQuery): then in their slot.
        self._apart = isinstance(self.db, RedisCluster)
        # A turn's outbox entries are owed in its own script, with the turn or not at all: one
        # node puts them in the outbox itself; a cluster's outbox is in another slot, so there
        # they are pended in the follower's slot and the courier's claim moves them
        # (bot/store/redis_outbox.py).
        self._mode = "pend" if self._apart else "put"
        self._released = threading.Condition()
        self._saved = turns.Saved()
        self.outbox = RedisOutbox(self.db, prefix)

    def _k(self, user: str, *rest: str) -> str:
        return f"{self.prefix}{{{user}}}:" + ":".join(rest)  # one hash slot per follower

    def _turn(self, user: str) -> list[str]:
        return [self._k(user, "turn"), self._k(user, "skip")]

    def _record(self, user: str, key: str) -> list[str]:
        return [self._k(user, "reply", key), self._k(user, "fly", key)]

    def _finish_sending(self, user: str, key: str, found: str | None) -> str | None:
        if found is not None and found.startswith(SENDING):
            self.outbox.put(key, json.loads(found[len(SENDING):]))
            self.db.set(self._record(user, key)[0], "", ex=DEDUP_TTL)
            return ""
        return found

    def clear_sessions(self) -> int:
        """Every follower's session and expiry marker; one DEL each, as their slots differ."""
        for key in self.db.scan_iter(match=f"{self.prefix}{{*}}:expired", count=500):
            self.db.delete(key)  # an expiry marker would tell the follower of a chat now gone
        sessions = self.db.scan_iter(match=f"{self.prefix}{{*}}:session", count=500)
        return sum(self.db.delete(key) for key in sessions)

    def begin(self, user: str, key: str, claim: Claim | None = None) -> str | None:
        self._claim_apart(user, claim)
        found = self._run["BEGIN"](keys=self._record(user, key), args=[RUNNING, LEASE_MS])
        return self._finish_sending(user, key, found)

    def _kv(self, key: str) -> str:
        return f"{self.prefix}kv:{key}"  # where RedisKV keeps it (bot/store/kv_redis.py)

    def begin_turn(self, user: str, key: str, claim: Claim | None = None,
                   reads: tuple[str, ...] = (), join: bool = True) -> Begun:
        record = self._record(user, key)
        claim_key, digest, claim_ttl = record[0], "", 0
        if claim is not None and self._apart and not isinstance(claim[0], BoundQuery):
            if not self.claim_request(*claim):
                raise ClaimConflict(claim[0])
        elif claim is not None:
            claim_key, digest, claim_ttl = self._claim_key(user, claim[0]), claim[1], claim[2]
        keys = [*record, *self._turn(user), self._k(user, "session"), self._k(user, "expired"),
                claim_key, *(self._kv(read) for read in reads)]
        got = self._run["BEGIN_TURN"](keys=keys, args=[RUNNING, LEASE_MS, TURN_KEY_TTL, digest,
                                                        claim_ttl, int(join)])
        if got[0] == 0:
            raise ClaimConflict(claim[0])  # type: ignore[index]  # only with a claim
        if got[0] == 1:
            return Begun(user, self._finish_sending(user, key, got[1]))
        if not got[3]:
            return Begun(user, None, int(got[2]))
        return Begun(user, None, int(got[2]), True, self._opened(got[4], got[5]),
                     dict(zip(reads, got[6:], strict=True)))

    def hold(self, begun: Begun, timeout: float = TURN_WAIT) -> AbstractContextManager[Lease]:
        keys = self._turn(begun.user)
        return turns.line(begun.user, lambda: (begun.ticket, begun.served),
                          lambda ticket: self._attempt(keys, Lease(begun.user, ticket)),
                          lambda lease: self._end(lease, True), timeout, self._released,
                          self._saved)

    def look(self, user: str, reads: tuple[str, ...]) -> tuple[dict | None, dict]:
        raw, marker, *found = self.db.mget(self._k(user, "session"), self._k(user, "expired"),
                                           *(self._kv(read) for read in reads))
        return self._opened(raw, marker), dict(zip(reads, found, strict=True))

    @staticmethod
    def _opened(raw: str | None, marker: str | None) -> dict | None:
        return json.loads(raw) if raw else json.loads(marker) if marker else None

    def leave(self, lease: Lease) -> None:
        self._end(lease, True)

    def touch(self, user: str, key: str) -> None:
        self.db.pexpire(self._record(user, key)[1], LEASE_MS)

    def owe(self, user: str, key: str, turn: dict | None = None) -> str | None:
        keys, args = self._record(user, key), [OWED, LEASE_MS]
        if turn is not None:  # the marker and the owed turn in one script
            keys.append(self._where(user))
            keys += self.outbox.keys(TURN + key, turn)[:1] if self._mode == "put" else []
            args += [TURN + key, json.dumps(turn, ensure_ascii=False), KEEP_SETTLED, self._mode]
        found = self._run["OWE"](keys=keys, args=args)
        if found is None and turn is not None and self._mode == "pend":
            self.outbox.pended(user)
        return self._finish_sending(user, key, found)

    def _where(self, user: str) -> str:
        """Where a turn's script owes outbox entries: the stream, or the follower's list."""
        return self.outbox.pending(user) if self._mode == "pend" else self.outbox.stream

    def reply(self, user: str, key: str) -> str | None:
        reply, marker = self.db.mget(*self._record(user, key))  # one slot: one call
        return self._finish_sending(user, key, reply if reply is not None else marker)

    def _claim_key(self, user: str, query: str) -> str:
        """Where a claim is kept: a bound query on a cluster with its follower's keys; every
        other one under the query alone (on one node that costs no call of its own)."""
        if self._apart and isinstance(query, BoundQuery):
            return self._k(user, "req", query)
        return f"{self.prefix}req:{query}"

    def claim_request(self, key: str, digest: str, ttl: int) -> bool:
        return bool(self._run["CLAIM"](keys=[f"{self.prefix}req:{key}"], args=[digest, ttl]))

    def _claim_apart(self, user: str, claim: Claim | None) -> None:
        """A claim in a call of its own (begin, lock), kept where begin_turn keeps it."""
        if claim is not None and not self._run["CLAIM"](
                keys=[self._claim_key(user, claim[0])], args=[claim[1], claim[2]]):
            raise ClaimConflict(claim[0])

    def session(self, user: str) -> dict | None:
        return self._opened(*self.db.mget(self._k(user, "session"), self._k(user, "expired")))

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int,
             lease: Lease | None = None, owed: dict | None = None,
             remember: bool = True, sends: tuple[tuple[str, dict], ...] = (),
             said: Said | None = None) -> None:
        data = json.dumps(session, ensure_ascii=False) if session is not None else ""
        marker = json.dumps(expired_marker(session)) if session is not None else ""
        owed_json = json.dumps(owed, ensure_ascii=False) if owed is not None else ""
        keys = [*self._turn(user), self._k(user, "session"), self._k(user, "expired"),
                *self._record(user, key),
                self._kv(said[0]) if said else self._k(user, "session")]
        marks = (json.dumps(said[1]), int(said[2]), SAID_KEEP) if said and said[1] else ("", 0, 0)
        args = ["" if lease is None else lease.token, int(remember), data, marker, ttl,
                SESSION_GRACE, reply, owed_json, OWED, DEDUP_TTL, LEASE_MS, *marks]
        # The sends and the owed body, in the script (a turn done again owes the same keys).
        keys.append(self._where(user))
        args += [KEEP_SETTLED, key, self._mode]
        if self._mode == "put":
            keys += self.outbox.keys(key, owed or {})
        for send_key, body in sends:
            keys += self.outbox.keys(send_key, body) if self._mode == "put" else []
            args += [send_key, json.dumps(body, ensure_ascii=False)]
        done = self._run["SAVE"](keys=keys, args=args)
        self._wake()
        if done == -1:
            raise LeaseLost(user)
        self._saved.ended(lease)
        if done == 2:
            self.outbox.pended(user)

    def lock(self, user: str, timeout: float = TURN_WAIT,
             claim: Claim | None = None) -> AbstractContextManager[Lease]:
        self._claim_apart(user, claim)
        keys = self._turn(user)

        def join() -> tuple[int, bool]:
            ticket, served = self._run["TAKE"](keys=keys, args=[LEASE_MS, TURN_KEY_TTL])
            return int(ticket), bool(served)

        return turns.line(user, join, lambda ticket: self._attempt(keys, Lease(user, ticket)),
                          lambda lease: self._end(lease, True), timeout, self._released,
                          self._saved)

    def _attempt(self, keys: list[str], lease: Lease) -> bool | None:
        got = self._run["ATTEMPT"](keys=keys, args=[lease.token, LEASE_MS, TURN_KEY_TTL])
        return None if got == -1 else bool(got)

    def renew(self, lease: Lease) -> bool:
        return bool(self._run["RENEW"](keys=self._turn(lease.user), args=[lease.token, LEASE_MS]))

    def _end(self, lease: Lease, giving_up: bool = False) -> None:
        self._run["END"](keys=self._turn(lease.user),
                         args=[lease.token, LEASE_MS, int(giving_up), TURN_KEY_TTL])
        self._wake()

    def _wake(self) -> None:
        with self._released:
            self._released.notify_all()

    def prune(self) -> None:
        """Nothing to do: every key carries its own expiry."""

    def close(self) -> None:
        self.db.close()
