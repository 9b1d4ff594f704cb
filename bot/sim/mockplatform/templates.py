"""The account's subscribe-notice templates, chosen from the library (platform-more.md §2.5).

addtemplate gives a priTmplId (the `template_id` of bizsend) for a title and 2-5 of its
keywords; gettemplate lists them; deltemplate removes one, and the grants under it go too.
"""

from __future__ import annotations

import json
import secrets

from bot.sim.mockplatform import library
from bot.sim.mockplatform.db import PlatformDB
from bot.sim.mockplatform.errors import ApiRefusal


class Templates:
    def __init__(self, db: PlatformDB) -> None:
        self.db = db

    def template(self, template_id: object) -> tuple[int, dict[str, str]]:
        """(type, {data key: keyword name}) of one of the account's templates, or 40037."""
        row = self.db.one("SELECT type, keywords FROM sub_templates WHERE pri_id=?",
                          str(template_id)) if isinstance(template_id, str) else None
        if row is None:
            raise ApiRefusal(40037)
        return row[0], dict(json.loads(row[1]))

    def add(self, tid: object, kids: object, scene: object, pri_id: str | None = None) -> str:
        """addtemplate: the priTmplId of the title `tid` with the keywords `kids`, in order."""
        try:
            tid = int(str(tid))
        except ValueError:
            raise ApiRefusal(47001, "tid") from None
        if tid not in library.TITLES:
            raise ApiRefusal(47003, "tid: not a title of the library")
        known = {kid for kid, *_ in library.TITLES[tid][3]}
        if not isinstance(kids, list) or not 2 <= len(kids) <= 5 or len(set(map(str, kids))) \
                != len(kids) or not all(str(k).isdigit() and int(k) in known for k in kids):
            raise ApiRefusal(47003, "kidList: 2-5 keyword ids of this title")
        if not isinstance(scene, str) or not 0 < len(scene) <= 15:
            raise ApiRefusal(47003, "sceneDesc: 1-15 characters")
        words = library.keywords(tid, [int(k) for k in kids])
        pri_id = pri_id or secrets.token_urlsafe(32)[:43]
        with self.db.tx() as db:
            db.execute("INSERT OR REPLACE INTO sub_templates VALUES (?, ?, ?, ?, ?, ?)",
                       (pri_id, tid, library.TITLES[tid][0], library.TITLES[tid][1],
                        json.dumps(words, ensure_ascii=False), scene))
        return pri_id

    def templates(self) -> list[dict]:
        """gettemplate's list."""
        rows = self.db.rows("SELECT pri_id, title, type, keywords FROM sub_templates "
                            "ORDER BY rowid")
        return [{"priTmplId": p, "title": t, "type": k,
                 "content": library.content(json.loads(w)), "example": ""}
                for p, t, k, w in rows]

    def delete(self, pri_id: object) -> None:
        self.template(pri_id)
        with self.db.tx() as db:
            db.execute("DELETE FROM sub_templates WHERE pri_id=?", (pri_id,))
            db.execute("DELETE FROM sub_grants WHERE template_id=?", (pri_id,))
