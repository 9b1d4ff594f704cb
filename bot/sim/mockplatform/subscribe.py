"""Subscribe notices (订阅通知) as the platform plays them (platform-more.md §2): the grant
ledger, bizsend and the account's templates.

Grants are per follower and template. A one-time template's accept allows one send (accepts
add up, one send each, as the mini-program's do); the send spends it and the next gets 43101.
A long-term template's accept allows sends until the follower refuses. A refusal (in the popup,
or later in the 服务通知 settings) ends the grant. `push(openid, event, wrapper, items, later)`
tells the bot, as the platform pushes `subscribe_msg_*_event`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.clock import Clock
from bot.sim.mockplatform import library
from bot.sim.mockplatform.db import PlatformDB
from bot.sim.mockplatform.errors import ApiRefusal
from bot.sim.mockplatform.templates import Templates

MSGID_BASE = 1_700_000_000_000_000_000  # the sent event's MsgID: 19 digits like the samples
SCENES = {1: "H5 page", 2: "article"}
Push = Callable[[str, str, str, list[dict], bool], None]
Record = Callable[[str, str, dict], None]


class Subscriptions(Templates):
    """The account's templates (templates.py) and grants (`sub_grants`) in the mock's file."""

    def __init__(self, db: PlatformDB, clock: Clock, push: Push | None = None, *,
                 record: Record | None = None) -> None:
        """`record` notes a sent notice in what reached the follower (/sim/api/outbound)."""
        super().__init__(db)
        self.clock, self.push, self.record = clock, push, record

    def decide(self, openid: str, template_ids: list[str], accept: bool,
               scene: int = 1, settings: bool = False) -> None:
        """The follower acted on the popup (or refused in the settings page): ledger, push."""
        kinds = {self.template(t)[0] for t in template_ids}  # 40037 for one not the account's
        if len(kinds) > 1:  # the popup itself refuses (its JS error 20002): nothing changes
            raise ValueError("one popup cannot mix one-time and long-term templates")
        status, now = ("accept" if accept else "reject"), self.clock.now()
        with self.db.tx() as db:
            for template_id in template_ids:
                grant = 1 if accept else 0
                db.execute(
                    "INSERT INTO sub_grants VALUES (?, ?, ?, ?, ?) ON CONFLICT(openid, "
                    "template_id) DO UPDATE SET status=excluded.status, at=excluded.at, "
                    "remaining = CASE WHEN excluded.status='accept' THEN remaining + 1 ELSE 0 END",
                    (openid, template_id, status, grant, now))
        items = [{"TemplateId": t, "SubscribeStatusString": status} for t in template_ids]
        if settings:
            self._tell(openid, "subscribe_msg_change_event", "SubscribeMsgChangeEvent", items)
        else:
            self._tell(openid, "subscribe_msg_popup_event", "SubscribeMsgPopupEvent",
                       [{**item, "PopupScene": scene} for item in items])

    def bizsend(self, body: Any, known: Callable[[str], bool]) -> None:
        """message/subscribe/bizsend: check the fields, spend a grant, record, push the result.

        `known` says whether an openid is one of the account's (else 40003: the platform
        refuses another account's openid). Both field sets of §2.4 are taken; neither
        `miniprogram_state` nor `lang` is required.
        """
        if not isinstance(body, dict):
            raise ApiRefusal(47001)
        openid = body.get("touser")
        if not isinstance(openid, str) or not openid or not known(openid):
            raise ApiRefusal(40003)
        _kind, words = self.template(body.get("template_id"))
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            raise ApiRefusal(47003, "data")
        for key, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            if key not in words or not library.check(key, value):
                raise ApiRefusal(47003, f"data.{str(key)[:40]}.value invalid")
        mini = body.get("miniprogram")
        if mini is not None and not (isinstance(mini, dict) and isinstance(mini.get("appid"), str)):
            raise ApiRefusal(41030, "miniprogram: {appid, pagepath}")
        self.spend(openid, body["template_id"])
        if self.record is not None:
            self.record(openid, "subscribe", body)
        self.sent(openid, body["template_id"], self.db.bump("subscribe_msgid"))

    def spend(self, openid: str, template_id: str) -> None:
        """One send under the follower's grant: 43101 when there is none left."""
        kind, _words = self.template(template_id)
        with self.db.tx() as db:
            row = db.execute("SELECT status, remaining FROM sub_grants WHERE openid=? AND "
                             "template_id=?", (openid, template_id)).fetchone()
            if row is None or row[0] != "accept" or (kind == library.ONE_TIME and row[1] < 1):
                raise ApiRefusal(43101)
            if kind == library.ONE_TIME:
                db.execute("UPDATE sub_grants SET remaining = remaining - 1, status = CASE WHEN "
                           "remaining = 1 THEN 'used' ELSE status END WHERE openid=? AND "
                           "template_id=?", (openid, template_id))

    def sent(self, openid: str, template_id: str, msgid: int) -> None:
        """subscribe_msg_sent_event for a send that was accepted (on its own thread)."""
        self._tell(openid, "subscribe_msg_sent_event", "SubscribeMsgSentEvent",
                   [{"TemplateId": template_id, "MsgID": MSGID_BASE + msgid,
                     "ErrorCode": 0, "ErrorStatus": "success"}], later=True)

    def grants(self, openid: str) -> list[dict]:
        """The follower's ledger, with each of the account's templates (the workbench's view)."""
        rows = self.db.rows(
            "SELECT t.pri_id, t.title, t.type, g.status, g.remaining, g.at FROM sub_templates t "
            "LEFT JOIN sub_grants g ON g.template_id = t.pri_id AND g.openid = ? "
            "ORDER BY t.rowid", openid)
        return [{"template_id": p, "title": title, "type": "long_term" if k == library.LONG_TERM
                 else "one_time", "status": status or "none",
                 "remaining": remaining or 0, "at": at} for p, title, k, status, remaining, at
                in rows]

    def _tell(self, openid: str, event: str, wrapper: str, items: list[dict],
              later: bool = False) -> None:
        if self.push is not None:
            self.push(openid, event, wrapper, items, later)
