"""The KV as a `kv` table of its own in the store's SQLite file (see bot/store/kv.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.clock import Clock
from bot.sqlitedb import Pool, spin, use_wal

BUSY = 2.0  # seconds to wait for another SQLite writer: far above a KV write, inside a deadline
SCHEMA = ("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
          "expires REAL) WITHOUT ROWID")  # one B-tree entry a row (bot/store/sqlite.py)


def _setup(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA busy_timeout=1000")
    use_wal(db)
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
        with self._pool.transaction(BUSY) as db:
            return db.execute(sql, args).rowcount

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
