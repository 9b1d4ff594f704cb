"""The default store: one SQLite file in WAL mode, shared by every worker process.

Connections come from a pool and are reused; turns are fenced leases in a table (see
bot/store/turns.py), so one follower's messages are served in arrival order even across
gunicorn workers, and a holder that died or stalled is passed over once its lease runs out.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path

from bot.clock import Clock
from bot.sqlitedb import CHECKPOINT_EVERY, Pool, spin, use_wal
from bot.store import sqlite_outbox, turns
from bot.store.base import (
    DEDUP_TTL,
    LEASE,
    OWED,
    RUNNING,
    SESSION_GRACE,
    TURN,
    Begun,
    Claim,
    ClaimConflict,
    Lease,
    LeaseLost,
    Said,
    expired_marker,
    with_marks,
)
from bot.store.kv_sqlite import SCHEMA as KV_SCHEMA
from bot.store.sqlite_turns import SQLiteTurns

BUSY = 2.0  # seconds to wait for another writer: far inside the 4 s reply deadline
# Keyed by text, WITHOUT ROWID: a row is one B-tree entry, not a row plus an index entry, so a
# push's commits write about half the WAL pages (COMMIT's CPU 43 -> 31 µs measured). A file
# made before keeps its rowid tables: the statements are the same for both.
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT NOT NULL, expires REAL)"
    " WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS inflight (key TEXT PRIMARY KEY, marker TEXT, until REAL)"
    " WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS requests (key TEXT PRIMARY KEY, digest TEXT, expires REAL)"
    " WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS sessions (user TEXT PRIMARY KEY, data TEXT NOT NULL, "
    "stale REAL, expires REAL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS leases (user TEXT PRIMARY KEY, next INTEGER, serving INTEGER, "
    "until REAL, skipped TEXT) WITHOUT ROWID",
    *sqlite_outbox.SCHEMA,
    KV_SCHEMA,  # the app's KV (bot/store/kv_sqlite.py): a turn reads and marks it in its steps
)


# The reply kept for retries, else the marker of a turn in flight (each only while live).
RECORD = ("SELECT value FROM (SELECT 0 AS rank, reply AS value FROM replies WHERE key=?1 AND "
          "expires>=?2 UNION ALL SELECT 1, marker FROM inflight WHERE key=?1 AND until>=?3) "
          "ORDER BY rank LIMIT 1")
# Claim a signed query unless a live claim holds it: a row back when this call claimed it.
CLAIM = ("INSERT INTO requests VALUES (?1,?2,?3) ON CONFLICT(key) DO UPDATE SET "
         "digest=excluded.digest, expires=excluded.expires WHERE requests.expires<?4 RETURNING 1")


def _setup(db: sqlite3.Connection) -> None:
    # No busy handler (timeout 0): `spin` retries in µs where SQLite sleeps in ms. Switching a
    # fresh file to WAL needs a moment alone; workers starting together take turns at it.
    db.execute("PRAGMA busy_timeout=0")
    use_wal(db)
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA secure_delete=ON")  # what a marker replaced is overwritten on disk too


class SQLiteStore(SQLiteTurns):
    """Durable across restarts and kill -9: WAL with synchronous=NORMAL survives a crash."""

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.path = str(path)
        self.clock = clock or Clock()
        self._pool = Pool(self.path, _setup, checkpoint_every=CHECKPOINT_EVERY)
        self._released = threading.Condition()
        self._saved = turns.Saved()
        self.outbox = sqlite_outbox.SQLiteOutbox(self._tx)
        with self._tx() as db:
            for statement in SCHEMA:
                db.execute(statement)
            columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
            if "stale" not in columns:  # a file from before expired sessions became markers
                db.execute("ALTER TABLE sessions ADD COLUMN stale REAL")
            sqlite_outbox.migrate(db)
        self.prune()

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._pool.transaction(BUSY)

    def _one(self, sql: str, *args: object) -> tuple | None:
        with self._pool.connection() as db:
            return spin(lambda: db.execute(sql, args).fetchone(), BUSY)

    def _record(self, db: sqlite3.Connection, key: str) -> str | None:
        # One statement for both places (each execute is a few µs on the push's path): the
        # reply kept for retries wins over a marker of the turn in flight.
        row = db.execute(RECORD, (key, self.clock.now(), time.time())).fetchone()
        return row[0] if row else None

    def begin(self, user: str, key: str, claim: Claim | None = None) -> str | None:
        with self._tx() as db:
            if claim is not None and not self._claim(db, *claim):
                raise ClaimConflict(claim[0])
            found = self._record(db, key)
            if found is None:
                db.execute("INSERT OR REPLACE INTO inflight VALUES (?,?,?)",
                           (key, RUNNING, time.time() + LEASE))
            return found

    def begin_turn(self, user: str, key: str, claim: Claim | None = None,
                   reads: tuple[str, ...] = (), join: bool = True) -> Begun:
        with self._tx() as db:  # claim, record, line and the turn's reads: one commit
            if claim is not None and not self._claim(db, *claim):
                raise ClaimConflict(claim[0])
            found = self._record(db, key)
            if found is not None:
                return Begun(user, found)
            db.execute("INSERT OR REPLACE INTO inflight VALUES (?,?,?)",
                       (key, RUNNING, time.time() + LEASE))
            if not join:
                return Begun(user, None)
            ticket, served = self._join(db, user)
            if not served:
                return Begun(user, None, ticket)
            return Begun(user, None, ticket, True, *self._look(db, user, reads))

    def look(self, user: str, reads: tuple[str, ...]) -> tuple[dict | None, dict]:
        with self._pool.connection() as db:
            return spin(lambda: self._look(db, user, reads), BUSY)

    def _look(self, db: sqlite3.Connection, user: str,
              reads: tuple[str, ...]) -> tuple[dict | None, dict]:
        now = self.clock.now()
        found: dict[str, str | None] = dict.fromkeys(reads)
        if not reads:
            row = db.execute("SELECT data, stale FROM sessions WHERE user=? AND expires>=?",
                             (user, now)).fetchone()
            return (None if row is None else self._opened(row, now)), found
        # The session and the records in one statement (rows tagged 0 and 1): one step fewer
        # on the push's path than a query each.
        marks = ",".join("?" * len(reads))
        session = None
        for tag, first, second in db.execute(
                "SELECT 0, data, stale FROM sessions WHERE user=? AND expires>=? UNION ALL "
                f"SELECT 1, key, value FROM kv WHERE key IN ({marks}) AND expires>?",
                (user, now, *reads, now)):
            if tag:
                found[first] = second
            else:
                session = self._opened((first, second), now)
        return session, found

    @staticmethod
    def _opened(row: tuple, now: float) -> dict:
        data = json.loads(row[0])
        return data if (row[1] or 0) >= now else expired_marker(data)

    def touch(self, user: str, key: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE inflight SET until=? WHERE key=?", (time.time() + LEASE, key))

    def owe(self, user: str, key: str, turn: dict | None = None) -> str | None:
        with self._tx() as db:  # the marker and the owed turn in one commit
            found = self._record(db, key)
            if found not in (None, RUNNING, OWED):
                return found
            db.execute("INSERT OR REPLACE INTO inflight VALUES (?,?,?)",
                       (key, OWED, time.time() + LEASE))
            if turn is not None:
                sqlite_outbox.put_in(db, TURN + key, turn)
            return None

    def reply(self, user: str, key: str) -> str | None:
        with self._pool.connection() as db:
            return spin(lambda: self._record(db, key), BUSY)

    def claim_request(self, key: str, digest: str, ttl: int) -> bool:
        with self._tx() as db:
            return self._claim(db, key, digest, ttl)

    def _claim(self, db: sqlite3.Connection, key: str, digest: str, ttl: int) -> bool:
        # A new query (the usual push) is claimed in one statement; a live claim is left as it
        # is and only then read, to compare its digest.
        now = self.clock.now()
        if db.execute(CLAIM, (key, digest, now + ttl, now)).fetchone() is not None:
            return True
        row = db.execute("SELECT digest FROM requests WHERE key=?", (key,)).fetchone()
        return row is not None and row[0] == digest

    def session(self, user: str) -> dict | None:
        now = self.clock.now()
        row = self._one("SELECT data, stale FROM sessions WHERE user=? AND expires>=?", user, now)
        return None if row is None else self._opened(row, now)

    def clear_sessions(self) -> int:
        with self._tx() as db:
            return db.execute("DELETE FROM sessions").rowcount

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int,
             lease: Lease | None = None, owed: dict | None = None,
             remember: bool = True, sends: tuple[tuple[str, dict], ...] = (),
             said: Said | None = None) -> None:
        now = self.clock.now()
        with self._tx() as db:
            row = None
            if lease is not None:
                row = self._row(db, user)
                if row is None or row.serving != lease.token:
                    raise LeaseLost(user)
            for send_key, body in sends:
                sqlite_outbox.put_in(db, send_key, body)
            if said is not None:
                self._mark(db, *said, now)
            if remember and session is None:
                db.execute("DELETE FROM sessions WHERE user=?", (user,))
            elif remember:
                db.execute("INSERT OR REPLACE INTO sessions VALUES (?,?,?,?)",
                           (user, json.dumps(session, ensure_ascii=False), now + ttl,
                            now + ttl + SESSION_GRACE))
            marker = db.execute("DELETE FROM inflight WHERE key=? RETURNING marker",
                                (key,)).fetchone()
            if marker is not None and marker[0] == OWED and owed is not None:
                sqlite_outbox.put_in(db, key, owed)
                reply, remember = "", True
            if remember:
                db.execute("INSERT OR REPLACE INTO replies VALUES (?,?,?)",
                           (key, reply, now + DEDUP_TTL))
            if lease is not None:
                self._end_in(db, lease, row=row)  # the row read above: nothing else wrote it
        self._saved.ended(lease)
        self._wake()

    @staticmethod
    def _mark(db: sqlite3.Connection, key: str, marks: list[str], keep: float,
              now: float) -> None:
        row = db.execute("SELECT value FROM kv WHERE key=? AND expires>?", (key, now)).fetchone()
        db.execute("INSERT OR REPLACE INTO kv VALUES (?,?,?)",
                   (key, with_marks(row and row[0], marks), now + keep))

    def prune(self) -> None:
        now = self.clock.now()
        with self._tx() as db:
            for table in ("replies", "requests", "sessions"):
                db.execute(f"DELETE FROM {table} WHERE expires<?", (now,))
            db.execute("DELETE FROM inflight WHERE until<?", (time.time(),))
            db.execute("DELETE FROM leases WHERE serving>next AND until<?",
                       (time.time() - turns.TURN_KEEP,))
            for user, data in db.execute("SELECT user, data FROM sessions WHERE stale<? AND "
                                         "data NOT LIKE '%\"expired\": true%'", (now,)).fetchall():
                db.execute("UPDATE sessions SET data=? WHERE user=?",
                           (json.dumps(expired_marker(json.loads(data))), user))
            self.outbox.prune_in(db)

    def close(self) -> None:
        self._pool.close()
