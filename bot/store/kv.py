"""A tiny shared key-value with TTLs, for state every worker must agree on (the access token).

Chosen from the same BOT_STORE URL as the conversation store, so whatever processes share
conversations also share this. `add` (set if absent) is atomic in each implementation and is
what callers use as a cross-process mutex. Memory and SQLite expire by the injected clock;
Redis by its own TTLs (real time).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Protocol

from bot.clock import Clock
from bot.sqlitedb import Pool, begin_immediate, spin

BUSY = 5.0  # seconds to wait for another SQLite writer: far above a KV write, below a deadline
REDIS_SOCKET_TIMEOUT = 2.0  # seconds for one Redis command; a token read must not hang a worker
REDIS_CONNECT_TIMEOUT = 1.0  # seconds to reach Redis at all
SCHEMA = "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL)"


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


def _setup(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA busy_timeout=1000")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")


class SQLiteKV:
    """A `kv` table of its own in the store's SQLite file, shared by every worker process."""

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock or Clock()
        self._pool = Pool(path, _setup)
        with self._pool.connection() as db:
            spin(lambda: db.execute(SCHEMA), BUSY)

    def get(self, key: str) -> str | None:
        with self._pool.connection() as db:
            row = spin(lambda: db.execute("SELECT value FROM kv WHERE key=? AND expires>?",
                                          (key, self.clock.now())).fetchone(), BUSY)
        return row[0] if row else None

    def _write(self, sql: str, *args: object) -> int:
        with self._pool.connection() as db:
            begin_immediate(db, 1000, BUSY)
            try:
                changed = db.execute(sql, args).rowcount
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return changed

    def set(self, key: str, value: str, ttl: float) -> None:
        self._write("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", key, value,
                    self.clock.now() + ttl)

    def add(self, key: str, value: str, ttl: float) -> bool:
        now = self.clock.now()
        return self._write(
            "INSERT INTO kv VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value,"
            " expires=excluded.expires WHERE kv.expires<=?", key, value, now + ttl, now) == 1

    def delete(self, key: str, value: str | None = None) -> None:
        if value is None:
            self._write("DELETE FROM kv WHERE key=?", key)
        else:
            self._write("DELETE FROM kv WHERE key=? AND value=?", key, value)

    def close(self) -> None:
        self._pool.close()


# Compare-and-delete, so a holder whose mutex expired cannot release a newer holder's.
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end " \
          "return 0"


class RedisKV:
    """Keys under `wxbot:kv:`; Redis's own TTLs and SET NX."""

    def __init__(self, url: str, prefix: str = "wxbot:kv:") -> None:
        import redis

        options = {"decode_responses": True, "socket_timeout": REDIS_SOCKET_TIMEOUT,
                   "socket_connect_timeout": REDIS_CONNECT_TIMEOUT}
        if url.startswith("redis+cluster://"):
            from redis.cluster import RedisCluster

            self.db = RedisCluster.from_url("redis://" + url[len("redis+cluster://"):], **options)
        else:
            self.db = redis.Redis.from_url(url, **options)
        self.prefix = prefix
        self._release = self.db.register_script(RELEASE)

    @staticmethod
    def _ms(ttl: float) -> int:
        return max(1, int(ttl * 1000))

    def get(self, key: str) -> str | None:
        return self.db.get(self.prefix + key)

    def set(self, key: str, value: str, ttl: float) -> None:
        self.db.set(self.prefix + key, value, px=self._ms(ttl))

    def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(self.db.set(self.prefix + key, value, px=self._ms(ttl), nx=True))

    def delete(self, key: str, value: str | None = None) -> None:
        if value is None:
            self.db.delete(self.prefix + key)
        else:
            self._release(keys=[self.prefix + key], args=[value])

    def close(self) -> None:
        self.db.close()


def open_kv(url: str, clock: Clock | None = None) -> KV:
    """The KV beside the store that BOT_STORE names (same URL forms)."""
    if url.startswith("sqlite:///"):
        return SQLiteKV(url[len("sqlite:///"):], clock)
    if url.startswith("memory://"):
        return MemoryKV(clock)
    if url.startswith(("redis://", "redis+cluster://")):
        return RedisKV(url)
    raise ValueError(f"unknown BOT_STORE {url!r}: use sqlite:///PATH, memory:// or redis://…")
