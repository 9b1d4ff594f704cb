"""The family desk's records in the store's KV: JSON values, and short lists under a mutex.

Only the public KV (get, set, add, delete) is used, so every store (memory, SQLite, Redis,
Redis Cluster) keeps the same meaning: `add` is the one atomic write a decision needs. A
list (a guardian's pending requests, the open requests the sweeper looks at) is changed
under a KV mutex, as bot/outbound/deferred.py does, and every change is idempotent.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from bot.store.kv import KV

MUTEX_TTL = 5.0  # seconds a dead holder's mutex outlives it; holders take milliseconds
MUTEX_WAIT = 1.0  # longest wait for a list's mutex (a guardian's turn may wait this long)
POLL = 0.02  # seconds between tries of the mutex


class ListBusy(Exception):
    """A list's mutex could not be had in MUTEX_WAIT; the caller's work is redone later."""


class Records:
    """JSON records and lists under one key prefix, each kept `keep` seconds."""

    def __init__(self, kv: KV, keep: float, prefix: str = "family:") -> None:
        self.kv, self.keep, self.prefix = kv, keep, prefix

    def get(self, name: str) -> Any:
        raw = self.kv.get(self.prefix + name)
        return json.loads(raw) if raw else None

    def put(self, name: str, value: Any) -> None:
        self.kv.set(self.prefix + name, json.dumps(value, ensure_ascii=False), self.keep)

    def add(self, name: str, value: Any) -> bool:
        """Write `value` only if nothing is there: True for the one writer that did."""
        return self.kv.add(self.prefix + name, json.dumps(value, ensure_ascii=False), self.keep)

    def members(self, name: str) -> list[str]:
        return list(self.get(name) or [])

    def include(self, name: str, item: str) -> None:
        self._change(name, lambda held: held if item in held else [*held, item])

    def exclude(self, name: str, item: str) -> None:
        self._change(name, lambda held: [each for each in held if each != item])

    def _change(self, name: str, edit: Callable[[list[str]], list[str]]) -> None:
        mutex, owner = f"{self.prefix}mutex:{name}", uuid.uuid4().hex
        until = time.monotonic() + MUTEX_WAIT
        while not self.kv.add(mutex, owner, MUTEX_TTL):
            if time.monotonic() >= until:
                raise ListBusy(name)
            time.sleep(POLL)
        try:
            kept = edit(self.members(name))
            if kept:
                self.put(name, kept)
            else:
                self.kv.delete(self.prefix + name)
        finally:
            self.kv.delete(mutex, owner)
