"""What the engine needs from storage: FIFO per-user locks, sessions, retry records.

Three implementations (memory, SQLite, Redis) keep the same meaning; the engine never knows
which one it has. Everything stored is JSON or text, so any of them can cross processes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

DEDUP_TTL = 600  # platform retries end within ~15 s; keep the record well past that
SESSION_GRACE = 86_400  # a session outlives its TTL a day, so the user can be told it expired
PRUNE_EVERY = 1000  # saves between sweeps of expired rows


Claim = tuple[str, str, int]  # (signed query key, body digest, seconds to remember it)


class LockTimeout(Exception):
    """Waited too long for a user's earlier message; the caller answers `success`."""


class ClaimConflict(Exception):
    """A signed query came again with another body: a forgery, refused with 403."""


class Store(Protocol):
    def reply(self, key: str) -> str | None:
        """The reply already given to this delivery key, if any."""
        ...

    def claim_request(self, key: str, digest: str, ttl: int) -> bool:
        """Remember a signed query's body digest; False when it arrived with another body."""
        ...

    def lock(self, user: str, timeout: float = 10.0,
             claim: Claim | None = None) -> AbstractContextManager[None]:
        """Hold `user`'s turn: one message at a time, in arrival order, across processes.

        With `claim`, first remember the signed query's body (ClaimConflict if it differs).
        """
        ...

    def session(self, user: str) -> dict | None: ...

    def clear_sessions(self) -> int:
        """End every follower's conversation (a backend reset); returns how many there were."""
        ...

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int) -> None:
        """Session (None deletes it), retry record and reply, together or not at all.

        A store may end the caller's turn in the same write; the lock's exit then does nothing.
        """
        ...

    def close(self) -> None: ...


class TicketLock:
    """In-process FIFO turns, used by the memory store and to wake local waiters quickly."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next: dict[str, int] = {}
        self._serving: dict[str, int] = {}
        self._skipped: set[tuple[str, int]] = set()  # tickets whose waiters gave up

    @contextmanager
    def hold(self, user: str, timeout: float) -> Iterator[None]:
        with self._cond:
            ticket = self._next.get(user, 0)
            self._next[user] = ticket + 1
            ok = self._cond.wait_for(lambda: self._serving.get(user, 0) == ticket, timeout)
            if not ok:
                # Give up the place in line without blocking those behind it.
                self._skipped.add((user, ticket))
                raise LockTimeout(user)
        try:
            yield
        finally:
            with self._cond:
                self._advance(user)

    def _advance(self, user: str) -> None:
        serving = self._serving.get(user, 0) + 1
        while (user, serving) in self._skipped:
            self._skipped.discard((user, serving))
            serving += 1
        if serving >= self._next[user]:  # nobody waiting: forget the user, keep memory flat
            self._serving.pop(user, None)
            self._next.pop(user, None)
        else:
            self._serving[user] = serving
        self._cond.notify_all()
