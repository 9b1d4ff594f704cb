"""The `wxbot` command: serve, demo, and the simulator's tools."""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from pathlib import Path

import click
from rich.console import Console

from bot.config import ConfigError

console = Console(stderr=True)


def _build(overrides: dict | None = None):  # noqa: ANN202 - a Flask app
    from bot.app import create_app

    try:
        return create_app(overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _run(app, host: str, port: int) -> None:  # noqa: ANN001
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wxbot")
def main() -> None:
    """Build, test and run a WeChat official-account bot for social-security card services."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve the webhook for the platform (for production use gunicorn 'bot:create_app()')."""
    app = _build()
    cfg = app.config
    mode = "plaintext, compat and safe" if cfg["WECHAT_AES_KEY"] else "plaintext"
    console.print(f"[bold]wxbot serve[/] on http://{host}:{port}/wechat ({mode}); "
                  f"store {cfg['BOT_STORE']}; backend {cfg['BOT_BACKEND']}")
    _run(app, host, port)


@main.command()
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open the simulator page.")
def demo(port: int, no_browser: bool) -> None:
    """Run with embedded defaults: token dev-token, simulator on, seeded mock backend."""
    from bot.sim.api import DEMO_APP_ID, DEMO_APP_SECRET

    env = os.environ.get
    overrides = {"WECHAT_TOKEN": env("WECHAT_TOKEN") or "dev-token", "BOT_SIMULATOR": True,
                 "WECHAT_APP_ID": env("WECHAT_APP_ID") or DEMO_APP_ID,
                 "WECHAT_APP_SECRET": env("WECHAT_APP_SECRET") or DEMO_APP_SECRET,
                 "WECHAT_API_BASE": env("WECHAT_API_BASE") or f"http://127.0.0.1:{port}/cgi-bin/"}
    app = _build(overrides)
    url = f"http://127.0.0.1:{port}"
    console.print(f"[bold green]wxbot demo[/] — webhook {url}/wechat (token "
                  f"{overrides['WECHAT_TOKEN']}), simulator {url}/sim, state in "
                  f"{Path(app.config['BOT_DATA_DIR']).resolve()}")
    console.print(f"Platform API (mock) {overrides['WECHAT_API_BASE']} for AppID "
                  f"{overrides['WECHAT_APP_ID']}: try [bold]wxbot menu push[/] with those set.")
    console.print("Talk to it: open the simulator page, or run [bold]wxbot chat --url "
                  f"{url}[/] in another terminal. Ctrl-C stops.")
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, (f"{url}/sim",)).start()
    _run(app, "127.0.0.1", port)


@main.command()
@click.argument("flow")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the diagram here instead of standard output.")
def diagram(flow: str, output: str | None) -> None:
    """Print FLOW's state machine as a Mermaid diagram, drawn from its own definition."""
    from flows import ALL_FLOWS
    from flows.diagram import mermaid

    flows = {f.name: f for f in ALL_FLOWS}
    if flow not in flows:
        raise click.BadParameter(f"unknown flow {flow!r}; have: {', '.join(sorted(flows))}",
                                 param_hint="FLOW")
    text = mermaid(flows[flow])
    if output:
        Path(output).write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


def _register_optional() -> None:
    """Commands that live beside the parts they drive."""
    from bot.backend.server import backend_command
    from bot.platform.cli import doctor_command, menu_group
    from bot.sim.chat_cli import chat_command
    from bot.sim.record_cli import record_command
    from bot.sim.replay_cli import replay_command

    main.add_command(backend_command)
    main.add_command(replay_command)
    main.add_command(chat_command)
    main.add_command(record_command)
    main.add_command(menu_group)
    main.add_command(doctor_command)


_register_optional()
