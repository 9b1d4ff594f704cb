"""Injected latency for the mock backend: the next K calls take SECONDS longer, on a real sleep.

The 5-second window is only tested honestly against a backend that is really slow, so the
delay is slept, not pretended; it is bounded so a typo cannot hang a test run or a demo.
Only the calls of the flows' interface (`rpc.METHODS`) are slowed: the simulator's own reads
(the SMS outbox, card views, resets) stay fast and do not use up the armed calls.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

MAX_DELAY = 30.0  # seconds: past the platform's three deliveries (~15 s), never unbounded
MAX_TIMES = 100  # calls one arming may slow

F = TypeVar("F", bound=Callable[..., Any])


class Faults:
    """How many of the next calls are slowed, and by how much; shared by every thread."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep, self._lock = sleep, threading.Lock()
        self._delay, self._left = 0.0, 0
        self._depth = threading.local()  # a call made inside another one is part of it

    def arm(self, delay: float, times: int = 1) -> None:
        """Slow the next `times` calls by `delay` s (0 disarms); ValueError when out of range."""
        if isinstance(delay, bool) or not isinstance(delay, int | float):
            raise ValueError("'delay' must be a number of seconds")
        if not (math.isfinite(delay) and 0 <= delay <= MAX_DELAY):
            raise ValueError(f"'delay' must be between 0 and {MAX_DELAY:g} seconds")
        if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_TIMES:
            raise ValueError(f"'times' must be a whole number from 1 to {MAX_TIMES}")
        with self._lock:
            self._delay, self._left = float(delay), times if delay else 0

    @property
    def armed(self) -> dict[str, float | int]:
        """What is still to come, for the API's answer."""
        with self._lock:
            return {"delay": self._delay if self._left else 0.0, "times": self._left}

    @contextmanager
    def call(self) -> Iterator[None]:
        """One call into the backend: the outermost one may be slowed, nested ones are not."""
        depth = getattr(self._depth, "n", 0)
        if depth == 0:
            self.pause()
        self._depth.n = depth + 1
        try:
            yield
        finally:
            self._depth.n = depth

    def pause(self) -> None:
        """Sleep the armed delay if this call is one of the slowed ones."""
        if self._left <= 0:  # nothing armed (almost always): no lock. An arm() racing this
            return  # call could as well have taken the lock just after it: the same outcome
        with self._lock:
            if self._left <= 0:
                return
            self._left -= 1
            delay = self._delay
        self._sleep(delay)  # outside the lock: other callers count down meanwhile


def slowed(method: F) -> F:
    """Decorate a backend method so an armed fault delays it (the object has `.faults`)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Faults.call() spelt out: this runs on every backend call (seven a bind), where the
        # generator-based context manager cost more than the check itself.
        faults: Faults = self.faults
        depth = getattr(faults._depth, "n", 0)
        if depth == 0:
            faults.pause()
        faults._depth.n = depth + 1
        try:
            return method(self, *args, **kwargs)
        finally:
            faults._depth.n = depth

    return wrapper  # type: ignore[return-value]
