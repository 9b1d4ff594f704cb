"""The mock backend's SQLite file: its tables, and one reused connection per thread.

WAL mode lets the simulator page read while a conversation writes; `transaction()` takes the
write lock up front (BEGIN IMMEDIATE) so read-then-write steps such as the SMS rate limit
cannot race between threads or processes sharing the file.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from bot.sqlitedb import CHECKPOINT_EVERY, Pool, use_wal

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    id_number TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT);
CREATE TABLE IF NOT EXISTS cards (
    card_number TEXT PRIMARY KEY, holder TEXT NOT NULL REFERENCES people(id_number),
    status TEXT NOT NULL, password_hash TEXT NOT NULL,
    bound_openid TEXT UNIQUE, guardian TEXT, relation TEXT, consent_at REAL,
    consent_via TEXT);
CREATE INDEX IF NOT EXISTS cards_holder ON cards(holder);
CREATE TABLE IF NOT EXISTS guardianships (
    minor TEXT NOT NULL, guardian TEXT NOT NULL, relation TEXT NOT NULL,
    PRIMARY KEY (minor, guardian));
CREATE TABLE IF NOT EXISTS codes (
    id_number TEXT NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL,
    expires_at REAL NOT NULL, PRIMARY KEY (id_number, purpose));
CREATE TABLE IF NOT EXISTS spent_codes (
    id_number TEXT NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL,
    until REAL NOT NULL);
CREATE INDEX IF NOT EXISTS spent_codes_key ON spent_codes(id_number, purpose);
CREATE TABLE IF NOT EXISTS attempts (
    id_number TEXT NOT NULL, purpose TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0, PRIMARY KEY (id_number, purpose));
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, phone TEXT NOT NULL, code TEXT NOT NULL,
    purpose TEXT NOT NULL, sent_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_phone ON outbox(phone, seq);
CREATE TABLE IF NOT EXISTS reviews (
    ref TEXT PRIMARY KEY, day TEXT NOT NULL, seq INTEGER NOT NULL, id_number TEXT NOT NULL,
    openid TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL, created_at REAL NOT NULL,
    UNIQUE (day, seq));
CREATE TABLE IF NOT EXISTS family (
    guardian TEXT NOT NULL, member TEXT NOT NULL, added_at REAL NOT NULL,
    PRIMARY KEY (guardian, member));
CREATE TABLE IF NOT EXISTS effects (
    key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, result TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS effects_at ON effects(at);
"""

WRITE_WAIT = 30.0  # seconds a write waits for another writer before giving up
STATE_TABLES = (
    "cards", "guardianships", "codes", "spent_codes", "attempts", "outbox", "reviews",
    "effects", "family",
    "people",
)


def _setup(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    use_wal(conn)
    # A simulator's file: never synced. A killed process loses nothing (the OS holds its writes,
    # as with NORMAL); only a crash of the machine itself could. NORMAL synced at every
    # checkpoint, whose fsync on a shared disk stalled the commits of the bot's own store.
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = ON")


def _add_columns(conn: sqlite3.Connection) -> None:
    """Columns added after a file was first made: a kept state file gains them empty."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(cards)")}
    if "consent_via" not in have:
        conn.execute("ALTER TABLE cards ADD COLUMN consent_via TEXT")


class Database:
    """A SQLite file shared by threads through a pool of reused connections."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._pool = Pool(self.path, _setup, checkpoint_every=CHECKPOINT_EVERY)
        with self.connection() as conn:
            conn.executescript(SCHEMA)
            _add_columns(conn)

    def connection(self) -> AbstractContextManager[sqlite3.Connection]:
        """A connection for a block; nested blocks in one thread share it (and its tx)."""
        return self._pool.connection()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Run a block under the write lock, committing on success, rolling back on error."""
        return self._pool.transaction(WRITE_WAIT)

    def is_empty(self) -> bool:
        """True before the first seeding, so a restart keeps its state."""
        with self.connection() as conn:
            return conn.execute("SELECT 1 FROM people LIMIT 1").fetchone() is None

    def clear(self, conn: sqlite3.Connection) -> None:
        """Drop every row (inside the caller's transaction), ready for a fresh seed."""
        for table in STATE_TABLES:
            conn.execute(f"DELETE FROM {table}")  # fixed names, not input

    def close(self) -> None:
        """Close every pooled connection; the object is unusable afterwards."""
        self._pool.close()
