"""One transaction helper for both SQLite users (the store and the mock backend)."""

import sqlite3
import time
from pathlib import Path

import pytest

from bot.sqlitedb import Pool


def _table(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout = 250")  # like the backend's readers
    conn.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")


@pytest.fixture
def pool(tmp_path: Path):
    pool = Pool(tmp_path / "db.sqlite", _table)
    yield pool
    pool.close()


def rows(pool: Pool) -> list[int]:
    with pool.connection() as conn:
        return [n for (n,) in conn.execute("SELECT n FROM t ORDER BY n")]


def test_sqlitedb_transaction_commits_and_rolls_back(pool: Pool) -> None:
    with pool.transaction(1.0) as conn:
        conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError), pool.transaction(1.0) as conn:
        conn.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("half done")
    assert rows(pool) == [1]


def test_sqlitedb_nested_transaction_joins_the_outer_one(pool: Pool) -> None:
    with pytest.raises(RuntimeError), pool.transaction(1.0) as outer:
        outer.execute("INSERT INTO t VALUES (1)")
        with pool.transaction(1.0) as inner:
            assert inner is outer
            inner.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("the outer block fails after the inner one ended")
    assert rows(pool) == []


def test_sqlitedb_transaction_waits_its_timeout_then_gives_up(tmp_path: Path, pool: Pool) -> None:
    assert rows(pool) == []  # the pooled connection exists, its setup done
    other = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"), pool.transaction(0.3):
            pass
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert 0.3 <= waited < 2.0
    with pool.connection() as conn:  # the readers' busy timeout is back after the attempt
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 250


@pytest.mark.parametrize(("every", "most_mb"), [(None, None), (0.02, 2.0)])
def test_sqlitedb_checkpoints_run_beside_the_commits(tmp_path: Path, every, most_mb) -> None:
    """Commits leave checkpoints to the pool's thread: the WAL is copied back and reused
    while they go on, and no commit crosses SQLite's 1,000-page mark to do it itself."""
    import threading

    from bot.sqlitedb import AUTOCHECKPOINT_BACKSTOP, use_wal

    path = tmp_path / "c.sqlite3"
    made = Pool(path, use_wal, checkpoint_every=every)
    with made.transaction(1.0) as db:
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    for k in range(2500):  # ~2,500 WAL frames: past SQLite's own 1,000-page checkpoint
        with made.transaction(1.0) as db:
            db.execute("INSERT OR REPLACE INTO t VALUES (?, ?)", (k % 50, "x" * 100))
        if k % 250 == 0:
            time.sleep(2 * (every or 0))
    with made.connection() as db:
        backstop = db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    wal_mb = (tmp_path / "c.sqlite3-wal").stat().st_size / 2**20
    own = made._checkpointer  # noqa: SLF001 - the pool's thread, not other tests' pools
    made.close()
    if every is None:  # SQLite's own: a commit checkpoints at 1,000 pages (~4 MB)
        assert backstop == 1000 and own is None
        assert wal_mb > 3.0
    else:
        assert backstop == AUTOCHECKPOINT_BACKSTOP and own is not None
        assert wal_mb < most_mb, f"{wal_mb:.1f} MB of WAL: the checkpointer fell behind"
        assert own not in threading.enumerate()  # close() stopped it
