"""The peer: the same five-step bind dialog on WeRoBot, with its stock SQLite session storage.

WeRoBot is the common Python framework for official accounts; this is how its documentation
writes a multi-turn dialog (state in `session`, one handler). It has no backend to call, so it
does less per message than the bot (no name/card lookup, no hashed SMS code): a generous peer.
The SMS code goes to `outbox`, where the harness reads it like the mock backend's.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flows.ids import is_valid_id, normalize_id

KEYWORDS = ("绑定社保卡", "绑卡")
MENU = "回复“绑定社保卡”把社保卡绑定到本微信。"


class Peer:
    """A WeRoBot robot doing the bind dialog; `wsgi` is its WSGI app (bottle)."""

    def __init__(self, token: str, session_file: Path) -> None:
        try:  # optional: the `bench` extra installs it
            from werobot import WeRoBot
            from werobot.session.sqlitestorage import SQLiteStorage
        except ImportError as exc:
            raise SystemExit("werobot is not installed: pip install -e '.[bench]' "
                             "(or leave it out with --only)") from exc

        self.outbox: dict[str, str] = {}
        self.storage = SQLiteStorage(str(session_file))
        self.robot = WeRoBot(token=token, enable_session=True, session_storage=self.storage)
        self.robot.text(self.dialog)
        self.wsgi = self.robot.wsgi

    def dialog(self, message: Any, session: dict) -> str:
        """One step of keyword -> ID number -> name -> card -> code, keyed on session['step']."""
        text, step = message.content.strip(), session.get("step")
        if step is None:
            if text not in KEYWORDS:
                return MENU
            session["step"] = "id"
            return "绑定社保卡：请输入持卡人的18位身份证号。"
        if step == "id":
            id_number = normalize_id(text)
            if not is_valid_id(id_number):
                return "身份证号格式不对，请重新输入。"
            session.update(step="name", id=id_number)
            return "请输入持卡人姓名。"
        if step == "name":
            session.update(step="card", name=text)
            return "请输入社保卡卡号（印在卡片正面）。"
        if step == "card":
            code = f"{secrets.randbelow(10**6):06d}"
            self.outbox[message.source] = code
            session.update(step="code", card=text.upper(), code=code)
            return "验证码已发送至持卡人手机，请输入6位短信验证码。"
        if text != session.get("code"):
            return "验证码不对，请重新输入。"
        card = session["card"]
        session.clear()
        return f"绑定成功！社保卡 {card[:1]}****{card[-2:]} 已绑定到本微信。"

    def close(self) -> None:
        self.storage.db.close()
