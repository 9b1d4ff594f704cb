"""Each warning once: a replay builds an app per fixture, and each app says the same things.

`wxbot replay` of the project's fixtures built ~60 apps, and each warned that BOT_STORE=memory://
keeps conversations in one process: 42 copies of a line that is true once. While a replay runs,
a warning or error already shown is not shown again (the same logger, level and text); what
differs (another follower, another errcode) still shows, and INFO is untouched.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Once(logging.Filter):
    """Lets each distinct warning or error through the first time only."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, int, str]] = set()
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, record.getMessage())
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True


@contextmanager
def each_once() -> Iterator[Once]:
    """Within the block, the root logger's handlers (or, when it has none, a stand-in for
    Python's last-resort stderr handler, which takes no filters) show each warning once."""
    once, root = Once(), logging.getLogger()
    added = None
    if not root.handlers:
        added = logging.StreamHandler(sys.stderr)
        added.setLevel(logging.WARNING)  # what the last resort shows, as it shows it
        root.addHandler(added)
    handlers = list(root.handlers)
    for handler in handlers:
        handler.addFilter(once)
    try:
        yield once
    finally:
        for handler in handlers:
            handler.removeFilter(once)
        if added is not None:
            root.removeHandler(added)
