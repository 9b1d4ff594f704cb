"""The outbox of the SQLite store: one table, claimed by couriers of every worker process.

A claim sets `until` (a lease); a courier that died (kill -9) leaves rows whose lease runs
out, and the next claim by anyone takes them again. Sent and failed rows keep their key for
a day, so putting the same key again sends nothing.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from bot.store.base import Entry

KEEP_SETTLED = 86_400  # seconds a sent/failed row keeps its key (idempotent put)
SCHEMA = ("CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, body TEXT NOT NULL, "
          "state TEXT NOT NULL, due REAL NOT NULL, until REAL NOT NULL, "
          "attempts INTEGER NOT NULL, reason TEXT, seq INTEGER NOT NULL)",
          "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, due)")

Tx = Callable[[], AbstractContextManager[sqlite3.Connection]]


def put_in(db: sqlite3.Connection, key: str, body: dict) -> bool:
    """`put` inside the caller's transaction (the store's save)."""
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox").fetchone()[0]
    return db.execute(
        "INSERT INTO outbox VALUES (?,?,'owed',0,0,0,NULL,?) ON CONFLICT(key) DO NOTHING",
        (key, json.dumps(body, ensure_ascii=False), seq)).rowcount == 1


class SQLiteOutbox:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def put(self, key: str, body: dict) -> bool:
        with self._tx() as db:
            return put_in(db, key, body)

    def claim(self, consumer: str, limit: int, lease: float) -> list[Entry]:
        now = time.time()
        with self._tx() as db:
            rows = db.execute(
                "UPDATE outbox SET until=?, attempts=attempts+1 WHERE key IN (SELECT key FROM "
                "outbox WHERE state='owed' AND due<=? AND until<? ORDER BY seq LIMIT ?) "
                "RETURNING key, body, attempts, seq", (now + lease, now, now, limit)).fetchall()
        rows.sort(key=lambda r: r[3])  # in the order owed
        return [Entry(key, key, json.loads(body), attempts) for key, body, attempts, _ in rows]

    def ack(self, entry: Entry) -> None:
        self._settle(entry, "sent", None)

    def retry(self, entry: Entry, delay: float) -> None:
        with self._tx() as db:
            db.execute("UPDATE outbox SET due=?, until=0 WHERE key=? AND state='owed'",
                       (time.time() + delay, entry.ref))

    def fail(self, entry: Entry, reason: str) -> None:
        self._settle(entry, "failed", reason)

    def _settle(self, entry: Entry, state: str, reason: str | None) -> None:
        with self._tx() as db:  # the body goes: a settled row keeps no personal data
            db.execute("UPDATE outbox SET state=?, reason=?, body='{}', due=? WHERE key=?",
                       (state, reason, time.time() + KEEP_SETTLED, entry.ref))

    def counts(self) -> dict[str, int]:
        with self._tx() as db:
            found = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
        return {s: found.get(s, 0) for s in ("owed", "sent", "failed")}

    def prune_in(self, db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM outbox WHERE state!='owed' AND due<?", (time.time(),))
