"""Save the followers' session from the page as a fixture, through the recorder's masking.

`POST /sim/api/fixtures/save {"users": [...], "name"?}` turns the page's exchanges with those
followers into recorder entries and then a fixture (bot/sim/record/convert.py): personal
values become seed stand-ins, openids aliases, replies key phrases; faults armed meanwhile
(faults.py) become `faults:` steps, and a reply that missed the deadline is expected as what
reached the follower through the mock platform's API. The file is written under
BOT_DATA_DIR/fixtures for `wxbot replay`, and replays wherever it is copied (the seed goes
with it). The recorder's side of the page: it reads the page's transcripts through the app
(extensions["wxbot.bench"]), not by importing the page.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Flask, current_app, jsonify, request

from bot.backend import seed_path
from bot.parts import current_bot
from bot.protocol import ProtocolError, parse_xml
from bot.sim.mockplatform.cgi import mock
from bot.sim.record import faults
from bot.sim.record.convert import convert
from bot.sim.record.faults import FAULTS, LATE_SHARE
from bot.sim.record.log import Entry, LogError
from bot.sim.targets.base import pushed_text
from bot.sim.wire.followers import BadInput, openid_of

save_api = Blueprint("sim_save_api", __name__, url_prefix="/sim/api/fixtures")
SAVED = "fixtures"  # under BOT_DATA_DIR, where bot/sim/webfixture_run.py lists them
SLUG = re.compile(r"[^A-Za-z0-9_-]+")
HEADER = "# Saved from the simulator page: personal data replaced by seed stand-ins.\n"


def entry(exchange: Any, deadline: float) -> Entry | None:
    """A page exchange as a recorder entry; None for retries and pushes that never landed."""
    if exchange.status != 200 or exchange.retry_of is not None:
        return None
    try:
        fields = parse_xml(exchange.request_xml)
    except ProtocolError:
        return None
    # Answered `success` at the deadline: the turn's reply went out through the API.
    late = deadline if not exchange.reply_xml and \
        exchange.latency_ms >= deadline * 1000 * LATE_SHARE else None
    return Entry(exchange.at, exchange.openid, fields, exchange.reply_text, exchange.before,
                 exchange.after, exchange.lang, tuple(tuple(t) for t in exchange.trace), late)


def _pushed(entries: list[Entry]) -> list[Entry]:
    """Late entries with what reached their follower through the API before they typed again."""
    out = []
    for i, item in enumerate(entries):
        if item.late is not None:
            later = [e.at for e in entries[i + 1:] if e.openid == item.openid]
            until = later[0] if later else float("inf")
            texts = [pushed_text(m) for m in mock().outbound(item.openid)
                     if item.at <= float(m["at"]) < until]
            item = replace(item, pushed="\n".join(texts) or None)
        out.append(item)
    return out


def session(openids: list[str]) -> list[Entry]:
    """The page's exchanges with these followers as entries, faults placed where armed."""
    bench, deadline = current_app.extensions["wxbot.bench"], current_bot().config[
        "BOT_REPLY_DEADLINE"]
    exchanges = [(x.id, e) for x in bench.transcripts.of_all(openids)
                 if (e := entry(x, deadline)) is not None]
    if not exchanges:
        return []
    armed = current_app.extensions[FAULTS].since(exchanges[0][0])
    entries = []
    for exchange_id, item in exchanges:
        before = tuple(a.step for a in armed if a.after < exchange_id)
        armed = [a for a in armed if a.after >= exchange_id]
        entries.append(replace(item, faults=before) if before else item)
    return _pushed(entries)


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
    entries = session(openids)
    spoke = [o for o in openids if any(e.openid == o for e in entries)]
    if not spoke:
        raise BadInput("none of these followers has said anything yet")
    slug = SLUG.sub("_", "-".join(spoke))[:60]
    out = Path(current_app.config["BOT_DATA_DIR"]) / SAVED / f"{slug}-{len(entries)}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    seed = seed_path(current_bot().config.get("BOT_BACKEND_SEED"))
    try:
        bench = current_app.extensions["wxbot.bench"]
        fixture, subs = convert(entries, spoke, seed, title.strip() if title else None,
                                final={o: bench.step(o) for o in spoke})
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
    """Register the API and watch the fault controls (simulator mode only, from bot.sim.web)."""
    app.register_blueprint(save_api)
    transcripts = app.extensions["wxbot.bench"].transcripts
    faults.init_app(app, lambda: transcripts.last_id)
