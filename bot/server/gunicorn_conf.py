"""gunicorn settings that fit the platform's 5-second window.

    gunicorn -c python:bot.server.gunicorn_conf 'bot:create_app()'

is what `wxbot serve` runs (`--workers N`; `--dev` alone runs the development server).
Command-line flags win over these (`--bind`, `--workers`). Put a buffering proxy (nginx) in
front on the internet: it takes slow clients' bytes so no worker thread ever waits on them.
"""

from __future__ import annotations

import gc
import math
import os
import socket
import sys
import time
from typing import Any

from bot.config import ConfigError, load_config, merged
from bot.server.multiproc import multiprocess_metrics, worker_gone
from bot.settings import load_settings

multiprocess_metrics()
from bot.parts import EXTENSION, bot_of  # noqa: E402 - imports prometheus_client: after the above
from bot.server import arrival, launch, logs, preflight  # noqa: E402
from bot.window.engine import DEADLINE  # noqa: E402
from bot.window.workers import TURN_WORKERS  # noqa: E402

# Threaded workers: a push can wait up to BOT_REPLY_DEADLINE (4 s) on the backend, and sync
# workers would hold the whole process for it (0 of 8 followers answered in time, issue 11).
# gthread, stamping each request on arrival: the deadline then covers its wait for a thread.
worker_class = "bot.server.gunicorn_worker.Worker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # processes; one per core is typical
# Request threads only wait for turns, which run on the engine's pool: one thread for each
# turn worker. Twice as many was measured worse (200 followers at once on 2 cores: 250 of
# 1,000 replies owed instead of none, a slower tail): a spare thread sees every worker busy
# and owes the reply at once, where waiting a few hundred ms would have answered it. A push
# that finds no thread free queues, its deadline counting from arrival (bot/server/arrival.py).
THREADS = TURN_WORKERS
threads = THREADS
bind = ["127.0.0.1:8080"]  # as `wxbot serve`; `--bind` (or GUNICORN_CMD_ARGS) overrides it
# A worker whose main loop is silent this long is killed and replaced; request threads do not
# count (gthread's loop keeps beating while they work), so this only catches a frozen process.
WORKER_TIMEOUT = 30
timeout = WORKER_TIMEOUT
# BOT_LOG_FORMAT for gunicorn's own lines too (an invalid value is refused in on_starting).
logconfig_dict = logs.config_dict(str(merged()["BOT_LOG_FORMAT"]).strip().lower())
# On SIGTERM (a restart or a stop) a worker takes no new connection and the pushes in flight
# finish: each is answered within BOT_REPLY_DEADLINE of its arrival (its reply, or `success`
# with the reply owed in the store's outbox), and the turns still working get the rest of
# this to write theirs. What is still owed after it is in the outbox for the next start.
GRACE_AFTER_DEADLINE = 6


def _reply_deadline() -> float:
    """BOT_REPLY_DEADLINE as given; a bad value is refused in on_starting, named there."""
    try:
        return float(merged()["BOT_REPLY_DEADLINE"])
    except (TypeError, ValueError):
        return DEADLINE


GRACEFUL_TIMEOUT = math.ceil(_reply_deadline() + GRACE_AFTER_DEADLINE)  # whole seconds
graceful_timeout = GRACEFUL_TIMEOUT
# The platform opens a connection per push; a short keep-alive frees idle sockets quickly.
KEEPALIVE = 2
keepalive = KEEPALIVE
# The whole body must be in this soon after the request reached the worker: by then the
# engine answers anyway (its deadline counts from the same moment, bot/server/arrival.py), so a
# later body is no use. A body sent a byte a second is cut off (408) instead of holding a
# thread for hours; a body that came in time is read even by a thread that got the CPU late.
BODY_DEADLINE = DEADLINE


