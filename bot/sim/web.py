"""Simulator mode: the mock backend's API beside the webhook, on the bot's own clock."""

from __future__ import annotations

from flask import Flask

from bot.backend.api import backend_api
from bot.sim import inspect_api


def init_app(app: Flask) -> None:
    bot = app.extensions["wxbot"]
    app.extensions["wxbot.backend"] = bot.backend
    # One clock for the bot and its mock, so a replayed fixture's `today` holds for both.
    app.extensions["wxbot.backend_clock"] = bot.clock
    app.register_blueprint(backend_api)
    inspect_api.init_app(app)  # GET /sim/api/state: where a follower's conversation stands
