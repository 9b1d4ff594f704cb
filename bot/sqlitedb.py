"""SQLite as the store and the mock backend use it: pooled connections, brief busy waits.

Connections are lent per operation, not kept per thread: a server that runs each request on
a new thread (werkzeug's) would otherwise open the file once per message and keep it open.
SQLite's busy handler sleeps 1, 2, 5… ms between tries; with two gunicorn workers writing
small transactions that put milliseconds on the p99 for a lock held for microseconds, so
writers `spin` instead.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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


def begin_immediate(conn: sqlite3.Connection, timeout: float) -> None:
    """`BEGIN IMMEDIATE` by `spin`; a busy timeout kept for reads is lifted meanwhile."""
    restore_ms = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    if not restore_ms:
        spin(lambda: conn.execute("BEGIN IMMEDIATE"), timeout)
        return
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        spin(lambda: conn.execute("BEGIN IMMEDIATE"), timeout)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {restore_ms}")


class Pool:
    """Connections to one SQLite file, lent to one thread at a time and then reused."""

    def __init__(self, path: str | Path, setup: Callable[[sqlite3.Connection], None]) -> None:
        self.path, self.setup = str(path), setup
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._lent = threading.local()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for this block; nested blocks in one thread share it (and its tx)."""
        held = getattr(self._lent, "conn", None)
        if held is not None:
            yield held
            return
        with self._guard:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.setup(conn)
            with self._guard:
                self._all.append(conn)
        self._lent.conn = conn
        try:
            yield conn
        finally:
            self._lent.conn = None
            with self._guard:
                self._idle.append(conn)

    @contextmanager
    def transaction(self, timeout: float) -> Iterator[sqlite3.Connection]:
        """A block under the write lock (waited for up to `timeout` s): commit, or roll back.

        Nested use in one thread joins the outer transaction, so helpers can compose.
        """
        with self.connection() as conn:
            if conn.in_transaction:
                yield conn
                return
            begin_immediate(conn, timeout)
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._guard:
            conns, self._all, self._idle = self._all, [], []
        for conn in conns:
            conn.close()
