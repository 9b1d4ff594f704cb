"""Simulator mode: the mock backend's API beside the webhook, and the simulator page at /sim.

Rule: may import `wire`, `mockplatform`, `targets` and the bot's parts via `bot.parts`; never
another tool (replay, record, chat) nor `bot.app`. Its scripts (static/) import one way.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, Flask, Response, redirect, send_from_directory

from bot.backend.mock_api import host
from bot.parts import bot_of
from bot.sim.web import agents, bench, counters, page_api, reset, state_api, steplog, subscriptions

STATIC = Path(__file__).parent / "static"
page = Blueprint("sim_page", __name__, url_prefix="/sim", static_folder="static")
# Everything the page needs is served from here: no CDN, no inline script (the machine may
# well have no internet, and a strict policy keeps a typed reply from ever running as code).
POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"
QUIET = ('"GET /sim/api/', '"GET /sim/static/', '"GET /backend/v1/clock', '"GET /sim/ ',
         '"GET /sim HTTP', '"GET /healthz', '"GET /backend/v1/faults')  # the fault panel's poll


class QuietPolling(logging.Filter):
    """Keep the page's polling (and its assets) out of the request log; the rest stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(part in message for part in QUIET)


@page.get("")
@page.get("/")
def index() -> Response:
    """The workbench: followers side by side, inspector, traffic, clock, fixtures."""
    response = send_from_directory(STATIC, "index.html", max_age=0)
    response.headers["Content-Security-Policy"] = POLICY
    return response


def favicon() -> Response:
    """The tab's icon, also where a browser looks for one by habit (no 404 in the log)."""
    return send_from_directory(STATIC, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


def init_app(app: Flask) -> None:
    bot = bot_of(app)
    # One clock for the bot and its mock, so a replayed fixture's `today` holds for both.
    host(app, bot.backend, bot.clock, after_reset=[bot.store.clear_sessions])  # reset ends all
    state_api.init_app(app)  # GET /sim/api/state, /sim/api/diagram: where a follower stands
    bench.init_app(app)  # transcripts, traffic, retries, clock, reset
    agents.init_app(app)  # /sim/api/agents: the agent console (customer service)
    subscriptions.init_app(app)  # /sim/api/subscriptions: a follower's subscribe notices
    page_api.init_app(app)  # the page's own API: send as a follower, SMS inbox, seed sheet, menu
    reset.init_app(app)  # POST /sim/api/reset: everything the page shows, back to the start
    counters.init_app(app)  # GET /sim/api/counters: the bot's metrics, live on the page
    # The replay and record tools add their parts of the page from bot/sim/mount.py (tools
    # never import each other): bot.sim.replay.web (run fixtures), bot.sim.record.web (save one).
    app.register_blueprint(page)
    app.add_url_rule("/", "sim_root", lambda: redirect("/sim", 302))
    app.add_url_rule("/favicon.ico", "sim_favicon", favicon)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, QuietPolling) for f in werkzeug.filters):
        werkzeug.addFilter(QuietPolling())
    steplog.setup()
