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
    BoundQuery,
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
from bot.store.url import StoreURL, StoreURLError, parse_store_url

__all__ = [
    "LEASE", "MARKERS", "BoundQuery", "Claim", "ClaimConflict", "Entry", "Lease", "LeaseLost",
    "LockTimeout", "MemoryStore", "Outbox", "SQLiteStore", "Store", "StoreURL", "StoreURLError",
    "TURN", "open_store", "parse_store_url",
]


def open_store(url: StoreURL | str, clock: Clock | None = None) -> Store:
    """The store BOT_STORE names (bot/store/url.py parses it; a plain string is parsed here)."""
    where = parse_store_url(url)
    if where.kind == "sqlite":
        return SQLiteStore(where.path, clock)
    if where.kind == "memory":
        return MemoryStore(clock)
    from bot.store.redis import RedisStore  # redis-py only loads when asked for

    return RedisStore(where.url, clock)
