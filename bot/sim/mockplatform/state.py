"""The mock platform API's behaviour, without Flask: one account, its clock, its rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.sim.mockplatform import menus
from bot.sim.mockplatform.db import PlatformDB
from bot.sim.mockplatform.errors import ApiRefusal
from bot.sim.mockplatform.followers import SANDBOX_FOLLOWERS, Followers, Quotas, trigger_of
from bot.sim.mockplatform.kf import CustomerService
from bot.sim.mockplatform.library import KIND_TITLES, TITLES
from bot.sim.mockplatform.subscribe import Push, Subscriptions
from bot.sim.mockplatform.tokens import Tokens
from bot.sim.mockplatform.trouble import Trouble

# What faults and counters name
APIS = ("token", "custom", "template", "menu", "user", "kf", "subscribe", "newtmpl")
MSGTYPES = {"text", "image", "voice", "video", "music", "news", "mpnews", "mpnewsarticle",
            "msgmenu", "wxcard", "miniprogrampage"}
MSGID_BASE = 2_000_000_000  # template msgids look like the platform's ten-digit ones
LANGS = ("zh_CN", "zh_TW", "en")


class MockPlatform:
    """Tokens, windows and quotas, templates, the menu and what reached each follower."""

    def __init__(self, data_dir: str | Path, clock: Clock, appid: str, secret: str, *,
                 profile: str = "official", quotas: Quotas | None = None,
                 templates: tuple[str, ...] = (), expired_errcode: int = 42001,
                 on_template: Callable[[str, int], None] | None = None,
                 on_kf: Callable[..., None] | None = None,
                 subscribe: dict[str, str] | None = None, on_subscribe: Push | None = None) -> None:
        """`subscribe`: notice kind -> template id the settings name, made from the library's
        title for that kind; `on_subscribe` pushes the subscribe_msg_* events."""
        self.db, self.clock, self.appid, self.secret = PlatformDB(data_dir), clock, appid, secret
        self.sandbox = profile == "sandbox"
        self.tokens = Tokens(self.db, clock, expired_errcode)
        self.followers = Followers(self.db, clock, quotas or Quotas(),
                                   cap=SANDBOX_FOLLOWERS if self.sandbox else None)
        self.on_template = on_template
        self.kf = CustomerService(self.db, clock, on_kf)  # on_kf: kf_* pushes to the bot
        self.trouble = Trouble(self.db)  # faults armed, the outage, the page's reset
        for template_id in templates:
            self.add_template(template_id, "")
        self.subscriptions = Subscriptions(self.db, clock, on_subscribe, record=self._record)
        for kind, template_id in (subscribe or {}).items():
            tid = KIND_TITLES[kind]
            self.subscriptions.add(tid, [kid for kid, *_ in TITLES[tid][3]], TITLES[tid][0],
                                   pri_id=template_id)

    def enter(self, api: str, token: str | None) -> None:
        """Every call: counted, then an injected fault, then the token check."""
        self.db.bump(f"calls:{api}")
        fault = self.db.take_fault(api)
        if fault is not None:
            raise ApiRefusal(fault, "injected by /sim/api/faults")
        if api != "token":
            self.tokens.check(token)
        if api in ("kf", "subscribe", "newtmpl") and self.sandbox:  # not on a test account
            raise ApiRefusal(48001, "api unauthorized")

    def token(self, grant_type: str | None, appid: str | None, secret: str | None) -> dict:
        self.enter("token", None)
        if not appid:
            raise ApiRefusal(41002)
        if not secret:
            raise ApiRefusal(41004)
        if grant_type != "client_credential":
            raise ApiRefusal(40002)
        if appid != self.appid:
            raise ApiRefusal(40013)
        if secret != self.secret:
            raise ApiRefusal(40001 if len(secret) == len(self.secret) else 40125)
        token, expires_in = self.tokens.issue()
        return {"access_token": token, "expires_in": expires_in}

    def _record(self, openid: str, api: str, body: dict) -> None:
        with self.db.tx() as db:
            db.execute("INSERT INTO outbound (openid, api, body, at) VALUES (?, ?, ?, ?)",
                       (openid, api, json.dumps(body, ensure_ascii=False), self.clock.now()))

    def send_custom(self, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("touser"), str):
            raise ApiRefusal(47001)
        kind = body.get("msgtype")
        if kind not in MSGTYPES or not isinstance(body.get(kind), dict):
            raise ApiRefusal(47001, "msgtype and its object")
        if kind == "text" and not str(body["text"].get("content") or "").strip():
            raise ApiRefusal(44002, "empty text")
        articles = body["news"].get("articles") if kind == "news" else []
        if not isinstance(articles, list):
            raise ApiRefusal(47001, "news.articles must be a list")
        if len(articles) > 1:
            raise ApiRefusal(45008)
        service = body.get("customservice")
        account = service.get("kf_account") if isinstance(service, dict) else None
        if service is not None:
            self.kf.agent(account)  # 65401 for an account the platform does not know
        self.followers.spend(body["touser"])
        self._record(body["touser"], "custom", body)
        if account:
            text = body["text"].get("content") if kind == "text" else f"[{kind}]"
            self.kf.note(body["touser"], "out", account, str(text))

    def send_template(self, body: Any) -> int:
        if not isinstance(body, dict) or not isinstance(body.get("touser"), str):
            raise ApiRefusal(47001)
        template_id, data = body.get("template_id"), body.get("data")
        if not isinstance(template_id, str) or not template_id:
            raise ApiRefusal(40037)
        if not self.sandbox and self.db.one("SELECT 1 FROM templates WHERE template_id=?",
                                            template_id) is None:
            raise ApiRefusal(40037)
        if not isinstance(data, dict) or not all(
                isinstance(v, dict) and isinstance(v.get("value"), str) for v in data.values()):
            raise ApiRefusal(47003, "data must map names to {\"value\": text}")
        self.followers.require(body["touser"])
        msgid = MSGID_BASE + self.db.bump("msgid")
        self._record(body["touser"], "template", body)
        if self.on_template is not None:
            self.on_template(body["touser"], msgid)
        return msgid

    def send_subscribe(self, body: Any) -> None:
        """bizsend (subscribe.py); an openid the account never saw is another's: 40003."""
        self.subscriptions.bizsend(body, lambda openid: self.followers.following(openid)[1]
                                   is not None)

    def add_template(self, template_id: str, content: str) -> None:
        with self.db.tx() as db:
            db.execute("INSERT OR REPLACE INTO templates VALUES (?, ?)", (template_id, content))

    def menu_create(self, body: Any) -> None:
        menus.validate(body)
        with self.db.tx() as db:
            db.execute("INSERT OR REPLACE INTO menu VALUES (1, ?)",
                       (json.dumps(menus.as_stored(body), ensure_ascii=False),))

    def menu_get(self) -> dict:
        row = self.db.one("SELECT body FROM menu WHERE id=1")
        if row is None:
            raise ApiRefusal(46003)
        return json.loads(row[0])

    def menu_delete(self) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM menu")

    def user_info(self, openid: str | None, lang: str | None) -> dict:
        if not openid:
            raise ApiRefusal(40003)
        following, since = self.followers.following(openid)
        if since is None:
            raise ApiRefusal(40003)
        if not following:
            return {"subscribe": 0, "openid": openid}
        return {"subscribe": 1, "openid": openid, "language": lang if lang in LANGS else "zh_CN",
                "subscribe_time": int(since), "remark": "", "groupid": 0, "tagid_list": [],
                "subscribe_scene": "ADD_SCENE_QR_CODE", "qr_scene": 0, "qr_scene_str": ""}

    def observe(self, openid: str, msg_type: str, event: str | None, mark: str) -> None:
        """A push reached the bot: the follower acted (see followers.py for the windows)."""
        self.followers.observe(openid, trigger_of(msg_type, event), mark)

    def outbound(self, openid: str) -> list[dict]:
        rows = self.db.rows("SELECT api, body, at FROM outbound WHERE openid=? ORDER BY id",
                            openid)
        return [{"api": api, "body": json.loads(body), "at": at} for api, body, at in rows]

    def close(self) -> None:
        self.db.close()
