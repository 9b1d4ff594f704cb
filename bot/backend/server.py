"""`wxbot backend`: the mock backend as its own HTTP server, for HttpBackend and for scripts.

`--port 0` picks a free port; the first line printed names the URL, so a test (or a script)
can read where it listens and know it is ready. `--manual-clock` freezes time and enables
`POST /backend/v1/clock {"advance": seconds}` / `{"today": "YYYY-MM-DD"}`, so expiry,
resend and lockout rules can be exercised without waiting.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import click
from flask import Flask
from werkzeug.serving import make_server

from bot.backend import data_dir as ensure_dir
from bot.backend import seed_path
from bot.backend.guard import configured_hosts, guard
from bot.backend.mock import MockBackend
from bot.backend.mock_api import host
from bot.backend.seed import SeedError, check
from bot.clock import Clock, ManualClock

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def create_backend_app(backend: Any, clock: Clock | None = None,
                       hosts: Iterable[str] = ()) -> Flask:
    """A Flask app serving only the backend API; `clock` enables the test clock endpoint.
    `hosts`: names it answers beside loopback (bot/backend/guard.py says why)."""
    app = Flask(__name__)
    guard(app, hosts)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # names stay readable
    host(app, backend, clock)
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok", "service": "mock-backend"})
    return app


class Refused(click.ClickException):
    """A start that cannot work: one line naming the setting and the fix, exit status 2."""

    exit_code = 2


def _stop(*_: object) -> None:
    raise KeyboardInterrupt  # SIGTERM shuts down as cleanly as Ctrl-C


@click.command("backend")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8081, show_default=True, help="Port; 0 picks a free one.")
@click.option("--data-dir", envvar="BOT_DATA_DIR", help="Where backend.sqlite3 lives.")
@click.option("--seed", envvar="BOT_BACKEND_SEED", help="YAML seed (default fixtures).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Pretend it is this day.")
@click.option("--manual-clock", is_flag=True, help="Freeze time; enable POST /backend/v1/clock.")
def backend_command(
    host: str,
    port: int,
    data_dir: str | None,
    seed: str | None,
    today: datetime | None,
    manual_clock: bool,
) -> None:
    """Serve the mock social-security backend API at /backend/v1."""
    clock = ManualClock(time.time()) if manual_clock else Clock()
    if today is not None:
        clock.set_today(today.date())
    if host not in LOOPBACK:
        click.echo(f"warning: the mock exposes personal test data on {host}", err=True)
    region_key = os.environ.get("BOT_REGION")  # the deployment's rules, as the bot's
    try:  # a mistyped seed is one line naming its file and line, not a traceback
        check(seed_path(seed))
    except SeedError as exc:
        raise Refused(f"--seed (BOT_BACKEND_SEED) {exc}: correct the file there, or leave "
                      f"both unset to use the shipped seed") from None
    backend = MockBackend(ensure_dir(data_dir) / "backend.sqlite3", seed_path(seed), clock,
                          region_key)
    hosts = configured_hosts(os.environ.get("BOT_SIMULATOR_HOSTS", ""))
    if host not in ("0.0.0.0", "::", ""):  # a named interface: the name it is reached by
        hosts.append(host)
    app = create_backend_app(backend, clock if manual_clock else None, hosts)
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        backend.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"mock backend on http://{shown}:{server.port}/backend/v1")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        backend.close()


if __name__ == "__main__":
    backend_command()
