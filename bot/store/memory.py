"""Process-local store: for tests and `memory://`; gone when the process ends."""

from __future__ import annotations

import copy
import threading
from contextlib import AbstractContextManager

from bot.clock import Clock
from bot.store.base import (
    DEDUP_TTL,
    PRUNE_EVERY,
    SESSION_GRACE,
    Claim,
    ClaimConflict,
    TicketLock,
)


class MemoryStore:
    """Dicts behind one mutex; expiry is checked on read and swept now and then."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self._mutex = threading.Lock()
        self._turns = TicketLock()
        self._replies: dict[str, tuple[str, float]] = {}
        self._requests: dict[str, tuple[str, float]] = {}
        self._sessions: dict[str, tuple[dict, float]] = {}
        self._saves = 0

    def _live(self, table: dict, key: str):
        entry = table.get(key)
        if entry is None or entry[1] < self.clock.now():
            return None
        return entry[0]

    def reply(self, key: str) -> str | None:
        with self._mutex:
            return self._live(self._replies, key)

    def claim_request(self, key: str, digest: str, ttl: int) -> bool:
        with self._mutex:
            known = self._live(self._requests, key)
            if known is None:
                self._requests[key] = (digest, self.clock.now() + ttl)
            return known in (None, digest)

    def lock(self, user: str, timeout: float = 10.0,
             claim: Claim | None = None) -> AbstractContextManager[None]:
        if claim is not None and not self.claim_request(*claim):
            raise ClaimConflict(claim[0])
        return self._turns.hold(user, timeout)

    def session(self, user: str) -> dict | None:
        with self._mutex:
            found = self._live(self._sessions, user)
            return copy.deepcopy(found)  # callers mutate; stored state must not move with them

    def clear_sessions(self) -> int:
        with self._mutex:
            count = len(self._sessions)
            self._sessions.clear()
            return count

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int) -> None:
        now = self.clock.now()
        with self._mutex:
            if session is None:
                self._sessions.pop(user, None)
            else:
                self._sessions[user] = (copy.deepcopy(session), now + ttl + SESSION_GRACE)
            self._replies[key] = (reply, now + DEDUP_TTL)
            self._saves += 1
            if self._saves % PRUNE_EVERY == 0:
                for table in (self._replies, self._requests, self._sessions):
                    for k in [k for k, (_, exp) in table.items() if exp < now]:
                        del table[k]

    def close(self) -> None:
        """Nothing to release; present so every store closes the same way."""
