"""The turn line of one follower as data: FIFO tickets, a lease on the served one, fencing.

The memory and SQLite stores keep a `TurnRow` per follower and apply these functions inside
their own atomic section; Redis runs the same rules as Lua (bot/store/redis_scripts.py).
The ticket is the fencing token: the counter starts at `ticket_base` and only grows, so a
token is never handed out twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.store.base import LEASE, Lease, LockTimeout, ticket_base

POLL_FIRST = 0.0005  # first pause between looks at the line (a local release wakes at once)
POLL_MAX = 0.02  # bounded backoff: a waiter looks again at least this often
TURN_KEEP = 86_400.0  # seconds an empty line keeps its counter


@dataclass
class TurnRow:
    next: int  # the last ticket handed out
    serving: int  # the ticket whose turn it is (next + 1 when nobody is in line)
    until: float  # when the served ticket's lease runs out (epoch seconds)
    skipped: list[int] = field(default_factory=list)  # tickets whose waiters left the line

    @classmethod
    def fresh(cls, now: float) -> TurnRow:
        base = ticket_base(now)
        return cls(base, base + 1, now + LEASE)


def take(row: TurnRow | None, now: float) -> tuple[TurnRow, int]:
    """Join the line: a new ticket (a fresh row when the follower has none)."""
    row = row or TurnRow.fresh(now)
    row.next += 1
    return row, row.next


def attempt(row: TurnRow, ticket: int, now: float) -> bool | None:
    """Take the turn if it is `ticket`'s, passing over holders whose lease ran out.

    None when `ticket` itself was passed over (its waiter was away past its lease).
    """
    while True:
        if row.serving == ticket:
            row.until = now + LEASE
            return True
        if row.serving > ticket:
            return None
        if row.until >= now:
            return False
        _advance(row, now)


def renew(row: TurnRow | None, ticket: int, now: float) -> bool:
    if row is None or row.serving != ticket:
        return False
    row.until = now + LEASE
    return True


def end(row: TurnRow | None, ticket: int, now: float, giving_up: bool = False) -> bool:
    """End `ticket`'s turn if it still holds it; a waiter giving up is passed over later."""
    if row is None:
        return False
    if row.serving == ticket:
        _advance(row, now)
        return True
    if giving_up and ticket > row.serving and ticket not in row.skipped:
        row.skipped.append(ticket)
    return False


def forgettable(row: TurnRow, now: float) -> bool:
    """Nobody in line for TURN_KEEP: the row may go (a new counter starts higher).

    Rows are not dropped the moment the line empties: a new counter would start at the
    clock's milliseconds, which a fast follower's tickets may have passed, and a late
    release could then end a stranger's turn.
    """
    return row.serving > row.next and row.until < now - TURN_KEEP


def _advance(row: TurnRow, now: float) -> None:
    serving = row.serving + 1
    while serving in row.skipped:
        row.skipped.remove(serving)
        serving += 1
    row.serving, row.until = serving, now + LEASE


def wait_turn(try_once: Callable[[], bool | None], give_up: Callable[[], None],
              timeout: float, user: str, wake: threading.Condition) -> None:
    """Look until `try_once` is True (None: passed over), with a bounded backoff."""
    deadline, pause = time.monotonic() + timeout, POLL_FIRST
    while True:
        got = try_once()
        if got:
            return
        if got is None or time.monotonic() > deadline:
            give_up()
            raise LockTimeout(user)
        with wake:  # a release in this process wakes us at once
            wake.wait(pause)
        pause = min(pause * 2, POLL_MAX)


class Saved:
    """The lease this thread's last save ended: giving that ticket back again would be a
    wasted write (SQLite) or round trip (Redis), so the line skips it."""

    def __init__(self) -> None:
        self._local = threading.local()

    def ended(self, lease: Lease | None) -> None:
        self._local.lease = lease

    def took(self, lease: Lease) -> bool:
        """True, once, when the save ended `lease`'s turn."""
        if getattr(self._local, "lease", None) != lease:
            return False
        self._local.lease = None
        return True


@contextmanager
def line(user: str, join: Callable[[], tuple[int, bool]], try_once: Callable[[int], bool | None],
         leave: Callable[[Lease], None], timeout: float, wake: threading.Condition,
         saved: Saved) -> Iterator[Lease]:
    """Every store's `lock`: join the line (served at once when nobody holds it, in the same
    write), wait for the turn otherwise, and give the ticket back whichever way out."""
    ticket, served = join()
    lease = Lease(user, ticket)
    try:
        if not served:
            wait_turn(lambda: try_once(ticket), lambda: leave(lease), timeout, user, wake)
        yield lease
    finally:  # ends the turn, or leaves the line; nothing to do once the save ended it
        if not saved.took(lease):
            leave(lease)
