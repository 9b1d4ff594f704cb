"""The KV of one process (see bot/store/kv.py): for `memory://` stores and tests.

A module of its own so the memory store can own one without importing the KV's chooser.
"""

from __future__ import annotations

import threading

from bot.clock import Clock


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
