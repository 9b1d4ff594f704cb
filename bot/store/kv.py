"""A tiny shared key-value with TTLs, for state every worker must agree on (the access token).

Chosen from the same BOT_STORE URL as the conversation store, so whatever processes share
conversations also share this. `add` (set if absent) is atomic in each implementation and is
what callers use as a cross-process mutex. Memory and SQLite expire by the injected clock;
Redis by its own TTLs (real time).
"""

from __future__ import annotations

import threading
from typing import Protocol

from bot.clock import Clock
from bot.store.url import StoreURL, parse_store_url


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


class MemoryKV:
    """One process only: for `memory://` stores and tests."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self._data: dict[str, tuple[str, float]] = {}
        self._guard = threading.Lock()

    def _live(self, key: str) -> str | None:
        found = self._data.get(key)
        if found and found[1] > self.clock.now():
            return found[0]
        self._data.pop(key, None)
        return None

    def get(self, key: str) -> str | None:
        with self._guard:
            return self._live(key)

    def set(self, key: str, value: str, ttl: float) -> None:
        with self._guard:
            self._data[key] = (value, self.clock.now() + ttl)

    def add(self, key: str, value: str, ttl: float) -> bool:
        with self._guard:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self.clock.now() + ttl)
            return True

    def delete(self, key: str, value: str | None = None) -> None:
        with self._guard:
            if value is None or self._live(key) == value:
                self._data.pop(key, None)

    def close(self) -> None:
        """Nothing to release."""


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
