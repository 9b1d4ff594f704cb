"""A lock met before, said before the first question of the service that would meet it again.

Too many wrong codes (or service passwords) lock an ID number for a purpose, in the backend.
A follower who met that lock and starts the same service again used to type the ID number,
the name and the card number before hearing "paused" once more. The lock met is noted per
follower and service (flows.port.Pauses, kept by the bot until it lifts), and the service's
start says it at once: when it lifts, and the way on meanwhile (a person, 12333). Nothing
about any card is said: only what this follower was told already, when the lock was met.
The note has no ID in it, so it stands for the whole service: a follower locked out while
acting for someone else waits too (or calls 12333). Locks on a guardian are not noted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flows.base import StateSpec, Turn

PAUSED: StateSpec = {"name": "paused", "prompt": "common.paused", "final": True}


class Pausing:
    """Mixin (inside Verification): note a lock when met, say it before asking anything."""

    name: ClassVar[str]
    # False: the service has steps no lock touches (亲情服务 lists the members and removes one
    # without a code), so a lock is said where it is met, as before.
    pauses_up_front: ClassVar[bool] = True
    specs: ClassVar[dict[str, StateSpec]]
    turn: Turn
    slots: dict[str, Any]
    state: str
    outcome: str
    clock_after: Callable[[int], str]

    def start(self) -> None:
        """A lock this follower met in this service, not lifted yet: the service ends at once,
        saying so (a flow already ending for its own reason, e.g. a card bound here, says
        that instead)."""
        if self.pauses_up_front and not self.specs[self.state].get("final") and self.paused():
            self.state = "paused"
        super().start()  # type: ignore[misc]  # Flow.start, after the mixins

    def paused(self) -> bool:
        """True when a noted lock still holds; its end goes in `retry_at`, as the lock said."""
        pauses, now = self.turn.pauses, self.turn.clock.now()
        until = pauses.until(self.turn.openid, self.name) if pauses else 0.0
        if until <= now:
            return False
        self.slots["retry_at"] = self.clock_after(int(until - now + 0.999))
        return True

    def note_pause(self, _: Any) -> None:
        """On entering code_locked: a lock on the holder's own ID (not the day's SMS cap,
        which is the phone's and named as such) is noted for this follower and service until
        it lifts. A lock on a guardian's ID is not: a minor with two guardians may ask the
        other one, and which one comes only after the ID and name."""
        until, guardian = self.slots.get("_until"), self.slots.get("guardian")
        if guardian and self.slots.get("code_owner") == guardian:
            return
        if self.outcome == "locked" and until and self.turn.pauses is not None:
            self.turn.pauses.note(self.turn.openid, self.name, until)
