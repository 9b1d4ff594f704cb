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
