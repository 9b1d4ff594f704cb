"""The `wxbot` command: serve, demo, and the simulator's tools (added by bot/sim/mount.py)."""

from __future__ import annotations

import logging
import os
import shlex
import sys
import threading
import webbrowser
from importlib import import_module
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from bot.config import (
    DEMO_APP_ID,
    DEMO_APP_SECRET,
    DEMO_SUBSCRIBE,
    DEV_TOKEN,
    SIMULATOR,
    ConfigError,
    merged,
)
from bot.server import launch, preflight
from bot.settings import Settings, load_settings

console = Console(stderr=True, soft_wrap=True)  # banner lines stay whole in logs


class Refused(click.ClickException):
    """A setting that cannot work: one line naming it and the fix, then exit 2."""

    exit_code = 2


def _build(overrides: dict | None = None):  # noqa: ANN202 - a Flask app
    from bot.app import create_app

    try:
        return create_app(overrides)
    except ConfigError as exc:
        raise Refused(str(exc)) from None


def _config(overrides: dict | None = None) -> dict:
    return dict(_settings(overrides).config)


def _settings(overrides: dict | None = None) -> Settings:
    try:
        return load_settings(overrides)
    except ConfigError as exc:
        raise Refused(str(exc)) from None


def _check_seed(cfg: dict) -> None:
    """The mock's seed reads and keeps its rules (a workers' traceback otherwise)."""
    from bot.backend import seed_problem

    problem = seed_problem(cfg)
    if problem:
        raise ConfigError(problem)


def _log_as(cfg: dict) -> None:
    """BOT_LOG_FORMAT from the first line on, before the app says anything while built."""
    from bot.server import logs

    logs.configure(cfg["BOT_LOG_FORMAT"])  # gunicorn applies the same dict itself


def _announce(cfg: dict, url: str, server: str) -> None:
    for n, line in enumerate(launch.banner(cfg, url, server)):
        _say(cfg, f"[bold]{line}[/]" if n == 0 else f"[bold red]{line}[/]")


def _say(cfg: dict, markup: str) -> None:
    """A line for the person starting the server; a log record when the log is JSON, so
    every line of the stream parses."""
    if cfg["BOT_LOG_FORMAT"] == "json":
        from rich.text import Text

        logging.getLogger("wxbot").info("%s", Text.from_markup(markup).plain)
    else:
        console.print(markup)


def _run(app, host: str, port: int) -> None:  # noqa: ANN001
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


def _exec(argv: list[str], env: dict[str, str]) -> None:
    """gunicorn becomes this process: a supervisor's signals reach its master directly."""
    sys.stderr.flush()
    os.execve(argv[0], argv, env)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wxbot")
