"""Followers and their customer-service windows, learned from the pushes the bot receives.

A follower's action opens a window of its kind: a message 48 h with BOT_SIM_CUSTOM_QUOTA sends,
a menu click, follow or scan 1 min with BOT_SIM_EVENT_QUOTA. A newer action of the same kind
opens a fresh window; a platform retry of the same push (same mark) does not. A send spends
one from an open window (45047 when all are spent, 45015 when none is open or the follower
left).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.sim.mockplatform.db import PlatformDB
from bot.sim.mockplatform.errors import ApiRefusal

MESSAGE_WINDOW = 48 * 3600  # seconds a follower's message keeps the window open
EVENT_WINDOW = 60  # seconds a click, follow or scan does
# Noting a push is on the bot's per-message path: wait for other writers this long at most,
# well inside BOT_REPLY_DEADLINE, then let the push go unnoted (logged) rather than late.
OBSERVE_BUSY = 0.5
SANDBOX_FOLLOWERS = 100  # the test account's follower cap
CLICKS = {"click", "scancode_push", "scancode_waitmsg"}  # menu events that open a window
FOLLOWING = "SELECT subscribed FROM followers WHERE openid=?"
MESSAGES = {"text", "image", "voice", "video", "shortvideo", "location", "link"}


@dataclass(frozen=True)
class Quotas:
    message: int = 5
    event: int = 3


def trigger_of(msg_type: str, event: str | None) -> str | None:
    """Which window a push opens: message / click / subscribe / scan, or none."""
    if msg_type in MESSAGES:
        return "message"
    event = (event or "").lower()
    if event in CLICKS:
        return "click"
    return event if event in ("subscribe", "scan", "unsubscribe") else None


class Followers:
    def __init__(self, db: PlatformDB, clock: Clock, quotas: Quotas,
                 cap: int | None = None) -> None:
        self.db, self.clock, self.quotas, self.cap = db, clock, quotas, cap

    def observe(self, openid: str, trigger: str | None, mark: str) -> None:
        """Note a push from `openid`; `mark` tells a retry of it from a new action."""
        now = self.clock.now()
        with self.db.tx(OBSERVE_BUSY) as db:
            row = db.execute(FOLLOWING, (openid,)).fetchone()
            if trigger == "unsubscribe":
                db.execute("UPDATE followers SET subscribed=0 WHERE openid=?", (openid,))
                db.execute("DELETE FROM windows WHERE openid=?", (openid,))
                return
            if row is None or (trigger == "subscribe" and not row[0]):
                full = self.cap is not None and db.execute(
                    "SELECT COUNT(*) FROM followers WHERE subscribed=1").fetchone()[0] >= self.cap
                if full:
                    return  # the sandbox takes no more followers; sends to this one get 43004
                db.execute("INSERT OR REPLACE INTO followers VALUES (?, 1, ?)", (openid, now))
            if trigger in (None, "unsubscribe"):
                return
            db.execute("INSERT INTO windows VALUES (?, ?, ?, 0, ?) ON CONFLICT(openid, trig) "
                       "DO UPDATE SET opened=excluded.opened, used=0, mark=excluded.mark "
                       "WHERE windows.mark IS NOT excluded.mark", (openid, trigger, now, mark))

    def following(self, openid: str) -> tuple[bool, float | None]:
        row = self.db.one("SELECT subscribed, since FROM followers WHERE openid=?", openid)
        return (bool(row[0]), row[1]) if row else (False, None)

    def require(self, openid: str) -> None:
        """40003 for an openid the account never saw, 43004 for one that does not follow."""
        known = self.db.one("SELECT subscribed FROM followers WHERE openid=?", openid)
        if known is None:
            raise ApiRefusal(40003)
        if not known[0]:
            raise ApiRefusal(43004)

    def spend(self, openid: str) -> None:
        """Charge one customer-service message to an open window, or refuse it."""
        now = self.clock.now()
        with self.db.tx() as db:
            row = db.execute(FOLLOWING, (openid,)).fetchone()
            if row is None:
                raise ApiRefusal(40003)
            if not row[0]:
                raise ApiRefusal(45015)
            open_ = []
            for trig, opened, used in db.execute(
                    "SELECT trig, opened, used FROM windows WHERE openid=?", (openid,)):
                span, quota = ((MESSAGE_WINDOW, self.quotas.message) if trig == "message"
                               else (EVENT_WINDOW, self.quotas.event))
                if now < opened + span:
                    open_.append((opened + span, trig, quota - used))
            if not open_:
                raise ApiRefusal(45015)
            left = sorted(w for w in open_ if w[2] > 0)  # the window closing soonest first
            if not left:
                raise ApiRefusal(45047)
            db.execute("UPDATE windows SET used = used + 1 WHERE openid=? AND trig=?",
                       (openid, left[0][1]))
