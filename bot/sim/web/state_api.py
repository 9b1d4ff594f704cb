"""Simulator mode: where a follower's conversation stands, for the page, `replay` and `chat`.

`GET /sim/api/state?user=OPENID` -> `{"user", "session": null | {"flow", "state", "at"},
"inspector": null | {... masked slots, tries left, expiries}, "family": [{"role": "minor" |
"guardian", "other": OPENID, "state", "card" (masked), "expires_at"}]}` (bot/sim/web/inspector.py;
`family` links a minor's waiting bind and the guardian asked, bot/family).
`GET /sim/api/diagram?flow=NAME[&state=S]` -> the flow's diagram as SVG, S highlighted.
`GET /sim/api/understand?text=T` -> what the language stage makes of T (intent, confidence,
reason, act, slots masked, knowledge answer): the inspector shows it for each text sent.
`POST /sim/api/lang {"lang": "en"}` switches the reply language, so a replayed fixture's
`lang` holds on a live server as its `today` and seed do.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.dialogue.explain import explain
from bot.parts import current_bot
from bot.sim.targets.base import standing
from bot.sim.web.diagram import DiagramError, svg
from bot.sim.web.inspector import flow_title, inspect
from flows.catalog import LANGS, Catalog

inspect_api = Blueprint("sim_inspect_api", __name__, url_prefix="/sim/api")


@inspect_api.get("/state")
def state() -> Any:
    user = request.args.get("user", "").strip()
    if not user:
        return jsonify(error="bad_request", detail="query parameter 'user' is required"), 400
    bot = current_bot()
    session = bot.store.session(user)
    links = bot.family.links(user, session) if bot.family is not None else []
    return jsonify(user=user, session=standing(session), inspector=inspect(bot, user),
                   family=links)


@inspect_api.get("/understand")
def understand() -> Any:
    text = request.args.get("text", "")
    if not text.strip() or len(text) > 2048:
        return jsonify(error="bad_request", detail="query parameter 'text' (1-2048 chars) is "
                       "required"), 400
    heard = explain(text)
    bot = current_bot()  # the intent as the menu names it, so the page shows no flow's code name
    heard["intent_title"] = flow_title(bot, bot.engine.flows.get(heard.get("intent") or ""))
    return jsonify(heard)


@inspect_api.get("/diagram")
def diagram() -> Any:
    flows = current_bot().engine.flows
    flow, current = flows.get(request.args.get("flow", "")), request.args.get("state") or None
    if flow is None:
        return jsonify(error="bad_request", detail=f"'flow' must be one of {sorted(flows)}"), 400
    if current is not None and current not in flow.specs:
        return jsonify(error="bad_request", detail=f"no state {current!r} in {flow.name}"), 400
    try:
        drawn = svg(flow, current)
    except DiagramError as exc:
        return jsonify(error="unavailable", detail=str(exc)), 503
    response = Response(drawn, content_type="image/svg+xml; charset=utf-8")
    response.cache_control.max_age = 3600  # a flow's drawing changes only with the code
    return response


@inspect_api.post("/lang")
def set_lang() -> Any:
    body = request.get_json(silent=True)
    lang = body.get("lang") if isinstance(body, dict) else None
    if lang not in LANGS:
        return jsonify(error="bad_request", detail=f"'lang' must be one of {list(LANGS)}"), 400
    bot = current_bot()
    bot.engine.conversation.speak(Catalog(lang))
    return jsonify(lang=lang)


def init_app(app: Any) -> None:
    """Register the endpoint (called from bot.sim.web in simulator mode)."""
    app.register_blueprint(inspect_api)
