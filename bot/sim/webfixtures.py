"""Fixtures from the page: run one step by step, or save the followers' session as one.

`GET /sim/api/fixtures` -> `{"fixtures": [{"name", "title", "steps"}]}` (the project's and saved).
`POST /sim/api/fixtures/run {"name", "upto"?}` replays it in a fresh bot in process (as
`wxbot replay` does) and marks each step pass, fail or not run. `POST /sim/api/fixtures/save
{"users": [...], "name"?}` writes the session through the recorder's masking, for `wxbot replay`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Flask, current_app, jsonify, request

from bot.backend import REPO_ROOT, seed_path
from bot.sim.expect import describe
from bot.sim.fixture import FixtureError, discover, load
from bot.sim.local import local_targets
from bot.sim.record_cli import convert
from bot.sim.recordlog import LogError
from bot.sim.replay import action, run_step
from bot.sim.webbench import bench
from bot.sim.webfollowers import BadInput, openid_of

fixtures_api = Blueprint("sim_fixtures_api", __name__, url_prefix="/sim/api/fixtures")
PROJECT = REPO_ROOT / "fixtures" / "conversations"
SLUG = re.compile(r"[^A-Za-z0-9_-]+")
HEADER = "# Saved from the simulator page: personal data replaced by seed stand-ins.\n"


def saved_dir() -> Path:
    return Path(current_app.config["BOT_DATA_DIR"]) / "fixtures"


def _files() -> dict[str, Path]:
    """name -> file: `conversations/x.yaml` for the project's, `saved/x.yaml` for the page's."""
    found = {f"conversations/{p.name}": p for p in discover([PROJECT])} if PROJECT.is_dir() else {}
    if saved_dir().is_dir():
        found.update({f"saved/{p.name}": p for p in discover([saved_dir()])})
    return found


@fixtures_api.get("")
def listing() -> Any:
    shown = []
    for name, path in _files().items():
        try:
            fixture = load(path)
        except FixtureError as exc:
            shown.append({"name": name, "title": name, "steps": [], "error": str(exc)})
            continue
        shown.append({"name": name, "title": fixture.name, "steps": [
            {"index": s.index, "action": action(s),
             "expect": describe(s.expect) if s.expect is not None else None}
            for s in fixture.steps]})
    return jsonify(fixtures=shown)


@fixtures_api.post("/run")
def run() -> Any:
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    path = _files().get(body.get("name"))
    upto = body.get("upto")
    if path is None:
        raise BadInput("'name' must be one of GET /sim/api/fixtures")
    if upto is not None and (isinstance(upto, bool) or not isinstance(upto, int) or upto < 1):
        raise BadInput("'upto' must be a step number (1 or more)")
    try:
        fixture = load(path)
    except FixtureError as exc:
        return jsonify(name=body["name"], ok=False, error=str(exc), steps=[])
    steps, failed = [], False
    with local_targets()(fixture) as target:
        for step in fixture.steps:
            shown = {"index": step.index, "action": action(step)}
            if failed or (upto is not None and step.index > upto):
                steps.append({**shown, "result": "not run"})
                continue
            failure = run_step(step, fixture, target)
            failed = failure is not None
            steps.append({**shown, "result": "fail" if failed else "pass",
                          "expected": failure.expected if failure else None,
                          "got": failure.got if failure else None})
    return jsonify(name=body["name"], title=fixture.name, ok=not failed, steps=steps)


@fixtures_api.post("/save")
def save() -> Any:
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    users, title = body.get("users"), body.get("name")
    if not isinstance(users, list) or not users:
        raise BadInput("'users' must list the followers (aliases or openids) to save")
    openids = list(dict.fromkeys(openid_of(u) for u in users))
    if title is not None and (not isinstance(title, str) or not 0 < len(title.strip()) <= 80):
        raise BadInput("'name' must be text of at most 80 characters")
    entries = bench().transcripts.entries(openids)
    spoke = [o for o in openids if any(e.openid == o for e in entries)]
    if not spoke:
        raise BadInput("none of these followers has said anything yet")
    slug = SLUG.sub("_", "-".join(spoke))[:60]
    out = saved_dir() / f"{slug}-{len(entries)}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    seed = seed_path(current_app.extensions["wxbot"].config.get("BOT_BACKEND_SEED"))
    try:
        fixture, subs = convert(entries, spoke, seed, out, title.strip() if title else None)
    except LogError as exc:
        raise BadInput(str(exc)) from None
    text = HEADER + yaml.safe_dump(fixture, allow_unicode=True, sort_keys=False, width=100)
    out.write_text(text, encoding="utf-8")
    return jsonify(name=f"saved/{out.name}", path=str(out.resolve()), yaml=text,
                   steps=len(fixture["steps"]), replaced=dict(subs.counts))


@fixtures_api.errorhandler(BadInput)
def _bad(exc: BadInput) -> Any:
    return jsonify(error="bad_request", detail=str(exc)), 400


def init_app(app: Flask) -> None:
    """Register the API (simulator mode only, from bot.sim.web)."""
    app.register_blueprint(fixtures_api)
