"""Access tokens as the platform issues them: 7200 s, and a new one retires the old in 5 min."""

from __future__ import annotations

import secrets

from bot.clock import Clock
from bot.sim.mockplatform.db import PlatformDB
from bot.sim.mockplatform.errors import ApiRefusal

LIFETIME = 7200  # seconds a token lives (expires_in)
OVERLAP = 300  # seconds an old token still works after a newer fetch
FORGET = 86_400  # seconds after its death that a token is still recognised as once valid
TOKEN_BYTES = 96  # real tokens are long (store 512 chars); 192 hex characters here


class Tokens:
    """Issue and check tokens on the simulator's clock."""

    def __init__(self, db: PlatformDB, clock: Clock, expired: int = 42001) -> None:
        self.db, self.clock, self.expired = db, clock, expired

    def issue(self) -> tuple[str, int]:
        """A new token; every older one keeps working for OVERLAP seconds more at most."""
        now, token = self.clock.now(), secrets.token_hex(TOKEN_BYTES)
        with self.db.tx() as db:
            db.execute("UPDATE tokens SET superseded=? WHERE superseded IS NULL", (now,))
            # Forget tokens dead a day: kept until then, an expired one still answers 42001.
            db.execute("DELETE FROM tokens WHERE expires<? OR superseded<?",
                       (now - FORGET, now - FORGET))
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, NULL)", (token, now, now + LIFETIME))
        self.db.bump("token_fetches")
        return token, LIFETIME

    def check(self, token: str | None) -> None:
        """Refuse a call whose token is missing (41001), unknown or superseded (40001), or
        expired (42001, or 40014 as some see it: BOT_SIM_EXPIRED_ERRCODE)."""
        if not token:
            raise ApiRefusal(41001)
        row = self.db.one("SELECT expires, superseded FROM tokens WHERE token=?", token)
        now = self.clock.now()
        if row is None:
            raise ApiRefusal(40001)
        expires, superseded = row
        if superseded is not None and now >= superseded + OVERLAP:
            raise ApiRefusal(40001)
        if now >= expires:
            raise ApiRefusal(self.expired)
