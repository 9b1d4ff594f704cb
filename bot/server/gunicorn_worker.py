"""gunicorn's threaded worker, with each request stamped when it reaches the worker.

gthread hands a readable connection to its thread pool, where it waits while every thread
is busy: with pushes that may each wait out a 4 s reply deadline, that wait was seen to
reach 16 s (docs/performance.md, "With a slow backend"), and no clock inside the app could
see it. The stamp lets the engine count its deadline from the arrival (bot/server/arrival.py),
so a push that queued answers `success` at once and its reply goes out through the API instead.
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from bot.server import arrival


class Worker(ThreadWorker):
    """`worker_class` in bot/server/gunicorn_conf.py; `-k` takes it alone."""

    def enqueue_req(self, conn: Any) -> None:
        # New connections and kept-alive ones that became readable both pass through here.
        conn.wxbot_arrived = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        arrival.mark(getattr(conn, "wxbot_arrived", None))
        try:
            return super().handle(conn)
        finally:
            arrival.mark(None)
