"""The simulator's hands on the mock platform's health: faults armed, an outage, a fresh start.

The workbench shows what is armed and clears it (`GET /sim/api/faults`, `POST
/sim/api/outage`); an outage makes every API call answer HTTP 503, as a gateway does when
nothing stands behind it, so the bot meets a platform it cannot reach, not a refusal. Kept in
the mock's SQLite file like the faults, so every worker process sees the same platform.
"""

from __future__ import annotations

from typing import Any

from bot.sim.mockplatform.db import PlatformDB

# What the page's "全部重置" empties: what reached followers and the customer-service talk.
# Tokens, the menu, templates, agents, followers and the call counters stay, as on the platform.
TALK = ("outbound", "windows", "kf_sessions", "kf_queue", "kf_messages")
ARMED = ("faults", "delays", "outage")


class Trouble:
    """Read and clear what is armed; switch the outage; forget the talk on a reset."""

    def __init__(self, db: PlatformDB) -> None:
        self.db = db

    def armed(self) -> dict[str, Any]:
        """`{"errors": [{api, errcode, times}], "delays": [{api, seconds, times}], "down"}`."""
        errors = self.db.rows("SELECT api, errcode, times FROM faults ORDER BY api")
        delays = self.db.rows("SELECT api, seconds, times FROM delays ORDER BY api")
        return {"errors": [{"api": a, "errcode": e, "times": t} for a, e, t in errors],
                "delays": [{"api": a, "seconds": s, "times": t} for a, s, t in delays],
                "down": self.down()}

    def down(self) -> bool:
        return self.db.one("SELECT 1 FROM outage WHERE id=1") is not None

    def set_down(self, down: bool, since: float) -> None:
        with self.db.tx() as db:
            if down:
                db.execute("INSERT OR REPLACE INTO outage VALUES (1, ?)", (since,))
            else:
                db.execute("DELETE FROM outage")

    def clear(self) -> None:
        """Every armed fault, delay and the outage, at once."""
        with self.db.tx() as db:
            for table in ARMED:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - names from ARMED above

    def forget_talk(self) -> None:
        """The page's reset: what reached each follower, open windows, customer-service talk."""
        with self.db.tx() as db:
            for table in TALK:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - names from TALK above
