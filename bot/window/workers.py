"""Turns run off the request thread: a bounded pool, and one renewer for every flight.

The renewer also sweeps expired rows from the store every PRUNE_INTERVAL.

The request thread waits for its turn's result only as long as the reply deadline; the turn
itself carries on. While a delivery is in flight (queued or working) the renewer keeps its
RUNNING/OWED record alive and renews its lease, so retries see it and other waiters do not
pass over a live holder; if this process dies, both run out within a lease, and a courier
anywhere runs an owed turn again (bot/window/rescue.py).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.store import LEASE, MARKERS, Lease, Store
from bot.store.base import PRUNE_INTERVAL

log = logging.getLogger(__name__)
TURN_WORKERS = 16  # turns running at once per process (each may sit on a slow backend)
BACKLOG = 256  # turns queued beyond that; past it a push is told "busy" at once
RENEW_EVERY = LEASE / 3  # three chances to renew before a lease runs out


@dataclass(eq=False)
class Flight:
    user: str
    key: str
    lease: Lease | None = None
    future: Future = field(default_factory=Future)
    owed: bool = False  # its reply goes out through the outbox: the courier is woken after it


class Window:
    """Owns the turn workers and the renewer thread; `close()` stops both."""

    def __init__(self, store: Store, workers: int = TURN_WORKERS, backlog: int = BACKLOG,
                 prune_every: float = PRUNE_INTERVAL) -> None:
        self.store, self.workers, self.limit = store, workers, workers + backlog
        self.prune_every = prune_every
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="wxbot-turn")
        self._guard = threading.Lock()
        self._flights: set[Flight] = set()
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew, name="wxbot-renewer", daemon=True)
        self._renewer.start()

    def submit(self, work: Callable[[Flight], str], user: str, key: str,
               owed: bool = False, lease: Lease | None = None) -> Flight | None:
        """Run `work` on a worker; None when even the backlog is full. `lease`: a turn held
        already (renewed from now on, queued or working)."""
        flight = Flight(user, key, lease, owed=owed)
        with self._guard:
            if len(self._flights) >= self.limit:
                return None
            self._flights.add(flight)
        # The caller's context goes along: observers (the recorder) still see their request.
        self._pool.submit(contextvars.copy_context().run, self._run, work, flight)
        return flight

    def saturated(self) -> bool:
        """Every worker is taken: a new turn would only queue, so its reply is owed at once."""
        with self._guard:
            return len(self._flights) >= self.workers

    def _run(self, work: Callable[[Flight], str], flight: Flight) -> None:
        try:
            flight.future.set_result(work(flight))
        except BaseException as exc:  # handed to the waiter, who logs it
            flight.future.set_exception(exc)
        finally:
            with self._guard:
                self._flights.discard(flight)

    def _renew(self) -> None:
        pruned = time.monotonic()
        while not self._stop.wait(RENEW_EVERY):
            if time.monotonic() - pruned >= self.prune_every:  # expired rows go on a timer too
                pruned = time.monotonic()
                try:
                    self.store.prune()
                except Exception:
                    log.warning("could not prune the store", exc_info=True)
            with self._guard:
                flights = list(self._flights)
            for flight in flights:
                try:
                    self.store.touch(flight.user, flight.key)
                    if flight.lease is not None and not self.store.renew(flight.lease):
                        self._lost(flight, flight.lease)
                except Exception:  # the store is down: the next round tries again
                    log.warning("could not renew a turn", exc_info=True)

    def _lost(self, flight: Flight, lease: Lease) -> None:
        """A refused renewal; only a turn whose delivery is still unsaved has lost anything.

        The flight stays listed until its worker returns, after the save that ended the turn:
        a renewal in that gap is refused too. The save ends the turn and clears the delivery's
        marker in one commit, so a marker still there means the line moved on without it.
        """
        flight.lease = None  # stop renewing; said at most once
        if self.store.reply(flight.user, flight.key) in MARKERS:
            log.warning("a turn lost its lease (token %d); its work will not be saved",
                        lease.token)

    def close(self) -> None:
        self._stop.set()
        self._renewer.join(RENEW_EVERY + 1)
        self._pool.shutdown(wait=True, cancel_futures=True)
