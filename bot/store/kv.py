"""A tiny shared key-value with TTLs, for state every worker must agree on (the access token).

Chosen from the same BOT_STORE URL as the conversation store, so whatever processes share
conversations also share this. `add` (set if absent) is atomic in each implementation and is
what callers use as a cross-process mutex. Memory and SQLite expire by the injected clock;
Redis by its own TTLs (real time).
"""

from __future__ import annotations

from typing import Protocol

from bot.clock import Clock
from bot.store.kv_memory import MemoryKV
from bot.store.url import StoreURL, parse_store_url

__all__ = ["KV", "MemoryKV", "open_kv", "own_key"]


class KV(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl: float) -> None: ...

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Set `key` only if it is absent or expired; True when this call set it."""
        ...

    def delete(self, key: str, value: str | None = None) -> None:
        """Remove `key`; with `value`, only while it still holds that value (a mutex release)."""
        ...

    def close(self) -> None: ...


def own_key(kind: str, openid: str) -> str:
    """A follower's KV key: `{openid}` is their Redis Cluster hash tag, the slot of their
    store keys, so the turn's one script reads and writes it with theirs."""
    return f"{kind}:{{{openid}}}"


def open_kv(url: StoreURL | str, clock: Clock | None = None) -> KV:
    """The KV beside the store that BOT_STORE names (the same parsed value)."""
    where = parse_store_url(url)
    if where.kind == "sqlite":
        from bot.store.kv_sqlite import SQLiteKV

        return SQLiteKV(where.path, clock)
    if where.kind == "memory":
        return MemoryKV(clock)
    from bot.store.kv_redis import RedisKV  # redis-py only loads when asked for

    return RedisKV(where.url)
