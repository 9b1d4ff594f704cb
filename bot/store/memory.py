"""Process-local store: for tests and `memory://`; gone when the process ends."""

from __future__ import annotations

import copy
import threading
import time
from contextlib import AbstractContextManager

from bot.clock import Clock
from bot.store import turns
from bot.store.base import (
    DEDUP_TTL,
    LEASE,
    OWED,
    RUNNING,
    SESSION_GRACE,
    TURN,
    TURN_WAIT,
    Begun,
    Claim,
    ClaimConflict,
    Lease,
    LeaseLost,
    Said,
    expired_marker,
    with_marks,
)
from bot.store.kv_memory import MemoryKV
from bot.store.memory_outbox import MemoryOutbox


class MemoryStore:
    """Dicts behind one mutex; leases and in-flight markers run on real time."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self._mutex = threading.Lock()
        self._released = threading.Condition()
        self._saved = turns.Saved()
        self._turns: dict[str, turns.TurnRow] = {}
        self._inflight: dict[str, tuple[str, float]] = {}  # key -> (marker, real expiry)
        self._replies: dict[str, tuple[str, float]] = {}
        self._requests: dict[str, tuple[str, float]] = {}
        self._sessions: dict[str, tuple[dict, float, float]] = {}  # (data, stale, expires)
        self.outbox = MemoryOutbox(self._mutex)
        self.kv = MemoryKV(self.clock)  # the app's KV: a turn reads and marks it in one step

    def _record(self, key: str) -> str | None:
        reply = self._replies.get(key)
        if reply is not None and reply[1] >= self.clock.now():
            return reply[0]
        marker = self._inflight.get(key)
        return marker[0] if marker is not None and marker[1] >= time.time() else None

    def begin(self, user: str, key: str, claim: Claim | None = None) -> str | None:
        with self._mutex:
            if claim is not None and not self._claim(*claim):
                raise ClaimConflict(claim[0])
            found = self._record(key)
            if found is None:
                self._inflight[key] = (RUNNING, time.time() + LEASE)
            return found

    def begin_turn(self, user: str, key: str, claim: Claim | None = None,
                   reads: tuple[str, ...] = (), join: bool = True) -> Begun:
        with self._mutex:
            if claim is not None and not self._claim(*claim):
                raise ClaimConflict(claim[0])
            found = self._record(key)
            if found is not None:
                return Begun(user, found)
            self._inflight[key] = (RUNNING, time.time() + LEASE)
            if not join:
                return Begun(user, None)
            row, ticket = turns.take(self._turns.get(user), time.time())
            self._turns[user] = row
            if not turns.attempt(row, ticket, time.time()):
                return Begun(user, None, ticket)
            return Begun(user, None, ticket, True, *self._look(user, reads))

    def hold(self, begun: Begun, timeout: float = TURN_WAIT) -> AbstractContextManager[Lease]:
        return turns.line(begun.user, lambda: (begun.ticket, begun.served),
                          lambda ticket: self._attempt(begun.user, ticket),
                          lambda lease: self._end(lease, True), timeout, self._released,
                          self._saved)

    def look(self, user: str, reads: tuple[str, ...]) -> tuple[dict | None, dict]:
        with self._mutex:
            return self._look(user, reads)

    def _look(self, user: str, reads: tuple[str, ...]) -> tuple[dict | None, dict]:
        return self._session(user), {key: self.kv.get(key) for key in reads}

    def leave(self, lease: Lease) -> None:
        self._end(lease, True)

    def touch(self, user: str, key: str) -> None:
        with self._mutex:
            marker = self._inflight.get(key)
            if marker is not None:
                self._inflight[key] = (marker[0], time.time() + LEASE)

    def owe(self, user: str, key: str, turn: dict | None = None) -> str | None:
        with self._mutex:
            found = self._record(key)
            if found in (None, RUNNING, OWED):
                self._inflight[key] = (OWED, time.time() + LEASE)
                if turn is not None:
                    self.outbox.put_locked(TURN + key, turn)
                return None
            return found

    def reply(self, user: str, key: str) -> str | None:
        with self._mutex:
            return self._record(key)

    def claim_request(self, key: str, digest: str, ttl: int) -> bool:
        with self._mutex:
            return self._claim(key, digest, ttl)

    def _claim(self, key: str, digest: str, ttl: int) -> bool:
        known = self._requests.get(key)
        if known is None or known[1] < self.clock.now():
            self._requests[key] = (digest, self.clock.now() + ttl)
            return True
        return known[0] == digest

    def lock(self, user: str, timeout: float = TURN_WAIT,
             claim: Claim | None = None) -> AbstractContextManager[Lease]:
        def join() -> tuple[int, bool]:
            with self._mutex:
                if claim is not None and not self._claim(*claim):
                    raise ClaimConflict(claim[0])
                row, ticket = turns.take(self._turns.get(user), time.time())
                self._turns[user] = row
                return ticket, bool(turns.attempt(row, ticket, time.time()))

        return turns.line(user, join, lambda ticket: self._attempt(user, ticket),
                          lambda lease: self._end(lease, True), timeout, self._released,
                          self._saved)

    def _attempt(self, user: str, ticket: int) -> bool | None:
        with self._mutex:
            row = self._turns.get(user)
            return None if row is None else turns.attempt(row, ticket, time.time())

    def renew(self, lease: Lease) -> bool:
        with self._mutex:
            return turns.renew(self._turns.get(lease.user), lease.token, time.time())

    def _end(self, lease: Lease, giving_up: bool = False) -> None:
        with self._mutex:
            self._end_locked(lease, giving_up)
        with self._released:
            self._released.notify_all()

    def _end_locked(self, lease: Lease, giving_up: bool = False) -> None:
        turns.end(self._turns.get(lease.user), lease.token, time.time(), giving_up)

    def session(self, user: str) -> dict | None:
        with self._mutex:
            return self._session(user)

    def _session(self, user: str) -> dict | None:
        found, now = self._sessions.get(user), self.clock.now()
        if found is None or found[2] < now:
            return None
        return copy.deepcopy(found[0]) if found[1] >= now else expired_marker(found[0])

    def clear_sessions(self) -> int:
        with self._mutex:
            count = len(self._sessions)
            self._sessions.clear()
            return count

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int,
             lease: Lease | None = None, owed: dict | None = None,
             remember: bool = True, sends: tuple[tuple[str, dict], ...] = (),
             said: Said | None = None) -> None:
        now = self.clock.now()
        with self._mutex:
            if lease is not None and self._turns.get(user, _VOID).serving != lease.token:
                raise LeaseLost(user)
            for send_key, body in sends:
                self.outbox.put_locked(send_key, body)
            if said is not None:  # the KV's own lock inside ours: it never takes ours
                said_key, marks, keep = said
                self.kv.set(said_key, with_marks(self.kv.get(said_key), marks), keep)
            if remember:
                if session is None:
                    self._sessions.pop(user, None)
                else:
                    self._sessions[user] = (copy.deepcopy(session), now + ttl,
                                            now + ttl + SESSION_GRACE)
            marker = self._inflight.pop(key, (None,))[0]
            if marker == OWED and owed is not None:
                self.outbox.put_locked(key, owed)
                reply, remember = "", True
            if remember:
                self._replies[key] = (reply, now + DEDUP_TTL)
            if lease is not None:
                self._end_locked(lease)
        self._saved.ended(lease)
        with self._released:
            self._released.notify_all()

    def prune(self) -> None:
        now, real = self.clock.now(), time.time()
        with self._mutex:
            for table in (self._replies, self._requests):
                for k in [k for k, v in table.items() if v[1] < now]:
                    del table[k]
            for k in [k for k, v in self._inflight.items() if v[1] < real]:
                del self._inflight[k]
            for k in [k for k, row in self._turns.items() if turns.forgettable(row, real)]:
                del self._turns[k]
            for user, (data, stale, expires) in list(self._sessions.items()):
                if expires < now:
                    del self._sessions[user]
                elif stale < now and not data.get("expired"):
                    self._sessions[user] = (expired_marker(data), stale, expires)

    def close(self) -> None:
        """Nothing to release; present so every store closes the same way."""


_VOID = turns.TurnRow(0, -1, 0.0)  # stands for "no line": matches no token
