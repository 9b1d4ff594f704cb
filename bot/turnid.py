"""The turn id a log line carries: which delivery's turn wrote it, across threads and instances.

A short digest of the delivery key (the follower and their message), so a push, its retries,
its turn on a worker thread and an owed turn run again by another instance's courier all log
the same id, and the id names no follower. Kept in a ContextVar: the window copies the
request's context to the turn's worker, so lines written there carry it too.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar

CURRENT: ContextVar[str | None] = ContextVar("wxbot_turn_id", default=None)


def of(key: str) -> str:
    """The id of the turn of delivery `key` (12 hex digits)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def enter(key: str) -> None:
    """Log lines from here on in this context carry `key`'s turn id."""
    CURRENT.set(of(key))
