"""When the push reached this process: the reply deadline counts from then.

A threaded server queues a request until one of its threads is free. Counted from when the
view runs, a push that queued 3 s would still get the full 4 s deadline and be answered at
7 s, after the platform gave up. bot/server/gunicorn_worker.py stamps each request as it is queued;
a server that does not (the development server starts a thread per request at once) leaves
it unset, and the view's own start is used.
"""

from __future__ import annotations

import threading
import time

_local = threading.local()


def mark(at: float | None) -> None:
    """This thread's request reached the process at `at` (time.monotonic()); None forgets it."""
    _local.at = at


def arrived() -> float:
    """When this thread's request reached the process; now when no server said."""
    at = getattr(_local, "at", None)
    return time.monotonic() if at is None else at
