"""The locks each follower met, kept in the KV until they lift (flows.port.Pauses).

Five wrong codes (or service passwords) lock an ID number for a purpose in the backend. A
follower who meets that lock and starts the same service again would type the ID number, the
name and the card number before hearing "paused" once more: the bot cannot ask the backend
about an ID it has not been told yet. So it notes here, per follower and service, when the
lock lifts, and the service says so before its first question (flows/pause.py).

One KV key per follower (their Redis Cluster hash tag, like every per-follower key), holding
`{service: until}`; it expires with the last of its locks. Nothing personal: service names
and times.
"""

from __future__ import annotations

import json

from bot.clock import Clock
from bot.store.kv import KV, own_key


class KVPauses:
    """flows.port.Pauses over the shared KV, so every worker and instance sees the note.

    A turn reads the note with its session (`key` is among the engine's reads, so a push stays
    two round trips); `with_known` gives the turn a view over what was read then. Writing
    happens only when a lock is met.
    """

    def __init__(self, kv: KV, clock: Clock, known: dict[str, str | None] | None = None) -> None:
        self.kv, self.clock, self.known = kv, clock, known

    @staticmethod
    def key(openid: str) -> str:
        """The follower's note: read with their session by the turn (bot/window/engine.py)."""
        return own_key("paused", openid)

    def with_known(self, known: dict[str, str | None] | None) -> KVPauses:
        """This keeper for one turn, reading the note from the records read with the session."""
        return KVPauses(self.kv, self.clock, known)

    def _noted(self, openid: str) -> dict[str, float]:
        key = self.key(openid)
        read = self.known is not None and key in self.known
        raw = self.known[key] if read else self.kv.get(key)  # type: ignore[index]
        try:
            found = json.loads(raw) if raw else {}
        except ValueError:  # unreadable: as if nothing were noted (the backend still locks)
            return {}
        return {k: float(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def note(self, openid: str, service: str, until: float) -> None:
        """Remember `service`'s lock for `openid` until it lifts (the others kept, if live)."""
        now = self.clock.now()
        noted = {k: v for k, v in self._noted(openid).items() if v > now}
        noted[service] = max(until, noted.get(service, 0.0))
        last = max(noted.values())
        if last > now:
            self.kv.set(self.key(openid), json.dumps(noted), last - now)
            if self.known is not None:  # this turn reads what it wrote
                self.known[self.key(openid)] = json.dumps(noted)

    def live(self, openid: str) -> dict[str, float]:
        """Each service still locked for `openid`, with when it lifts."""
        now = self.clock.now()
        return {k: v for k, v in self._noted(openid).items() if v > now}

    def until(self, openid: str, service: str) -> float:
        """When `service`'s lock lifts for `openid`; 0.0 when none is noted or it has lifted."""
        until = self._noted(openid).get(service, 0.0)
        return until if until > self.clock.now() else 0.0
