"""Simulator mode: where a follower's conversation stands, for `replay --url` and `chat --url`.

`GET /sim/api/state?user=OPENID` -> `{"user", "session": null | {"flow", "state", "at"}}`.
Only the flow and state are shown: slots hold ID numbers and names, which never leave the bot.
`POST /sim/api/lang {"lang": "en"}` switches the reply language, so a replayed fixture's
`lang` holds on a live server as its `today` and seed do.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from bot.app import current_bot
from flows.catalog import LANGS, Catalog

inspect_api = Blueprint("sim_inspect_api", __name__, url_prefix="/sim/api")


@inspect_api.get("/state")
def state() -> Any:
    user = request.args.get("user", "").strip()
    if not user:
        return jsonify(error="bad_request", detail="query parameter 'user' is required"), 400
    session = current_bot().store.session(user)
    shown = None
    if session:
        shown = {"flow": session.get("flow"), "state": session.get("state"),
                 "at": session.get("at")}
    return jsonify(user=user, session=shown)


@inspect_api.post("/lang")
def set_lang() -> Any:
    lang = (request.get_json(silent=True) or {}).get("lang")
    if lang not in LANGS:
        return jsonify(error="bad_request", detail=f"'lang' must be one of {list(LANGS)}"), 400
    bot = current_bot()
    bot.engine.catalog = Catalog(lang)
    return jsonify(lang=lang)


def init_app(app: Any) -> None:
    """Register the endpoint (called from bot.sim.web in simulator mode)."""
    app.register_blueprint(inspect_api)
