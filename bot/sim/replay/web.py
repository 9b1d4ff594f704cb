"""Fixtures from the page: list them, and run one (or its first steps) with each step marked.

`GET /sim/api/fixtures` -> `{"fixtures": [{"name", "title", "steps"}]}` (the project's and the
ones saved from the page, bot/sim/websave.py). `POST /sim/api/fixtures/run {"name", "upto"?}`
replays it in a fresh bot in process, as `wxbot replay` does, and marks each step pass, fail or
not run. The replay tool's side of the page: it knows fixtures, not the page's transcripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from bot.backend import REPO_ROOT
from bot.sim.replay.expect import describe
from bot.sim.replay.fixture import FixtureError, discover, load_fixture
from bot.sim.replay.run import action, run_step, settings_of
from bot.sim.targets.local import local_targets
from bot.sim.wire.followers import BadInput

fixtures_api = Blueprint("sim_fixtures_api", __name__, url_prefix="/sim/api/fixtures")
PROJECT = REPO_ROOT / "fixtures" / "conversations"
SAVED = "fixtures"  # under BOT_DATA_DIR, where the page saves sessions (bot/sim/websave.py)


def saved_dir() -> Path:
    return Path(current_app.config["BOT_DATA_DIR"]) / SAVED


def _files() -> dict[str, Path]:
    """name -> file: `conversations/x.yaml` for the project's, `saved/x.yaml` for the page's."""
    found = {f"conversations/{p.name}": p for p in discover([PROJECT])} if PROJECT.is_dir() else {}
    if saved_dir().is_dir():
        found.update({f"saved/{p.name}": p for p in discover([saved_dir()])})
    return found


@fixtures_api.get("")
def listing() -> Any:
    """Every fixture the page can run, with its steps as a person reads them."""
    shown = []
    for name, path in _files().items():
        try:
            fixture = load_fixture(path)
        except FixtureError as exc:
            shown.append({"name": name, "title": name, "steps": [], "error": str(exc)})
            continue
        shown.append({"name": name, "title": fixture.name, "steps": [
            {"index": s.index, "action": action(s),
             "expect": describe(s.expect) if s.expect is not None else None,
             "pushed": describe(s.pushed) if s.pushed is not None else None}
            for s in fixture.steps]})
    return jsonify(fixtures=shown)


@fixtures_api.post("/run")
def run() -> Any:
    """Replay in a fresh bot (never the page's own state), marking every step."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    path = _files().get(body.get("name"))
    upto = body.get("upto")
    if path is None:
        raise BadInput("'name' must be one of GET /sim/api/fixtures")
    if upto is not None and (isinstance(upto, bool) or not isinstance(upto, int) or upto < 1):
        raise BadInput("'upto' must be a step number (1 or more)")
    try:
        fixture = load_fixture(path)
    except FixtureError as exc:
        return jsonify(name=body["name"], ok=False, error=str(exc), steps=[])
    steps, failed = [], False
    with local_targets()(settings_of(fixture)) as target:
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


@fixtures_api.errorhandler(BadInput)
def _bad(exc: BadInput) -> Any:
    return jsonify(error="bad_request", detail=str(exc)), 400


def init_app(app: Flask) -> None:
    """Register the API (simulator mode only, from bot.sim.web)."""
    app.register_blueprint(fixtures_api)
