"""The mock platform's state in one SQLite file, so every worker process plays one platform.

The file lives in BOT_DATA_DIR (mode 0600: it holds access tokens and followers' openids).
Each change is one `BEGIN IMMEDIATE` transaction, so a counted quota or a fault's remaining
`times` is never spent twice by two workers at once.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from bot.sqlitedb import Pool, spin, use_wal

BUSY = 5.0  # seconds to wait for another worker's write; mock writes take microseconds
FILENAME = "platform.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, issued REAL, expires REAL,
                                   superseded REAL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS followers (openid TEXT PRIMARY KEY, subscribed INTEGER, since REAL);
CREATE TABLE IF NOT EXISTS windows (openid TEXT, trig TEXT, opened REAL, used INTEGER,
                                    mark TEXT, PRIMARY KEY (openid, trig));
CREATE TABLE IF NOT EXISTS outbound (id INTEGER PRIMARY KEY AUTOINCREMENT, openid TEXT,
                                     api TEXT, body TEXT, at REAL);
CREATE TABLE IF NOT EXISTS menu (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT);
CREATE TABLE IF NOT EXISTS faults (api TEXT PRIMARY KEY, errcode INTEGER, times INTEGER);
CREATE TABLE IF NOT EXISTS delays (api TEXT PRIMARY KEY, seconds REAL, times INTEGER);
CREATE TABLE IF NOT EXISTS outage (id INTEGER PRIMARY KEY CHECK (id = 1), since REAL);
CREATE TABLE IF NOT EXISTS templates (template_id TEXT PRIMARY KEY, content TEXT);
CREATE TABLE IF NOT EXISTS kf_agents (account TEXT PRIMARY KEY, nick TEXT, id INTEGER,
                                      online INTEGER);
CREATE TABLE IF NOT EXISTS kf_sessions (openid TEXT PRIMARY KEY, account TEXT, created REAL,
                                        last REAL);
CREATE TABLE IF NOT EXISTS kf_queue (openid TEXT PRIMARY KEY, account TEXT, since REAL,
                                     latest REAL);
CREATE TABLE IF NOT EXISTS sub_templates (pri_id TEXT PRIMARY KEY, tid INTEGER, title TEXT,
                                          type INTEGER, keywords TEXT, scene TEXT);
CREATE TABLE IF NOT EXISTS sub_grants (openid TEXT, template_id TEXT, status TEXT,
                                       remaining INTEGER, at REAL,
                                       PRIMARY KEY (openid, template_id));
CREATE TABLE IF NOT EXISTS kf_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, openid TEXT,
                                        side TEXT, account TEXT, text TEXT, at REAL);

"""


def _setup(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA busy_timeout=1000")
    use_wal(db)
    db.execute("PRAGMA synchronous=NORMAL")


class PlatformDB:
    """Connections and transactions over the mock's file; the tables are its callers'."""

    def __init__(self, data_dir: str | Path) -> None:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        self.path = Path(data_dir) / FILENAME
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)  # also when the file was made earlier with a looser umask
        self._pool = Pool(self.path, _setup)
        with self._pool.connection() as db:
            spin(lambda: db.executescript(SCHEMA), BUSY)

    def tx(self, busy: float = BUSY) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction (waiting `busy` s for other writers); nested ones join it."""
        return self._pool.transaction(busy)

    def rows(self, sql: str, *args: object) -> list[tuple]:
        with self._pool.connection() as db:
            return spin(lambda: db.execute(sql, args).fetchall(), BUSY)

    def one(self, sql: str, *args: object) -> tuple | None:
        found = self.rows(sql, *args)
        return found[0] if found else None

    def bump(self, name: str, by: int = 1) -> int:
        """Add to a named counter (calls per API, msgids) and return its new value."""
        with self.tx() as db:
            db.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) DO UPDATE "
                       "SET n = n + excluded.n", (name, by))
            return db.execute("SELECT n FROM counters WHERE name=?", (name,)).fetchone()[0]

    def counters(self) -> dict[str, int]:
        return dict(self.rows("SELECT name, n FROM counters"))

    def take_fault(self, api: str) -> int | None:
        """The errcode this call of `api` must fail with, spending one of the fault's times."""
        with self.tx() as db:
            row = db.execute("SELECT errcode, times FROM faults WHERE api=?", (api,)).fetchone()
            if row is None:
                return None
            if row[1] <= 1:
                db.execute("DELETE FROM faults WHERE api=?", (api,))
            else:
                db.execute("UPDATE faults SET times = times - 1 WHERE api=?", (api,))
            return row[0]

    def take_delay(self, api: str) -> float:
        """Seconds this call of `api` answers late (after doing its work), spending one time."""
        with self.tx() as db:
            row = db.execute("SELECT seconds, times FROM delays WHERE api=?", (api,)).fetchone()
            if row is None:
                return 0.0
            if row[1] <= 1:
                db.execute("DELETE FROM delays WHERE api=?", (api,))
            else:
                db.execute("UPDATE delays SET times = times - 1 WHERE api=?", (api,))
            return float(row[0])

    def set_delay(self, api: str, seconds: float, times: int) -> None:
        with self.tx() as db:
            if times <= 0 or seconds <= 0:
                db.execute("DELETE FROM delays WHERE api=?", (api,))
            else:
                db.execute("INSERT OR REPLACE INTO delays VALUES (?, ?, ?)", (api, seconds, times))

    def set_fault(self, api: str, errcode: int, times: int) -> None:
        with self.tx() as db:
            if times <= 0:
                db.execute("DELETE FROM faults WHERE api=?", (api,))
            else:
                db.execute("INSERT OR REPLACE INTO faults VALUES (?, ?, ?)", (api, errcode, times))

    def close(self) -> None:
        self._pool.close()