def main() -> None:
    """Build, test and run a WeChat official-account bot for social-security card services."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes (bot/server/gunicorn_conf.py's threads each).")
@click.option("--dev", is_flag=True,
              help="Werkzeug's development server instead of gunicorn: one process, for a "
                   "debugger; never in production.")
@click.option("--gunicorn", "use_gunicorn", is_flag=True, hidden=True,
              help="Accepted for old command lines: gunicorn is the default now.")
@click.option("--allow-lost-late-replies", is_flag=True,
              help="Serve without the platform's API (no AppID/secret, or unreachable): a "
                   "reply that misses the 5-s window is then lost "
                   "(or BOT_ALLOW_LOST_LATE_REPLIES=1).")
@click.option("--allow-remote-simulator", is_flag=True,
              help="Let BOT_SIMULATOR listen on a non-loopback address (a private network only).")
def serve(host: str, port: int, workers: int, dev: bool, use_gunicorn: bool,
          allow_lost_late_replies: bool, allow_remote_simulator: bool) -> None:
    """Serve the webhook for the platform under gunicorn (`--dev`: the development server).

    Every setting is checked before the first line is printed; a problem is one line naming
    the setting and its fix, and the exit status is 2.
    """
    if dev and (workers > 1 or use_gunicorn):
        raise click.UsageError("--dev runs one process: drop --workers and --gunicorn")
    overrides: dict = {"BOT_SIMULATOR_REMOTE": True} if allow_remote_simulator else {}
    if allow_remote_simulator:  # the simulator answers the name it was told to listen on
        hosts = ",".join(filter(None, (os.environ.get("BOT_SIMULATOR_HOSTS", ""), host)))
        overrides["BOT_SIMULATOR_HOSTS"] = hosts
    if allow_lost_late_replies:
        overrides["BOT_ALLOW_LOST_LATE_REPLIES"] = True
    overrides.update(launch.simulator_defaults(merged(overrides), host, port))
    settings = _settings(overrides)
    try:
        preflight.check_settings(settings, [host], workers)
        preflight.check_port(host, port)
        preflight.check_reach(settings)
        _check_seed(settings.config)
    except ConfigError as exc:
        raise Refused(str(exc)) from None
    _log_as(settings.config)
    if not dev:
        _announce(settings.config, f"http://{host}:{port}", f"serve (gunicorn, {workers} "
                  f"worker{'s' if workers > 1 else ''})")
        # The workers build their apps from the environment: the overrides go there.
        env = {name: "1" if value is True else str(value) for name, value in overrides.items()}
        _exec(launch.gunicorn_argv(host, port, workers), {**os.environ, **env})
        return  # not reached but under a test's stand-in: exec replaces this process
    app = _build(overrides)
    _announce(app.config, f"http://{host}:{port}", "serve (development server)")
    _run(app, host, port)


def demo_exports(settings: dict) -> str:
    """The shell line that points the other commands at this demo (its token, account, API).

    The demo's own token and secret are public and printed; one the operator supplied stays
    `"$NAME"`, expanded from their own shell, so a real secret never reaches a terminal log.
    """
    public = {"WECHAT_TOKEN": DEV_TOKEN, "WECHAT_APP_SECRET": DEMO_APP_SECRET}
    shown = []
    for name in ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_API_BASE"):
        value = str(settings[name])
        hidden = name in public and value != public[name]
        shown.append(f'{name}="${name}"' if hidden else f"{name}={shlex.quote(value)}")
    return "export " + " ".join(shown)


@main.command()
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open the simulator page.")
def demo(port: int, no_browser: bool) -> None:
    """Run with embedded defaults: token devtoken, simulator on, seeded mock backend."""
    env = os.environ.get
    overrides = {"WECHAT_TOKEN": env("WECHAT_TOKEN") or DEV_TOKEN, "BOT_SIMULATOR": True,
                 "WECHAT_APP_ID": env("WECHAT_APP_ID") or DEMO_APP_ID,
                 "WECHAT_APP_SECRET": env("WECHAT_APP_SECRET") or DEMO_APP_SECRET,
                 "WECHAT_API_BASE": env("WECHAT_API_BASE") or f"http://127.0.0.1:{port}/cgi-bin/",
                 **{name: env(name) or demo for name, demo in DEMO_SUBSCRIBE.items()}}
    if not env("BOT_STORE_KEY"):  # the demo seals what is typed too, with a key of its own
        from bot.store.sealer import demo_key

        overrides["BOT_STORE_KEY"] = demo_key(_config(overrides)["BOT_DATA_DIR"])
    _log_as(_config(overrides))
    try:  # its simulator is its API: only the port and the store can be wrong
        preflight.check_port("127.0.0.1", port)
        preflight.check_reach(_settings(overrides))
        _check_seed(_config(overrides))
    except ConfigError as exc:
        raise Refused(str(exc)) from None
    app = _build(overrides)
    url = f"http://127.0.0.1:{port}"
    _announce(app.config, url, "demo")
    cfg = app.config
    _say(cfg, f"Webhook {url}/wechat (token {overrides['WECHAT_TOKEN']}), simulator "
         f"{url}/sim, state in {Path(app.config['BOT_DATA_DIR']).resolve()}")
    _say(cfg, "For [bold]wxbot menu[/], [bold]wxbot doctor --url "
         f"{url}/wechat[/] and [bold]wxbot chat --url {url}[/] in another terminal:")
    _say(cfg, escape(demo_exports(overrides)))
    _say(cfg, "Talk to it: open the simulator page, or run [bold]wxbot chat --url "
         f"{url}[/] in another terminal. Ctrl-C stops.")
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, (f"{url}/sim",)).start()
    _run(app, "127.0.0.1", port)


def _register_optional() -> None:
    """Commands that live beside the parts they drive; the simulator's come through its mount."""
    from bot.backend.server import backend_command
    from bot.platform.cli import doctor_command, menu_group
    from bot.understand import understand_command

    main.add_command(backend_command)
    main.add_command(understand_command)
    for command in import_module(SIMULATOR).commands():
        main.add_command(command)
    main.add_command(menu_group)
    main.add_command(doctor_command)


_register_optional()
