"""The outbox of the memory store: a list of owed messages behind the store's mutex."""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass

from bot.store.base import Entry, follower_of


@dataclass
class _Row:
    key: str
    body: dict
    state: str = "owed"  # owed -> sent | failed
    due: float = 0.0
    until: float = 0.0  # claimed by a courier until then
    attempts: int = 0
    reason: str = ""
    follower: str | None = None  # whose order it keeps (base.follower_of)
    unsure: bool = False


class MemoryOutbox:
    """Same promises as the SQLite table, for one process (the tests' default)."""

    def __init__(self, mutex: threading.Lock) -> None:
        self._mutex = mutex
        self._rows: list[_Row] = []
        self._by_key: dict[str, _Row] = {}

    def put(self, key: str, body: dict) -> bool:
        with self._mutex:
            return self.put_locked(key, body)

    def put_locked(self, key: str, body: dict) -> bool:
        """`put` for a caller already inside the store's mutex (the store's save)."""
        if key in self._by_key:
            return False
        row = _Row(key, copy.deepcopy(body), follower=follower_of(key, body))
        self._rows.append(row)
        self._by_key[key] = row
        return True

    def claim(self, consumer: str, limit: int, lease: float) -> list[Entry]:
        now, taken, ahead = time.time(), [], set()  # followers with an earlier owed send
        with self._mutex:
            for row in self._rows:
                if len(taken) >= limit:
                    break
                if row.state != "owed" or row.follower in ahead:
                    continue
                if row.follower is not None:
                    ahead.add(row.follower)
                if row.due <= now and row.until < now:
                    row.until, row.attempts = now + lease, row.attempts + 1
                    taken.append(Entry(row.key, row.key, copy.deepcopy(row.body), row.attempts,
                                       row.unsure))
        return taken

    def ack(self, entry: Entry) -> None:
        self._settle(entry, "sent")

    def retry(self, entry: Entry, delay: float, unsure: bool = False) -> None:
        with self._mutex:
            row = self._by_key[entry.ref]
            row.due, row.until = time.time() + delay, 0.0
            row.unsure = row.unsure or unsure

    def fail(self, entry: Entry, reason: str) -> None:
        self._settle(entry, "failed", reason)

    def _settle(self, entry: Entry, state: str, reason: str = "") -> None:
        with self._mutex:
            row = self._by_key[entry.ref]
            row.state, row.reason, row.body = state, reason, {}  # settled: the key only
            self._rows = [r for r in self._rows if r.state == "owed"]  # settled rows: keys only

    def counts(self) -> dict[str, int]:
        with self._mutex:
            found = {"owed": 0, "sent": 0, "failed": 0}
            for row in self._by_key.values():
                found[row.state] += 1
            return found
