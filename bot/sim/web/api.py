"""The simulator page's JSON API: act as a follower through the real protocol, read the phone.

`POST /sim/api/send` builds the push as the platform would and delivers it with PlatformClient
(signed; sealed in safe mode when WECHAT_AES_KEY is set), so the page exercises the webhook's
whole path. Reads: `/sim/api/followers`, `/sim/api/sms` (the mock's outbox, latest code per
phone) and `/sim/api/seed` (the made-up seed people to type). Bad input is a 4xx JSON answer.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, cast

from flask import Blueprint, Flask, current_app, jsonify, request

from bot.app import bot_of, current_bot
from bot.sim.web.seed_sheet import seed_people
from bot.sim.wire.client import PlatformClient

sim_api = Blueprint("sim_page_api", __name__, url_prefix="/sim/api")
FOLLOWERS = [  # alias, openid, who they mean to be (the seed sheet has the numbers)
    ("alice", "oSimAlice0001", "成年人 · adult"),
    ("minor", "oSimMinor0001", "未成年人 · minor"),
    ("guardian", "oSimGuardian01", "监护人 · guardian"),
    ("bob", "oSimBob000001", "成年人 · adult"),
    ("bound", "oSeedBound0001", "已绑卡 · card bound in the seed"),
]
KINDS = {"text", "click", "subscribe", "unsubscribe", "image", "location", "voice"}
OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
KEY = re.compile(r"[A-Za-z0-9_]{1,64}")
MAX_TEXT = 2048
PAGE = "wxbot.sim"  # app.extensions key of this app's Page; read only through client()


class BadInput(ValueError):
    """Input the page should never send: answered 400 with the reason."""


@dataclass
class Page:
    """The page's state in one app: its platform client, built on first use."""

    app: Flask
    lock: threading.Lock = field(default_factory=threading.Lock)
    platform: PlatformClient | None = None

    def client(self) -> PlatformClient:
        """One platform client per app, so MsgIds and event times keep rising across requests."""
        with self.lock:
            if self.platform is None:
                bot = bot_of(self.app)
                cfg = bot.config
                mode = "safe" if cfg["WECHAT_AES_KEY"] else "plaintext"
                self.platform = PlatformClient(
                    self.app, cfg["WECHAT_TOKEN"], aes_key=cfg["WECHAT_AES_KEY"],
                    app_id=cfg["WECHAT_APP_ID"], mode=mode, clock=bot.clock)
            return self.platform

    def close(self) -> None:
        with self.lock:
            if self.platform is not None:
                self.platform.close()


def client() -> PlatformClient:
    """This app's platform client."""
    return cast(Page, current_app.extensions[PAGE]).client()


def openid_of(user: Any) -> str:
    """A follower alias, or an openid of the platform's shape."""
    aliases = {alias: openid for alias, openid, _ in FOLLOWERS}
    if not isinstance(user, str) or not (user in aliases or OPENID.fullmatch(user)):
        raise BadInput("'user' must be a follower alias or an openid ([A-Za-z0-9_-], 1-64)")
    return aliases.get(user, user)


def _fields(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    kind = body.get("type")
    if kind not in KINDS:
        raise BadInput(f"'type' must be one of {', '.join(sorted(KINDS))}")
    if kind in ("text", "voice"):
        content = body.get("content")
        if not isinstance(content, str) or not content.strip() or len(content) > MAX_TEXT:
            raise BadInput(f"'content' must be non-empty text of at most {MAX_TEXT} characters")
        return kind, {"Content": content} if kind == "text" else {"Recognition": content}
    if kind == "click":
        key = body.get("key")
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise BadInput("'key' must be a menu key like BIND_CARD")
        return "event_click", {"EventKey": key}
    if kind == "location":
        return "location", {"Location_X": 23.134521, "Location_Y": 113.358803, "Scale": 15,
                            "Label": "模拟位置"}
    return (f"event_{kind}" if kind in ("subscribe", "unsubscribe") else kind), {}


@sim_api.post("/send")
def send() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("send a JSON object like {\"user\": \"alice\", \"type\": \"text\", …}")
    openid = openid_of(body.get("user"))
    kind, fields = _fields(body)
    delivery = client().send(kind, openid, **fields)
    reply_type = delivery.reply.get("MsgType") if delivery.reply else None
    return jsonify(openid=openid, ok=delivery.ok, status=delivery.status, error=delivery.error,
                   reply=delivery.text or None, reply_type=reply_type)


@sim_api.get("/followers")
def followers() -> Any:
    bot = current_bot()
    cfg, flows = bot.config, bot.engine.flows.values()
    menu = [flow.menu_key for flow in flows if flow.menu_key]  # the flows own their buttons
    return jsonify(followers=[{"alias": a, "openid": o, "label": label}
                              for a, o, label in FOLLOWERS], menu=menu,
                   mode="safe" if cfg["WECHAT_AES_KEY"] else "plaintext")


@sim_api.get("/sms")
def sms() -> Any:
    """The simulated phones: the latest SMS each seed phone got, newest first."""
    bot = current_bot()
    outbox = getattr(bot.backend, "sms_outbox", None)
    latest = []
    for person in seed_people(bot) if outbox else []:
        if person["phone"] and (got := outbox(person["phone"])):
            latest.append({**got[-1], "name": person["name"], "phone": person["phone_masked"]})
    latest.sort(key=lambda m: m["sent_at"], reverse=True)
    return jsonify(messages=latest)


@sim_api.get("/seed")
def seed() -> Any:
    people = seed_people(current_bot())
    return jsonify(people=[{k: v for k, v in p.items() if k != "phone"} for p in people])


@sim_api.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str) -> Any:
    return jsonify(error="not_found", detail="no such simulator API"), 404


@sim_api.errorhandler(BadInput)
def _bad(exc: BadInput) -> Any:
    return jsonify(error="bad_request", detail=str(exc)), 400


def init_app(app: Flask) -> None:
    """Register the API (simulator mode only, from bot.sim.web)."""
    app.extensions[PAGE] = page = Page(app)
    bot_of(app).on_close.append(page.close)
    app.register_blueprint(sim_api)
