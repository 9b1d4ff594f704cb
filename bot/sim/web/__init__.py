"""Simulator mode: the mock backend's API beside the webhook, and the simulator page at /sim."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, send_from_directory

from bot.app import bot_of
from bot.backend.api import host
from bot.sim.web import api, inspect

STATIC = Path(__file__).parent / "static"
page = Blueprint("sim_page", __name__, url_prefix="/sim", static_folder="static")
# Everything the page needs is served from here: no CDN, no inline script (the machine may
# well have no internet, and a strict policy keeps a typed reply from ever running as code).
POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"


@page.get("")
@page.get("/")
def index() -> Response:
    """The chat page: a follower's WeChat window, the menu, the phone's SMS, the seed sheet."""
    response = send_from_directory(STATIC, "index.html", max_age=0)
    response.headers["Content-Security-Policy"] = POLICY
    return response


def init_app(app: Flask) -> None:
    bot = bot_of(app)
    # One clock for the bot and its mock, so a replayed fixture's `today` holds for both.
    host(app, bot.backend, bot.clock, after_reset=[bot.store.clear_sessions])  # reset ends all
    inspect.init_app(app)  # GET /sim/api/state: where a follower's conversation stands
    api.init_app(app)  # the page's own API: send as a follower, SMS inbox, seed sheet
    app.register_blueprint(page)
