"""Injectable clocks, so ages, code expiry and session TTLs are deterministic in tests."""

from __future__ import annotations

import time
from datetime import date, datetime

from flows.ids import SHANGHAI


class Clock:
    """Wall-clock time, optionally shifted so the bot 'lives' on another day."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def now(self) -> float:
        return time.time() + self.offset

    def today(self) -> date:
        return datetime.fromtimestamp(self.now(), SHANGHAI).date()

    def advance(self, seconds: float) -> None:
        """Jump ahead (a replay's `wait`, the backend's POST /clock) and keep ticking from there."""
        self.offset += seconds

    def set_today(self, day: date) -> None:
        """Shift to `day`, keeping the time of day, so TTLs still tick in real time."""
        real = datetime.fromtimestamp(time.time(), SHANGHAI)
        self.offset = (datetime.combine(day, real.timetz()) - real).total_seconds()


class ManualClock(Clock):
    """A clock that only moves when told to, for tests."""

    def __init__(self, start: float | datetime | date = 1_795_000_000.0) -> None:
        super().__init__()
        if isinstance(start, datetime):
            start = start.timestamp()
        elif isinstance(start, date):
            start = datetime.combine(start, datetime.min.time(), SHANGHAI).timestamp() + 10 * 3600
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def set_today(self, day: date) -> None:
        self._now = datetime.combine(day, datetime.min.time(), SHANGHAI).timestamp() + 10 * 3600
