"""Customer service as the platform plays it (platform-more.md §1): agents, queue, sessions.

A transfer reply queues the follower (their messages still reach the bot); an agent taking
them opens a session (their messages then reach the agent only) until the agent closes it
or 30 minutes pass without a message either way, on the simulator's clock.
"""

from __future__ import annotations

import re

from bot.clock import Clock
from bot.sim.mockplatform.db import PlatformDB
from bot.sim.mockplatform.errors import ApiRefusal

IDLE = 30 * 60  # seconds without a message before the platform hands the follower back
MOST_AGENTS = 100
ACCOUNT = re.compile(r"[A-Za-z0-9_]{1,10}@[A-Za-z0-9_-]{1,19}")
FIRST_AGENT = ("kf1@wxbot", "客服小王")  # online from the start, so a hand-over works at once


class CustomerService:
    def __init__(self, db: PlatformDB, clock: Clock) -> None:
        self.db, self.clock = db, clock
        with db.tx() as tx:  # the tables: db.py
            if tx.execute("SELECT COUNT(*) FROM kf_agents").fetchone()[0] == 0:
                tx.execute("INSERT INTO kf_agents VALUES (?, ?, 1001, 1)", FIRST_AGENT)

    def add(self, account: object, nick: object) -> None:
        if not isinstance(account, str) or not ACCOUNT.fullmatch(account):
            raise ApiRefusal(65404)
        if not isinstance(nick, str) or not 0 < len(nick) <= 16:
            raise ApiRefusal(65403)
        with self.db.tx() as tx:
            if tx.execute("SELECT 1 FROM kf_agents WHERE account=?", (account,)).fetchone():
                raise ApiRefusal(65406)
            if tx.execute("SELECT COUNT(*) FROM kf_agents").fetchone()[0] >= MOST_AGENTS:
                raise ApiRefusal(65405)
            top = tx.execute("SELECT COALESCE(MAX(id), 1000) FROM kf_agents").fetchone()[0]
            tx.execute("INSERT INTO kf_agents VALUES (?, ?, ?, 0)", (account, nick, top + 1))

    def update(self, account: object, nick: object) -> None:
        self.agent(account)
        if not isinstance(nick, str) or not 0 < len(nick) <= 16:
            raise ApiRefusal(65403)
        with self.db.tx() as tx:
            tx.execute("UPDATE kf_agents SET nick=? WHERE account=?", (nick, account))

    def delete(self, account: object) -> None:
        self.agent(account)
        with self.db.tx() as tx:
            tx.execute("DELETE FROM kf_agents WHERE account=?", (account,))
            tx.execute("DELETE FROM kf_sessions WHERE account=?", (account,))

    def agent(self, account: object) -> tuple:
        found = self.db.one("SELECT account, nick, id, online FROM kf_agents WHERE account=?",
                            account) if isinstance(account, str) else None
        if found is None:
            raise ApiRefusal(65401)
        return found

    def set_online(self, account: str, online: bool) -> None:
        self.agent(account)
        with self.db.tx() as tx:
            tx.execute("UPDATE kf_agents SET online=? WHERE account=?", (int(online), account))

    def agents(self) -> list[dict]:
        return [{"kf_account": a, "kf_nick": n, "kf_id": str(i), "kf_headimgurl": "",
                 "online": bool(o)}
                for a, n, i, o in self.db.rows("SELECT * FROM kf_agents ORDER BY id")]

    def online(self) -> list[dict]:
        rows = self.db.rows("SELECT account, id, (SELECT COUNT(*) FROM kf_sessions s WHERE "
                            "s.account=a.account) FROM kf_agents a WHERE online=1 ORDER BY id")
        return [{"kf_account": a, "status": 1, "kf_id": str(i), "accepted_case": n,
                 "auto_accept": 0} for a, i, n in rows]

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
