"""The default store: one SQLite file in WAL mode, shared by every worker process.

Connections come from a pool and are reused; turns are tickets in a table, so one
user's messages are served in arrival order even across gunicorn workers, and a holder that
died (kill -9) is passed over once its turn is stale.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from bot.clock import Clock
from bot.sqlitedb import Pool, spin
from bot.store.base import DEDUP_TTL, PRUNE_EVERY, SESSION_GRACE, Claim, ClaimConflict, LockTimeout

STALE_TURN = 30.0  # seconds a turn may be held before its holder is presumed dead
BUSY = 30.0  # seconds to wait for another writer before giving up
SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT NOT NULL, expires REAL);
CREATE TABLE IF NOT EXISTS requests (key TEXT PRIMARY KEY, digest TEXT NOT NULL, expires REAL);
CREATE TABLE IF NOT EXISTS sessions (user TEXT PRIMARY KEY, data TEXT NOT NULL, expires REAL);
CREATE TABLE IF NOT EXISTS turns (user TEXT PRIMARY KEY, next INTEGER, serving INTEGER, since REAL);
CREATE TABLE IF NOT EXISTS skipped (user TEXT, ticket INTEGER, PRIMARY KEY (user, ticket));
"""


def _setup(db: sqlite3.Connection) -> None:
    # No busy handler (timeout 0 at connect): `spin` retries in µs where SQLite sleeps in ms.
    db.execute("PRAGMA busy_timeout=0")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")


class SQLiteStore:
    """Durable across restarts and kill -9: WAL with synchronous=NORMAL survives a crash."""

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock or Clock()
        self._local = threading.local()  # the turn this thread holds, for save() to end
        self._pool = Pool(self.path, _setup)
        self._released = threading.Condition()
        self._saves = 0
        with self._pool.connection() as db:
            db.executescript(SCHEMA)

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._pool.transaction(BUSY)

    def _one(self, sql: str, *args: object) -> tuple | None:
        with self._pool.connection() as db:
            return spin(lambda: db.execute(sql, args).fetchone(), BUSY)

    def reply(self, key: str) -> str | None:
        row = self._one("SELECT reply FROM replies WHERE key=? AND expires>=?", key,
                        self.clock.now())
        return row[0] if row else None

    def claim_request(self, key: str, digest: str, ttl: int) -> bool:
        with self._tx() as db:
            return self._claim(db, key, digest, ttl)

    def _claim(self, db: sqlite3.Connection, key: str, digest: str, ttl: int) -> bool:
        now = self.clock.now()
        row = db.execute("SELECT digest FROM requests WHERE key=? AND expires>=?",
                         (key, now)).fetchone()
        if row is None:
            db.execute("INSERT OR REPLACE INTO requests VALUES (?,?,?)", (key, digest, now + ttl))
        return row is None or row[0] == digest

    def session(self, user: str) -> dict | None:
        row = self._one("SELECT data FROM sessions WHERE user=? AND expires>=?", user,
                        self.clock.now())
        return json.loads(row[0]) if row else None

    def clear_sessions(self) -> int:
        with self._tx() as db:
            return db.execute("DELETE FROM sessions").rowcount

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int) -> None:
        now = self.clock.now()
        with self._tx() as db:
            if session is None:
                db.execute("DELETE FROM sessions WHERE user=?", (user,))
            else:
                db.execute("INSERT OR REPLACE INTO sessions VALUES (?,?,?)",
                           (user, json.dumps(session, ensure_ascii=False),
                            now + ttl + SESSION_GRACE))
            db.execute("INSERT OR REPLACE INTO replies VALUES (?,?,?)",
                       (key, reply, now + DEDUP_TTL))
            turn = getattr(self._local, "turn", None)
            if turn is not None and turn[0] == user:  # end the turn in the same commit
                self._pass_turn(db, *turn)
            self._saves += 1
            if self._saves % PRUNE_EVERY == 0:
                for table in ("replies", "requests", "sessions"):
                    db.execute(f"DELETE FROM {table} WHERE expires<?", (now,))
        if turn is not None and turn[0] == user:
            self._local.turn = None
            self._wake()

    @contextmanager
    def lock(self, user: str, timeout: float = 10.0, claim: Claim | None = None) -> Iterator[None]:
        with self._tx() as db:  # the claim and the ticket in one commit
            if claim is not None and not self._claim(db, *claim):
                raise ClaimConflict(claim[0])
            ticket, serving = db.execute(
                "INSERT INTO turns VALUES (?,1,0,?) ON CONFLICT(user) DO UPDATE "
                "SET next=next+1 RETURNING next-1, serving", (user, time.time())).fetchone()
        if serving != ticket:
            self._wait_turn(user, ticket, timeout)
        self._local.turn = (user, ticket)
        try:
            yield
        finally:
            if getattr(self._local, "turn", None) == (user, ticket):  # save() did not end it
                self._local.turn = None
                self._advance(user, ticket)

    def _wait_turn(self, user: str, ticket: int, timeout: float) -> None:
        deadline, pause = time.monotonic() + timeout, 0.0005
        while True:
            row = self._one("SELECT serving, since FROM turns WHERE user=?", user)
            if row is None or row[0] == ticket:
                return
            if time.time() - row[1] > STALE_TURN:
                self._advance(user, row[0])
                continue
            if time.monotonic() > deadline:
                self._give_up(user, ticket)
                raise LockTimeout(user)
            with self._released:  # a release in this process wakes us at once
                self._released.wait(pause)
            pause = min(pause * 2, 0.02)

    def _give_up(self, user: str, ticket: int) -> None:
        """Leave the line: mark the ticket to be passed over, or end the turn if it just came."""
        with self._tx() as db:
            row = db.execute("SELECT serving FROM turns WHERE user=?", (user,)).fetchone()
            mine = row is not None and row[0] == ticket
            if not mine:
                db.execute("INSERT OR IGNORE INTO skipped VALUES (?,?)", (user, ticket))
        if mine:
            self._advance(user, ticket)

    def _advance(self, user: str, ticket: int) -> None:
        """End `ticket`'s turn (if it is still the one served) and pass over gave-up tickets."""
        with self._tx() as db:
            self._pass_turn(db, user, ticket)
        self._wake()

    def _pass_turn(self, db: sqlite3.Connection, user: str, ticket: int) -> None:
        row = db.execute("SELECT next, serving FROM turns WHERE user=?", (user,)).fetchone()
        if row is None or row[1] != ticket:
            return
        nxt, serving = row[0], ticket + 1
        while db.execute("DELETE FROM skipped WHERE user=? AND ticket=? RETURNING 1",
                         (user, serving)).fetchone():
            serving += 1
        if serving >= nxt:  # nobody waiting: drop the row so the table stays small
            db.execute("DELETE FROM turns WHERE user=?", (user,))
        else:
            db.execute("UPDATE turns SET serving=?, since=? WHERE user=?",
                       (serving, time.time(), user))

    def _wake(self) -> None:
        with self._released:  # waiters in this process look again at once
            self._released.notify_all()

    def close(self) -> None:
        self._pool.close()
