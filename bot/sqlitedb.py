"""SQLite as the store and the mock backend use it: pooled connections, brief busy waits.

Connections are lent per operation, not kept per thread: a server that runs each request on
a new thread (werkzeug's) would otherwise open the file once per message and keep it open.
SQLite's busy handler sleeps 1, 2, 5… ms between tries; with two gunicorn workers writing
small transactions that put milliseconds on the p99 for a lock held for microseconds, so
writers `spin` instead, with a bounded, jittered backoff so that no writer starves.

The files hold personal data: the directory is made 0700 and the file 0600 (SQLite gives
its -wal and -shm files the database file's mode).
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


SPIN_FIRST = 0.00005  # first pause after "database is locked"
SPIN_MAX = 0.002  # the backoff's ceiling: a waiting writer tries again at least this often
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


WAL_SWITCH = 5.0  # seconds to keep trying to switch a fresh file to WAL while others open it
# Checkpoints copy the WAL back into the file and sync it: ~ms, which SQLite does inside
# whichever commit crosses 1,000 pages, so a follower's push paid for everyone's (the p99).
# A pool given `checkpoint_every` does it on its own thread instead; commits only do it if
# that thread falls this far behind (pages of 4 KiB: ~40 MB of WAL).
CHECKPOINT_EVERY = 0.1  # s between background PASSIVE checkpoints: small and often measured
#                        best (store turns: p99 6.0-6.7 ms -> 0.5 ms; 0.5 s and 2 s gave
#                        the same p99 but 36-41 ms p99.9, a big checkpoint's sync at once)
AUTOCHECKPOINT_BACKSTOP = 10_000  # pages


def use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, retried: the switch takes the file's lock and SQLite's busy handler
    does not cover it, so processes opening a fresh file at once would fail at random."""
    spin(lambda: conn.execute("PRAGMA journal_mode=WAL"), WAL_SWITCH)


def spin(attempt: Callable[[], T], timeout: float = 30.0) -> T:
    """Run `attempt`, retrying "database is locked" with a jittered backoff up to SPIN_MAX."""
    deadline, pause = time.monotonic() + timeout, SPIN_FIRST
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(random.uniform(pause / 2, pause))  # jitter: writers do not retry in step
        pause = min(pause * 2, SPIN_MAX)


def private_dir(path: str | Path) -> None:
    """Create the data directory 0700 when missing (an existing one is the operator's)."""
    path = Path(path)
    if not path.exists():
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is cut by the umask


def private_file(path: str | Path) -> None:
    """Create `path` 0600 in a 0700 directory (a directory made here), before SQLite opens it.

    An existing file is never opened here: closing any descriptor of a file drops every POSIX
    lock this process holds on it, the locks of its open SQLite connections included (each
    KV and pool of the app calls this for the same store file), and another process then
    reads a half-written page ("disk I/O error" with two gunicorn instances on one file).
    """
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        if stat.S_IMODE(os.stat(path).st_mode) != PRIVATE_FILE:
            os.chmod(path, PRIVATE_FILE)  # a file from before this rule
        return
    os.close(fd)  # new: no connection of this process has it open yet


class Connection(sqlite3.Connection):
    """A pooled connection that remembers its busy timeout (read once, not per transaction)."""

    busy_ms: int | None = None


def begin_immediate(conn: sqlite3.Connection, timeout: float) -> None:
    """`BEGIN IMMEDIATE` by `spin`; a busy timeout kept for reads is lifted meanwhile."""
    restore_ms = getattr(conn, "busy_ms", None)
    if restore_ms is None:
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

    def __init__(self, path: str | Path, setup: Callable[[sqlite3.Connection], None],
                 checkpoint_every: float | None = None) -> None:
        self.path, self.setup = str(path), setup
        private_file(self.path)
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._writer = threading.Lock()  # one writer of this process at a time (see transaction)
        self._lent = threading.local()
        self._stop, self._dirty = threading.Event(), threading.Event()  # dirty: a commit since
        self._checkpointer: threading.Thread | None = None
        if checkpoint_every is not None:
            self._checkpointer = threading.Thread(
                target=self._checkpoint, args=(checkpoint_every,), name="wxbot-checkpoint",
                daemon=True)
            self._checkpointer.start()

    def _checkpoint(self, every: float) -> None:
        while True:
            self._dirty.wait()  # an idle pool costs nothing: no wake-ups without commits
            if self._stop.wait(every):  # the commits of the next `every` s go in one checkpoint
                return
            self._dirty.clear()
            try:
                with self.connection() as conn:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # never waits for anyone
            except sqlite3.Error:  # e.g. another process checkpointing: the next round will
                log.debug("background checkpoint skipped", exc_info=True)

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
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   factory=Connection)
            self.setup(conn)
            conn.busy_ms = conn.execute("PRAGMA busy_timeout").fetchone()[0]
            if self._checkpointer is not None:
                conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_BACKSTOP}")
            with self._guard:
                self._all.append(conn)
        self._lent.conn = conn
        try:
            yield conn
        finally:
            self._lent.conn = None
            with self._guard:
                closed = conn not in self._all  # the pool closed while this was lent
                if not closed:
                    self._idle.append(conn)
            if closed:
                conn.close()

    @contextmanager
    def transaction(self, timeout: float) -> Iterator[sqlite3.Connection]:
        """A block under the write lock (waited for up to `timeout` s): commit, or roll back.

        Nested use in one thread joins the outer transaction, so helpers can compose.
        """
        with self.connection() as conn:
            if conn.in_transaction:
                yield conn
                return
            # This process's writers queue on a lock (FIFO-ish, no CPU) rather than all
            # spinning on BEGIN: the spin is then only against other processes.
            if not self._writer.acquire(timeout=timeout):
                raise sqlite3.OperationalError("database is locked (writers queue too long)")
            try:
                begin_immediate(conn, timeout)
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                if not self._dirty.is_set():  # set() takes a lock and notifies: once is enough
                    self._dirty.set()
            finally:
                self._writer.release()

    def close(self) -> None:
        """Close the idle connections now and each lent one when it comes back.

        Closing a connection another thread is using crashes the interpreter (sqlite3 is not
        safe against it), so a late user finishes its block first.
        """
        self._stop.set()
        self._dirty.set()
        if self._checkpointer is not None and self._checkpointer is not threading.current_thread():
            self._checkpointer.join(CHECKPOINT_EVERY + 5)  # one checkpoint's worth at most
        with self._guard:
            idle, self._all, self._idle = self._idle, [], []
        for conn in idle:
            conn.close()
