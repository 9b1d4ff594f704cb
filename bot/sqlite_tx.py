"""Waiting for another SQLite writer briefly and often, instead of in SQLite's own sleeps.

SQLite's busy handler sleeps 1, 2, 5… ms between tries; with two gunicorn workers writing
small transactions that put milliseconds on the p99 for a lock held for microseconds.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def spin(attempt: Callable[[], T], timeout: float = 30.0) -> T:
    """Run `attempt`, retrying "database is locked" every 50 µs (doubling to 1 ms)."""
    deadline, pause = time.monotonic() + timeout, 0.00005
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.001)


def begin_immediate(conn: sqlite3.Connection, restore_ms: int, timeout: float = 30.0) -> None:
    """`BEGIN IMMEDIATE` by `spin`, on a connection whose reads keep a busy timeout."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        spin(lambda: conn.execute("BEGIN IMMEDIATE"), timeout)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {restore_ms}")
