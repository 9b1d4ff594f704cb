"""`GET /sim/api/subscriptions?user=`: a follower's subscribe-notice grants for the page.

Each of the account's templates with the platform's ledger (the mock's `sub_grants`: status,
sends left) beside what the bot believes from the pushes it heard (bot/outbound/grants.py)
and the notice kind whose setting names it. The two can differ, as in production: a spent
one-time grant looks granted to the bot until its next send gets 43101. The popup's answer
itself is the mock platform's control, `POST /sim/api/subscribe`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from bot.parts import bot_of
from bot.sim.mockplatform.cgi import MOCK, mock

subscriptions = Blueprint("sim_subscriptions", __name__, url_prefix="/sim/api")


@subscriptions.get("/subscriptions")
def follower_subscriptions() -> Any:
    user = request.args.get("user", "").strip()
    if not user or len(user) > 64:
        return jsonify(error="bad_request", detail="query parameter 'user' is required"), 400
    if MOCK not in current_app.extensions:
        return jsonify(error="not_found", detail="the mock platform is not running"), 404
    ledger = mock().subscriptions.grants(user)
    notifier = bot_of(current_app).notifier
    templates = [g["template_id"] for g in ledger]
    believed = notifier.grants.of(user, templates) if notifier is not None else {}
    kinds = {t: kind for kind, t in notifier.templates.items()} if notifier is not None else {}
    return jsonify(user=user, templates=[
        {**g, "bot": believed.get(g["template_id"], "none"), "kind": kinds.get(g["template_id"])}
        for g in ledger])


def init_app(app: Flask) -> None:
    app.register_blueprint(subscriptions)
