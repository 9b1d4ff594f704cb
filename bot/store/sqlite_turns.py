"""The SQLite store's turn line: one row per follower in `leases`, the rules of turns.py.

A waiter peeks without writing while a live lease is held, so polling costs readers only.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from bot.store import turns
from bot.store.base import LEASE, TURN_WAIT, Begun, Claim, ClaimConflict, Lease


class SQLiteTurns:
    """Mixed into SQLiteStore, which provides the transactions, reads and claims."""

    _tx: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _one: Callable[..., tuple | None]
    _claim: Callable[..., bool]
    _released: threading.Condition
    _saved: turns.Saved

    def lock(self, user: str, timeout: float = TURN_WAIT,
             claim: Claim | None = None) -> AbstractContextManager[Lease]:
        def join() -> tuple[int, bool]:
            with self._tx() as db:  # the claim, the ticket and (if free) the turn: one commit
                if claim is not None and not self._claim(db, *claim):
                    raise ClaimConflict(claim[0])
                return self._join(db, user)

        return turns.line(user, join, lambda ticket: self._attempt(user, ticket),
                          lambda lease: self._end(lease, True), timeout, self._released,
                          self._saved)

    def hold(self, begun: Begun, timeout: float = TURN_WAIT) -> AbstractContextManager[Lease]:
        return turns.line(begun.user, lambda: (begun.ticket, begun.served),
                          lambda ticket: self._attempt(begun.user, ticket),
                          lambda lease: self._end(lease, True), timeout, self._released,
                          self._saved)

    def leave(self, lease: Lease) -> None:
        self._end(lease, True)

    def _join(self, db: sqlite3.Connection, user: str) -> tuple[int, bool]:
        """A ticket in `user`'s line, and whether its turn came at once (in the caller's tx)."""
        row, ticket = turns.take(self._row(db, user), time.time())
        served = bool(turns.attempt(row, ticket, time.time()))
        self._put_row(db, user, row)
        return ticket, served

    def _row(self, db: sqlite3.Connection, user: str) -> turns.TurnRow | None:
        found = db.execute("SELECT next, serving, until, skipped FROM leases WHERE user=?",
                           (user,)).fetchone()
        if not found:
            return None
        # Nearly always nobody left the line: '[]' without the JSON decoder (twice a push).
        return turns.TurnRow(*found[:3], [] if found[3] == "[]" else json.loads(found[3]))

    def _put_row(self, db: sqlite3.Connection, user: str, row: turns.TurnRow) -> None:
        db.execute("INSERT OR REPLACE INTO leases VALUES (?,?,?,?,?)",
                   (user, row.next, row.serving, row.until,
                    json.dumps(row.skipped) if row.skipped else "[]"))

    def _attempt(self, user: str, ticket: int) -> bool | None:
        peek = self._one("SELECT serving, until FROM leases WHERE user=?", user)
        if peek is not None and peek[0] < ticket and peek[1] >= time.time():
            return False  # someone holds a live lease: look again without writing
        with self._tx() as db:
            row = self._row(db, user)
            if row is None:
                return None
            got = turns.attempt(row, ticket, time.time())
            self._put_row(db, user, row)
            return got

    def renew(self, lease: Lease) -> bool:
        with self._tx() as db:
            return db.execute("UPDATE leases SET until=? WHERE user=? AND serving=?",
                              (time.time() + LEASE, lease.user, lease.token)).rowcount == 1

    def _end(self, lease: Lease, giving_up: bool = False) -> None:
        with self._tx() as db:
            self._end_in(db, lease, giving_up)
        self._wake()

    def _end_in(self, db: sqlite3.Connection, lease: Lease, giving_up: bool = False,
                row: turns.TurnRow | None = None) -> None:
        """End the turn in the caller's transaction; `row`: the line as read in it already."""
        row = row or self._row(db, lease.user)
        if row is not None:
            turns.end(row, lease.token, time.time(), giving_up)
            self._put_row(db, lease.user, row)

    def _wake(self) -> None:
        with self._released:  # waiters in this process look again at once
            self._released.notify_all()
