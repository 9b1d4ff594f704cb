"""`/sim/api/agents/...`: the agent console's JSON API (the page, fixtures and `chat /agent`).

The simulator's person at the platform's customer-service tool: who is online, the queue,
take a follower, read what they said and what the bot had collected (masked as the bot
masks), answer through message/custom/send with `customservice`, close.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from bot.handover import HandOver, Notes, OnlineAgents
from bot.parts import bot_of, current_bot
from bot.sim.mockplatform.cgi import mock
from bot.sim.mockplatform.errors import ApiRefusal, error_body
from bot.sim.web.inspector import inspect, masked_slots
from bot.sim.wire.followers import alias_of
from bot.store.kv import open_kv

agents = Blueprint("sim_agents", __name__, url_prefix="/sim/api/agents")
NOTES = "wxbot.sim_notes"  # app.extensions key: the left messages, read from the bot's KV
ONLINE = "wxbot.sim_online"  # app.extensions key: the bot's cached online list, to forget
MAX_SAY = 600


@agents.errorhandler(ApiRefusal)
def _refused(exc: ApiRefusal) -> Any:
    return jsonify(error_body(exc.errcode, exc.detail)), 409


def _body() -> dict:
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else {}


def _user(body: dict) -> str:
    user = body.get("user") or request.args.get("user") or ""
    if not isinstance(user, str) or not user.strip():
        raise ApiRefusal(40003, "'user' is required")
    return user.strip()


@agents.get("")
def overview() -> Any:
    """Agents (online or not), the waiting queue, open sessions, messages left for later."""
    kf = mock().kf
    queue = kf.waitcase()["waitcaselist"]
    sessions = [{"openid": o, "alias": alias_of(o), "kf_account": a}
                for a in [x["kf_account"] for x in kf.agents()]
                for o in [s["openid"] for s in kf.sessions(a)]]
    notes = current_app.extensions[NOTES]
    withdrew = {q["openid"] for q in queue  # left the bot's wait: taking them, the bot lets go
                if notes.kv.get(HandOver.withdrew_key(q["openid"])) is not None}
    notes = notes.all()
    return jsonify(agents=kf.agents(),
                   queue=[{**q, "alias": alias_of(q["openid"]), "withdrew": q["openid"] in withdrew}
                          for q in queue],
                   sessions=sessions,
                   notes=[{"id": n.id, "openid": n.openid, "alias": alias_of(n.openid),
                           "text": n.text, "at": n.at, "answered": n.answered} for n in notes])


@agents.get("/follower")
def follower() -> Any:
    """One follower as the agent sees them: the talk with people, and the bot's masked slots."""
    user, bot = _user({}), current_bot()
    found = inspect(bot, user)
    collected = found["slots"] if found else masked_slots({})
    return jsonify(openid=user, alias=alias_of(user), agent=mock().kf.session(user),
                   flow=found["flow"] if found else None, collected=collected,
                   title=found["title"] if found else None,
                   messages=mock().kf.messages(user))


@agents.post("/online")
def online() -> Any:
    body = _body()
    mock().kf.set_online(str(body.get("account") or ""), bool(body.get("online")))
    current_app.extensions[ONLINE].forget()  # the bot's cached list is stale now (up to
    return jsonify(agents=mock().kf.agents())  # BOT_KF_ONLINE_CACHE s): "人工" must know


@agents.post("/take")
def take() -> Any:
    body = _body()
    user = _user(body)
    account = body.get("account") or next(
        (a["kf_account"] for a in mock().kf.agents() if a["online"]), "")
    mock().kf.take(account, user)
    return jsonify(openid=user, kf_account=account)


@agents.post("/say")
def say() -> Any:
    body = _body()
    user, text = _user(body), body.get("text")
    if not isinstance(text, str) or not 0 < len(text.strip()) <= MAX_SAY:
        raise ApiRefusal(44002, f"'text' must be 1-{MAX_SAY} characters")
    account = mock().kf.session(user) or str(body.get("account") or "")
    if not account:
        raise ApiRefusal(65413, "take the follower first (or answer a note with 'account')")
    mock().send_custom({"touser": user, "msgtype": "text", "text": {"content": text.strip()},
                        "customservice": {"kf_account": account}})
    note = body.get("note")
    if isinstance(note, int):
        current_app.extensions[NOTES].answer(note)
    return jsonify(openid=user, kf_account=account)


@agents.post("/switch")
def switch() -> Any:
    """`{user, account}`: hand the follower to another online agent (kf_switch_session)."""
    body = _body()
    user = _user(body)
    mock().kf.hand_over(user, str(body.get("account") or ""))
    return jsonify(openid=user, kf_account=mock().kf.session(user))


@agents.post("/close")
def close() -> Any:
    user = _user(_body())
    account = mock().kf.session(user)
    mock().kf.release(account, user)
    return jsonify(openid=user, kf_account=account)


def init_app(app: Flask) -> None:
    bot = bot_of(app)
    kv = getattr(bot.engine.store, "kv", None)  # the bot's own KV where it has one: a
    if kv is None:  # memory:// store opened again would be another, empty one
        kv = open_kv(bot.config.get("BOT_STORE_URL") or bot.config["BOT_STORE"], bot.clock)
        bot.on_close.append(kv.close)
    app.extensions[NOTES] = Notes(kv, bot.clock)
    app.extensions[ONLINE] = OnlineAgents(None, kv)  # to forget the bot's cached online list
    app.register_blueprint(agents)
