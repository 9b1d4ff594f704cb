"""Customer-service agent accounts as the platform keeps them (platform-more.md §1.3).

`prefix@account` names of at most 10 + 19 characters, nicknames of 1-16, at most 100; the
simulator adds who is online (the page takes agents on and off line).
"""

from __future__ import annotations

import re

from bot.sim.mockplatform.db import PlatformDB
from bot.sim.mockplatform.errors import ApiRefusal

MOST_AGENTS = 100
ACCOUNT = re.compile(r"[A-Za-z0-9_]{1,10}@[A-Za-z0-9_-]{1,19}")
FIRST_AGENT = ("kf1@wxbot", "客服小王")  # online from the start, so a hand-over works at once


class AgentAccounts:
    def __init__(self, db: PlatformDB) -> None:
        self.db = db
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
