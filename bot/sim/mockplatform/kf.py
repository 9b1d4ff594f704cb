"""Customer service as the platform plays it (platform-more.md §1): agents, queue, sessions.

A transfer reply queues the follower (their messages still reach the bot); an agent taking
them opens a session (their messages then reach the agent only) until the agent closes it
or 30 minutes pass without a message either way, on the simulator's clock.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import Clock
from bot.sim.mockplatform.db import PlatformDB
from bot.sim.mockplatform.errors import ApiRefusal
from bot.sim.mockplatform.kfagents import AgentAccounts

IDLE = 30 * 60  # seconds without a message before the platform hands the follower back


class CustomerService(AgentAccounts):
    """Accounts (kfagents.py), the queue, sessions and their messages; `push` tells the bot."""

    def __init__(self, db: PlatformDB, clock: Clock,
                 push: Callable[..., None] | None = None) -> None:
        super().__init__(db)
        self.clock, self.push = clock, push

    def enqueue(self, openid: str, account: str, text: str) -> None:
        """The bot answered `text` with the transfer reply: the follower waits (again)."""
        now = self.clock.now()
        with self.db.tx() as tx:
            tx.execute("INSERT INTO kf_queue VALUES (?, ?, ?, ?) ON CONFLICT(openid) DO UPDATE "
                       "SET latest=excluded.latest, account=excluded.account",
                       (openid, account, now, now))
            tx.execute("INSERT INTO kf_messages (openid, side, account, text, at) "
                       "VALUES (?, 'in', '', ?, ?)", (openid, text, now))

    def waitcase(self) -> dict:
        rows = self.db.rows("SELECT openid, latest, account FROM kf_queue ORDER BY since")
        return {"count": len(rows), "waitcaselist": [
            {"openid": o, "latest_time": int(t), "kf_account": a} for o, t, a in rows[:100]]}

    def take(self, account: object, openid: object) -> None:
        """kfsession/create: the agent has the follower; the platform tells the bot."""
        if self.create(account, openid) and self.push is not None:
            self.push(openid, "kf_create_session", KfAccount=account)

    def hand_over(self, openid: str, to: str) -> None:
        """The agent tool's transfer to a colleague: kf_switch_session tells the bot."""
        before = self.switch(openid, to)
        if self.push is not None:
            self.push(openid, "kf_switch_session", FromKfAccount=before, ToKfAccount=to)

    def release(self, account: object, openid: object) -> None:
        """kfsession/close: the follower is the bot's again, and the bot is told."""
        self.close(account, openid)
        if self.push is not None:
            self.push(openid, "kf_close_session", KfAccount=account)

    def create(self, account: object, openid: object) -> bool:
        """An agent takes the follower; True when this opened a session (push the event)."""
        if not isinstance(openid, str) or not openid:
            raise ApiRefusal(40003)
        name, _nick, _id, online = self.agent(account)
        current = self.session(openid)
        if current == name:
            return False
        if current:
            raise ApiRefusal(65414)
        if not online:
            raise ApiRefusal(65415)
        now = self.clock.now()
        with self.db.tx() as tx:
            tx.execute("DELETE FROM kf_queue WHERE openid=?", (openid,))
            tx.execute("INSERT INTO kf_sessions VALUES (?, ?, ?, ?)", (openid, name, now, now))
        return True

    def switch(self, openid: str, to: object) -> str:
        """The agent hands the follower to another (online) agent; the one who had them."""
        name, _nick, _id, online = self.agent(to)
        current = self.session(openid)
        if not current:
            raise ApiRefusal(65413)
        if not online:
            raise ApiRefusal(65415)
        with self.db.tx() as tx:
            tx.execute("UPDATE kf_sessions SET account=?, last=? WHERE openid=?",
                       (name, self.clock.now(), openid))
        return current

    def close(self, account: object, openid: object) -> None:
        name = self.agent(account)[0]
        current = self.session(openid) if isinstance(openid, str) else ""
        if not current:
            raise ApiRefusal(65413)
        if current != name:
            raise ApiRefusal(65414)
        with self.db.tx() as tx:
            tx.execute("DELETE FROM kf_sessions WHERE openid=?", (openid,))

    def session(self, openid: str) -> str:
        """The agent serving `openid` now ('' for none); an idle session ends here, silently."""
        row = self.db.one("SELECT account, last FROM kf_sessions WHERE openid=?", openid)
        if row is None:
            return ""
        if self.clock.now() - row[1] >= IDLE:
            with self.db.tx() as tx:
                tx.execute("DELETE FROM kf_sessions WHERE openid=?", (openid,))
            return ""
        return str(row[0])

    def session_info(self, openid: str) -> dict:
        row = self.db.one("SELECT account, created FROM kf_sessions WHERE openid=?", openid)
        if row is None or not self.session(openid):
            return {"createtime": 0, "kf_account": ""}
        return {"createtime": int(row[1]), "kf_account": row[0]}

    def sessions(self, account: object) -> list[dict]:
        name = self.agent(account)[0]
        rows = self.db.rows("SELECT openid, created FROM kf_sessions WHERE account=?", name)
        return [{"openid": o, "createtime": int(c)} for o, c in rows if self.session(o)]

    def note(self, openid: str, side: str, account: str, text: str) -> None:
        """A message between follower and agent (keeps the session from going idle)."""
        now = self.clock.now()
        with self.db.tx() as tx:
            tx.execute("INSERT INTO kf_messages (openid, side, account, text, at) "
                       "VALUES (?, ?, ?, ?, ?)", (openid, side, account, text, now))
            tx.execute("UPDATE kf_sessions SET last=? WHERE openid=?", (now, openid))

    def messages(self, openid: str, most: int = 50) -> list[dict]:
        rows = self.db.rows("SELECT side, account, text, at FROM kf_messages WHERE openid=? "
                            "ORDER BY id DESC LIMIT ?", openid, most)
        return [{"side": s, "kf_account": a, "text": t, "at": at} for s, a, t, at in rows[::-1]]
