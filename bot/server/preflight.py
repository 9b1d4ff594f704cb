"""What `wxbot serve` checks before it says a word, so a start that cannot work ends in one line.

Each problem is a ConfigError whose text names the setting and the fix (the command prints it
and exits 2, DESIGN's rule): the token's shape, late replies with nowhere to go, where the
simulator may listen, the port, the store and the platform's API. The checks that touch the
network are bounded (the store: a few tries over ~2 s; the API: one connect of ~2 s), so a
wrong address is said in seconds, not as a traceback every half second once running.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

from bot.config import ConfigError
from bot.server import launch
from bot.settings import ALLOW_LOST, Settings, token_problem
from bot.store.url import StoreURLError, reach

API_CONNECT = 2.0  # seconds the start waits to open a connection to WECHAT_API_BASE


def check_settings(settings: Settings, hosts: Iterable[str], workers: int) -> None:
    """The checks that need no network: every one a server could fail on at its first push."""
    problem = token_problem(settings.token)
    if problem:
        raise ConfigError(f"WECHAT_TOKEN is {problem}: set it to the Token on the platform's "
                          f"page (3-32 letters and digits)")
    lost = settings.lost_late_replies
    if lost and not settings.allow_lost_late_replies:
        raise ConfigError(f"{lost}: set them (the account's page lists both), or pass "
                          f"{ALLOW_LOST} to serve anyway")
    launch.check_simulator_hosts(settings.config, hosts)
    launch.check_workers(settings.config, workers)
    check_data_dir(settings)


def check_data_dir(settings: Settings) -> None:
    """BOT_DATA_DIR can be made and written (the store's files, metrics, the demo's key)."""
    folder = settings.data_dir
    found = folder
    while not found.exists() and found != found.parent:
        found = found.parent  # it is made at start: the nearest folder that exists decides
    if found.is_dir() and os.access(found, os.W_OK | os.X_OK):
        return
    why = "is not a folder" if found.exists() and not found.is_dir() else \
        f"cannot be written ({found} belongs to another user or is read-only)"
    raise ConfigError(f"BOT_DATA_DIR {folder} {why}: point it at a folder this user may write")


def check_port(host: str, port: int) -> None:
    """The port is free on `host` (checked by binding it, as the server will, then letting go)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port,
                                                             type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
            probe.bind(address)
    except OSError as exc:
        reason = "is taken" if exc.errno == errno.EADDRINUSE else \
            f"cannot be listened on ({exc.strerror or type(exc).__name__})"
        raise ConfigError(f"port {port} on {host} {reason}: stop what listens there, or pass "
                          f"--port with a free one (--host to change the interface)") from None


def check_reach(settings: Settings) -> None:
    """The store answers, and owed replies can reach the platform's API (unless opted out)."""
    try:
        reach(settings.store)
    except StoreURLError as exc:
        raise ConfigError(str(exc)) from None
    if settings.lost_late_replies or settings.owed_elsewhere or settings.simulator:
        return  # no API to reach, or not this one; the simulator serves its own, not yet up
    problem = _unreachable(settings.api_base)
    if problem and not settings.allow_lost_late_replies:
        raise ConfigError(f"WECHAT_API_BASE {settings.api_base} cannot be reached ({problem}): "
                          f"replies that miss the 5-s window could not be sent; fix the "
                          f"address or the network, or pass {ALLOW_LOST} to serve anyway")


def _unreachable(base: str) -> str | None:
    """Why a connection to the API's host cannot be opened, within API_CONNECT; None if it can.

    Name resolution has no timeout of its own, so the whole attempt runs on a thread that is
    given up on after the bound.
    """
    parts = urlsplit(base)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            socket.create_connection((parts.hostname or "", port), timeout=API_CONNECT).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(type(exc).__name__)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(API_CONNECT + 0.5)
    return outcome[0] if outcome else "no answer in time"
