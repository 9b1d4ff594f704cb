"""The simulator's one entry point: what it adds to an app and to the `wxbot` command.

The bot never imports its simulator: bot/app.py and bot/cli.py find this module by the name
in `bot.config.SIMULATOR` and call `mount` / `commands`. Everything the simulator plugs into
the app goes through here, so the arrow between the two programs points one way.
"""

from __future__ import annotations

import click
from flask import Flask


def mount(app: Flask) -> None:
    """Add the simulator's parts the app's config asks for (BOT_SIMULATOR, BOT_RECORD_DIR)."""
    if app.config["BOT_SIMULATOR"]:
        from bot.backend.guard import configured_hosts, guard
        from bot.sim import mockplatform, web

        # Before any route: another site's page must not drive or read the controls.
        guard(app, configured_hosts(app.config.get("BOT_SIMULATOR_HOSTS")))
        from bot.sim.record import web as record_web
        from bot.sim.replay import web as replay_web

        web.init_app(app)
        mockplatform.init_app(app)  # /cgi-bin/: the mock platform API
        replay_web.init_app(app)  # fixtures from the page: run one, step by step
        record_web.init_app(app)  # save the page's session as a fixture
    if app.config.get("BOT_RECORD_DIR"):
        from bot.sim.record import recorder

        recorder.init_app(app)


def commands() -> list[click.Command]:
    """The simulator's tools as `wxbot` sub-commands: replay, chat, record, diagram."""
    from bot.sim.chat.cli import chat_command
    from bot.sim.record.cli import record_command
    from bot.sim.replay.cli import replay_command
    from bot.sim.web.diagram_cli import diagram_command

    return [replay_command, chat_command, record_command, diagram_command]