class DeadlineSocket:
    """The connection's socket for one request's body: each recv waits at most until the
    request's deadline, so a trickle of bytes cannot stretch one read forever."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock, self.deadline = sock, deadline

    def recv(self, size: int) -> bytes:
        # Past the deadline the read does not wait (timeout 0) but still takes bytes already
        # here: a thread that got the CPU late must not refuse a body that came in time.
        before = self.sock.gettimeout()
        self.sock.settimeout(max(0.0, self.deadline - time.monotonic()))
        try:
            return self.sock.recv(size)
        except (BlockingIOError, TimeoutError):
            raise TimeoutError(f"request body not complete within {BODY_DEADLINE} s") from None
        finally:
            self.sock.settimeout(before)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


def pre_request(worker: Any, req: Any) -> None:
    """Bound the body's arrival (headers are in by now; gunicorn has no setting for this)."""
    unreader = getattr(req, "unreader", None)
    raw = getattr(unreader, "sock", None)
    if raw is None or not hasattr(raw, "recv"):
        worker.log.warning("cannot bound body reads: gunicorn's request has no socket here")
        return
    raw = raw.sock if isinstance(raw, DeadlineSocket) else raw  # a kept-alive connection
    unreader.sock = DeadlineSocket(raw, arrival.arrived() + BODY_DEADLINE)


def post_request(worker: Any, req: Any, environ: dict, resp: Any) -> None:
    """Give the connection its own socket back for the next request on it."""
    unreader = getattr(req, "unreader", None)
    if isinstance(getattr(unreader, "sock", None), DeadlineSocket):
        unreader.sock = unreader.sock.sock


def on_starting(server: Any) -> None:
    """Refuse settings that would break flows or expose the simulator, before listening."""
    try:  # the same checks as `wxbot serve` (which has run them already), the port aside
        settings = load_settings()
        preflight.check_settings(settings, launch.bind_hosts(server.cfg.bind),
                                 server.cfg.workers)
        preflight.check_reach(settings)
    except ConfigError as exc:
        server.log.error("wxbot: %s", exc)
        sys.exit(2)
    _prepare_data(server)


def post_worker_init(worker: Any) -> None:
    """Say when a worker has built its app and serves: "listening" is the master's word, and
    a worker still booting (the language stage takes ~0.3 s) is not yet there to answer.

    What start-up built (the language stage's tables, the flows, the libraries) lives as long
    as the worker: frozen out of the collector's sight, a full collection no longer walks it
    (44 ms measured with the bench's app, inside whichever push triggered it)."""
    gc.collect()
    gc.freeze()
    worker.log.info("wxbot worker %s ready", worker.pid)


def worker_exit(server: Any, worker: Any) -> None:
    """A worker leaving (SIGTERM, or replaced): its turns finish and its courier stops, so
    nothing it owes is half-written; what it could not send waits in the outbox."""
    app = getattr(worker, "wsgi", None)
    if app is not None and EXTENSION in getattr(app, "extensions", {}):
        bot_of(app).close()
        worker.log.info("wxbot worker %s stopped", worker.pid)


def child_exit(server: Any, worker: Any) -> None:
    """The master's hook when a worker exits (bot/server/multiproc.py)."""
    worker_gone(worker.pid)


def _prepare_data(server: Any) -> None:
    # Build the app once in the master, before any fork: the store's and the mock's files are
    # created (and switched to WAL) by one process, not raced for by every worker at boot.
    from bot import create_app

    try:
        bot_of(create_app()).close()
    except ConfigError as exc:  # e.g. a mistyped seed: said once, not by every worker
        server.log.error("wxbot: %s", exc)
        sys.exit(2)
    except Exception as exc:  # the workers will fail the same way and say it in full
        server.log.warning("wxbot: could not prepare the data directory: %s", exc)


def when_ready(server: Any) -> None:
    """The banner, the simulator's warning included, in gunicorn's own log."""
    cfg = load_config()
    for line in launch.banner(cfg, ", ".join(server.cfg.bind), "under gunicorn"):
        server.log.info("%s", line)
