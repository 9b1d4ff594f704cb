"""The simulator page's JSON API: act as a follower through the real protocol, read the phone.

`POST /sim/api/send` builds the push as the platform would and delivers it with PlatformClient
(signed; sealed in safe mode when WECHAT_AES_KEY is set), so the page exercises the webhook's
whole path; the exchange is kept (bot/sim/webbench.py) for the chat, the traffic and retries.
Reads: `/sim/api/followers`, `/sim/api/menu`, `/sim/api/sms` (the mock's outbox, latest code
per phone) and `/sim/api/seed` (the made-up seed people to type). Bad input is a 4xx answer.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from bot.parts import current_bot
from bot.sim.web.bench import bench
from bot.sim.web.menu import page_menu
from bot.sim.web.seed_sheet import seed_people
from bot.sim.wire.build import clean
from bot.sim.wire.envelope import push_mode
from bot.sim.wire.followers import FOLLOWERS, BadInput, alias_of, openid_of

sim_api = Blueprint("sim_page_api", __name__, url_prefix="/sim/api")
KINDS = {"text", "click", "subscribe", "unsubscribe", "image", "location", "voice"}
KEY = re.compile(r"[A-Za-z0-9_]{1,64}")
MAX_TEXT = 2048
MAX_LABEL = 64
__all__ = ["FOLLOWERS", "BadInput", "openid_of", "sim_api"]


def _fields(body: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """The push's kind, its fields, and what the follower's bubble shows."""
    kind = body.get("type")
    if kind not in KINDS:
        raise BadInput(f"'type' must be one of {', '.join(sorted(KINDS))}")
    label = body.get("label")
    label = clean(label)[:MAX_LABEL] if isinstance(label, str) and label.strip() else None
    if kind in ("text", "voice"):
        content = body.get("content")
        content = clean(content) if isinstance(content, str) else ""
        if not content.strip() or len(content) > MAX_TEXT:
            raise BadInput(f"'content' must be non-empty text of at most {MAX_TEXT} characters")
        field = {"Content": content} if kind == "text" else {"Recognition": content}
        return kind, field, content
    if kind == "click":
        key = body.get("key")
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise BadInput("'key' must be a menu key like BIND_CARD")
        return "event_click", {"EventKey": key}, f"[菜单] {label or key}"
    shown = f"[{label or kind}]"
    if kind == "location":
        return "location", {"Location_X": 23.134521, "Location_Y": 113.358803, "Scale": 15,
                            "Label": "模拟位置"}, shown
    return (f"event_{kind}" if kind in ("subscribe", "unsubscribe") else kind), {}, shown


@sim_api.post("/send")
def send() -> Any:
    """Act as a follower through the whole webhook path, and keep the exchange."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("send a JSON object like {\"user\": \"alice\", \"type\": \"text\", …}")
    openid = openid_of(body.get("user"))
    kind, fields, shown = _fields(body)
    work = bench()
    exchange = work.deliver(lambda: work.client.send(kind, openid, **fields), openid,
                            alias_of(openid), kind=kind, shown=shown)
    return jsonify(openid=openid, ok=exchange.status == 200 and exchange.error is None,
                   status=exchange.status, error=exchange.error, reply=exchange.reply_text,
                   reply_type=exchange.reply_type, exchange=exchange.as_json())


@sim_api.get("/followers")
def followers() -> Any:
    cfg = current_bot().config
    return jsonify(followers=[{"alias": a, "openid": o, "label": label}
                              for a, o, label in FOLLOWERS],
                   mode=push_mode(cfg))


@sim_api.get("/menu")
def menu() -> Any:
    """The menu to draw: the account's when the mock platform has one, else the flows'."""
    return jsonify(page_menu(current_app._get_current_object(), bench()))  # noqa: SLF001


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
    app.register_blueprint(sim_api)
