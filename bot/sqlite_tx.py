"""Write transactions that wait for another writer briefly and often, not in SQLite's sleeps.

SQLite's busy handler sleeps 1, 2, 5… ms between tries; with two gunicorn workers writing
small transactions that puts milliseconds on the p99 for a lock held for microseconds.
"""

from __future__ import annotations

import sqlite3
import time


def begin_immediate(conn: sqlite3.Connection, restore_ms: int, timeout: float = 30.0) -> None:
    """`BEGIN IMMEDIATE`, retrying every 50 µs (doubling to 1 ms) until `timeout` seconds.

    The connection's busy timeout (`restore_ms`) is set back afterwards, so reads keep it.
    """
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        deadline, pause = time.monotonic() + timeout, 0.00005
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.001)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {restore_ms}")
