"""How `wxbot serve`/`demo` run the app: where the simulator may listen, what the banner says,
the simulator's defaults, and the gunicorn command line (settings: bot/server/gunicorn_conf.py)."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from bot.config import DEFAULTS, DEMO_APP_ID, DEMO_APP_SECRET, ConfigError, as_bool

GUNICORN_CONF = "python:bot.server.gunicorn_conf"
APP_SPEC = "bot:create_app()"
REMOTE_OVERRIDE = "--allow-remote-simulator (or BOT_SIMULATOR_REMOTE=1)"
SIMULATOR_WARNING = (
    "SIMULATOR ON: /sim, /backend/v1 and /cgi-bin let anyone who reaches this port read every "
    "SMS code, move the clock and reset the backend. A developer's tool: never for real followers."
)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name that may resolve anywhere


def check_simulator_hosts(cfg: Mapping[str, Any], hosts: Iterable[str]) -> None:
    """Refuse to put the simulator on a reachable address unless explicitly allowed."""
    if not cfg["BOT_SIMULATOR"] or cfg["BOT_SIMULATOR_REMOTE"]:
        return
    public = [h for h in hosts if not is_loopback(h)]
    if public:
        raise ConfigError(
            f"BOT_SIMULATOR is on and would listen on {', '.join(public)}: anyone reaching it "
            f"could read every code and reset the backend. Listen on 127.0.0.1, turn the "
            f"simulator off, or pass {REMOTE_OVERRIDE} if this network is yours alone."
        )


def simulator_defaults(given: Mapping[str, Any], host: str, port: int) -> dict[str, str]:
    """With the simulator on, it plays the platform: the API base defaults to its own
    `/cgi-bin/` on this server, and an account with neither AppID nor secret to the demo's
    (the mock API knows no other), so owed replies reach the simulator's phones."""
    if not as_bool(given.get("BOT_SIMULATOR")):
        return {}
    found = {}
    if given.get("WECHAT_API_BASE") in (None, "", DEFAULTS["WECHAT_API_BASE"]):
        near = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
        near = f"[{near}]" if ":" in near and not near.startswith("[") else near
        found["WECHAT_API_BASE"] = f"http://{near}:{port}/cgi-bin/"
    if not (given.get("WECHAT_APP_ID") or given.get("WECHAT_APP_SECRET")):
        found.update(WECHAT_APP_ID=DEMO_APP_ID, WECHAT_APP_SECRET=DEMO_APP_SECRET)
    return found


def bind_hosts(binds: Iterable[str]) -> list[str]:
    """The host part of gunicorn binds: `HOST:PORT`, `[V6]:PORT`, `HOST`; `unix:PATH` is local."""
    hosts = []
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            continue
        if bind.startswith("["):
            host = bind[1:].split("]", 1)[0]
        elif bind.count(":") == 1:
            host = bind.split(":", 1)[0]
        else:
            host = bind
        hosts.append(host or "0.0.0.0")  # ":8080" listens everywhere
    return hosts


def banner(cfg: Mapping[str, Any], url: str, server: str) -> list[str]:
    """What a starting server says: where, which modes, which store, and the simulator plainly."""
    mode = {"plaintext": "plaintext only", "compat": "compat: plaintext and encrypted pushes",
            "safe": "safe: encrypted pushes only"}[cfg["WECHAT_MODE"]]
    lines = [f"wxbot {server} on {url}/wechat ({mode}); store {cfg['BOT_STORE']}; "
             f"backend {cfg['BOT_BACKEND']}"]
    if cfg["BOT_SIMULATOR"]:
        lines.append(SIMULATOR_WARNING)
    return lines


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    """`python -m gunicorn` with the project's settings, as docs/deployment.md's production line."""
    return [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONF, "--bind", f"{host}:{port}",
            "--workers", str(workers), APP_SPEC]


def check_workers(cfg: Mapping[str, Any], workers: int) -> None:
    """memory:// lives in one process: under several, each worker sees its own conversations."""
    if not cfg["BOT_STORE_URL"].shared and workers > 1:
        raise ConfigError(
            f"BOT_STORE=memory:// with {workers} worker processes: each would keep its own "
            "sessions and turns, so a follower's messages land on strangers. Use one worker, "
            "or BOT_STORE=sqlite:///PATH (the default) or redis://HOST:PORT/DB."
        )
