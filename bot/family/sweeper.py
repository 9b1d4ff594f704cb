"""The sweeper: requests whose time ran out are decided "expired" with nobody writing.

On expiry both followers are told (the desk owes the messages), so something must look when
neither writes: one daemon thread per app looks at the open requests every `every` seconds
of real time, comparing against the injected clock (the simulator's, in tests and the demo).
Several instances sweep the same list; the decision record lets only one decide, the outbox
keys let each follower hear it once.
"""

from __future__ import annotations

import threading

from bot.family.desk import FamilyDesk

EVERY = 1.0  # seconds between looks: an expiry is said at most about this late


class Sweeper:
    """Runs `desk.sweep` until `close()`."""

    def __init__(self, desk: FamilyDesk, every: float = EVERY) -> None:
        self.desk, self.every = desk, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wxbot-family", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5.0)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.desk.sweep()  # it logs its own failures and carries on
