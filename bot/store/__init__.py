"""Pick the store named by BOT_STORE."""

from __future__ import annotations

from bot.clock import Clock
from bot.store.base import Claim, ClaimConflict, LockTimeout, Store
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore

__all__ = [
    "Claim", "ClaimConflict", "LockTimeout", "MemoryStore", "SQLiteStore", "Store", "open_store",
]


def open_store(url: str, clock: Clock | None = None) -> Store:
    """`sqlite:///PATH`, `memory://` or `redis://HOST:PORT/DB`."""
    if url.startswith("sqlite:///"):
        return SQLiteStore(url[len("sqlite:///"):], clock)
    if url.startswith("memory://"):
        return MemoryStore(clock)
    if url.startswith("redis://"):
        from bot.store.redis import RedisStore  # redis-py only loads when asked for

        return RedisStore(url, clock)
    raise ValueError(f"unknown BOT_STORE {url!r}: use sqlite:///PATH, memory:// or redis://…")
