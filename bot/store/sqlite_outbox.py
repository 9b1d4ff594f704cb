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

from bot.store.base import Entry, follower_of

KEEP_SETTLED = 86_400  # seconds a sent/failed row keeps its key (idempotent put)
SCHEMA = ("CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, body TEXT NOT NULL, "
          "state TEXT NOT NULL, due REAL NOT NULL, until REAL NOT NULL, "
          "attempts INTEGER NOT NULL, reason TEXT, seq INTEGER NOT NULL, follower TEXT)",
          "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, due)")
UNSURE = "unsure"  # the `reason` of an owed row one of whose sends may have gone out
# Per follower only the oldest owed send is claimable (base.Outbox.claim): a row waits while
# an earlier row of its follower is owed, whatever its lease or due time.
CLAIM = ("UPDATE outbox SET until=?, attempts=attempts+1 WHERE key IN (SELECT o.key FROM outbox o "
         "WHERE o.state='owed' AND o.due<=? AND o.until<? AND (o.follower IS NULL OR NOT EXISTS "
         "(SELECT 1 FROM outbox p WHERE p.follower=o.follower AND p.state='owed' AND p.seq<o.seq))"
         " ORDER BY o.seq LIMIT ?) RETURNING key, body, attempts, seq, reason")


def migrate(db: sqlite3.Connection) -> None:
    """A file from before per-follower order gets the column (old rows keep no order)."""
    if "follower" not in {row[1] for row in db.execute("PRAGMA table_info(outbox)")}:
        db.execute("ALTER TABLE outbox ADD COLUMN follower TEXT")
    db.execute("CREATE INDEX IF NOT EXISTS outbox_follower ON outbox(follower, state, seq)")

Tx = Callable[[], AbstractContextManager[sqlite3.Connection]]


def put_in(db: sqlite3.Connection, key: str, body: dict) -> bool:
    """`put` inside the caller's transaction (the store's save)."""
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox").fetchone()[0]
    return db.execute(
        "INSERT INTO outbox (key, body, state, due, until, attempts, reason, seq, follower) "
        "VALUES (?,?,'owed',0,0,0,NULL,?,?) ON CONFLICT(key) DO NOTHING",
        (key, json.dumps(body, ensure_ascii=False), seq, follower_of(key, body))).rowcount == 1


class SQLiteOutbox:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def put(self, key: str, body: dict) -> bool:
        with self._tx() as db:
            return put_in(db, key, body)

    def claim(self, consumer: str, limit: int, lease: float) -> list[Entry]:
        now = time.time()
        with self._tx() as db:
            rows = db.execute(CLAIM, (now + lease, now, now, limit)).fetchall()
        rows.sort(key=lambda r: r[3])  # in the order owed
        return [Entry(key, key, json.loads(body), attempts, reason == UNSURE)
                for key, body, attempts, _, reason in rows]

    def ack(self, entry: Entry) -> None:
        self._settle(entry, "sent", None)

    def retry(self, entry: Entry, delay: float, unsure: bool = False) -> None:
        with self._tx() as db:
            db.execute("UPDATE outbox SET due=?, until=0, reason=CASE WHEN ? THEN ? ELSE reason "
                       "END WHERE key=? AND state='owed'",
                       (time.time() + delay, unsure, UNSURE, entry.ref))

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
