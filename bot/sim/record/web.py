"""Save the followers' session from the page as a fixture, through the recorder's masking.

`POST /sim/api/fixtures/save {"users": [...], "name"?}` turns the page's exchanges with those
followers into recorder entries and then a fixture (bot/sim/record_cli.py `convert`): personal
values become seed stand-ins, openids aliases, replies key phrases. The file is written under
BOT_DATA_DIR/fixtures for `wxbot replay`. The recorder's side of the page: it reads the page's
transcripts through the app (extensions["wxbot.bench"]), not by importing the page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Flask, current_app, jsonify, request

from bot.backend import seed_path
from bot.parts import current_bot
from bot.protocol import ProtocolError, parse_xml
from bot.sim.record.cli import convert
from bot.sim.record.log import Entry, LogError
from bot.sim.wire.followers import BadInput, openid_of

save_api = Blueprint("sim_save_api", __name__, url_prefix="/sim/api/fixtures")
SAVED = "fixtures"  # under BOT_DATA_DIR, where bot/sim/webfixture_run.py lists them
SLUG = re.compile(r"[^A-Za-z0-9_-]+")
HEADER = "# Saved from the simulator page: personal data replaced by seed stand-ins.\n"


def entry(exchange: Any) -> Entry | None:
    """A page exchange as a recorder entry; None for retries and pushes that never landed."""
    if exchange.status != 200 or exchange.retry_of is not None:
        return None
    try:
        fields = parse_xml(exchange.request_xml)
    except ProtocolError:
        return None
    return Entry(exchange.at, exchange.openid, fields, exchange.reply_text, exchange.before,
                 exchange.after, exchange.lang, tuple(tuple(t) for t in exchange.trace))


@save_api.post("/save")
def save() -> Any:
    """Write the session as a fixture; only seed stand-ins reach the file."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    users, title = body.get("users"), body.get("name")
    if not isinstance(users, list) or not users:
        raise BadInput("'users' must list the followers (aliases or openids) to save")
    openids = list(dict.fromkeys(openid_of(u) for u in users))
    if title is not None and (not isinstance(title, str) or not 0 < len(title.strip()) <= 80):
        raise BadInput("'name' must be text of at most 80 characters")
    transcripts = current_app.extensions["wxbot.bench"].transcripts
    entries = [e for x in transcripts.of_all(openids) if (e := entry(x)) is not None]
    spoke = [o for o in openids if any(e.openid == o for e in entries)]
    if not spoke:
        raise BadInput("none of these followers has said anything yet")
    slug = SLUG.sub("_", "-".join(spoke))[:60]
    out = Path(current_app.config["BOT_DATA_DIR"]) / SAVED / f"{slug}-{len(entries)}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    seed = seed_path(current_bot().config.get("BOT_BACKEND_SEED"))
    try:
        fixture, subs = convert(entries, spoke, seed, out, title.strip() if title else None)
    except LogError as exc:
        raise BadInput(str(exc)) from None
    text = HEADER + yaml.safe_dump(fixture, allow_unicode=True, sort_keys=False, width=100)
    out.write_text(text, encoding="utf-8")
    return jsonify(name=f"saved/{out.name}", path=str(out.resolve()), yaml=text,
                   steps=len(fixture["steps"]), replaced=dict(subs.counts))


@save_api.errorhandler(BadInput)
def _bad(exc: BadInput) -> Any:
    return jsonify(error="bad_request", detail=str(exc)), 400


def init_app(app: Flask) -> None:
    """Register the API (simulator mode only, from bot.sim.web)."""
    app.register_blueprint(save_api)
