"""Pick the store named by BOT_STORE: memory, SQLite, Redis or Redis Cluster.

Rule: sans-Flask; may import only `bot.store`, `bot.clock` and `bot.sqlitedb`; it keeps what
it is given and decides nothing about flows, replies or the platform.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.store.base import (
    LEASE,
    MARKERS,
    TURN,
    Claim,
    ClaimConflict,
    Entry,
    Lease,
    LeaseLost,
    LockTimeout,
    Outbox,
    Store,
)
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore

__all__ = [
    "LEASE", "MARKERS", "Claim", "ClaimConflict", "Entry", "Lease", "LeaseLost", "LockTimeout",
    "MemoryStore", "Outbox", "SQLiteStore", "Store", "TURN", "open_store",
]
SCHEMES = ("sqlite:///", "memory://", "redis://", "redis+cluster://")


def open_store(url: str, clock: Clock | None = None) -> Store:
    """`sqlite:///PATH`, `memory://`, `redis://HOST:PORT/DB` or `redis+cluster://HOST:PORT`."""
    if url.startswith("sqlite:///"):
        return SQLiteStore(url[len("sqlite:///"):], clock)
    if url.startswith("memory://"):
        return MemoryStore(clock)
    if url.startswith(("redis://", "redis+cluster://")):
        from bot.store.redis import RedisStore  # redis-py only loads when asked for

        return RedisStore(url, clock)
    raise ValueError(f"unknown BOT_STORE {url!r}: use one of {', '.join(SCHEMES)}…")
