"""When people answer: BOT_SERVICE_HOURS ("09:00-17:00", or "09:00-12:00,13:30-17:00").

Times are Shanghai's (the platform's and the followers'); unset means always open, so a bot
without the setting never tells anyone it is closed.
"""

from __future__ import annotations

import re
from datetime import datetime

from flows.ids import SHANGHAI

_SPAN = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])")


class ServiceHours:
    """Opening spans as minutes of the day; an empty list is always open."""

    def __init__(self, setting: str | None) -> None:
        self.setting = (setting or "").strip()
        self.spans = parse_hours(self.setting)

    def open_at(self, epoch: float) -> bool:
        if not self.spans:
            return True
        at = datetime.fromtimestamp(epoch, SHANGHAI)
        minute = at.hour * 60 + at.minute
        return any(start <= minute < end for start, end in self.spans)


def parse_hours(setting: str | None) -> list[tuple[int, int]]:
    """The spans of `setting`; ValueError naming the fix when it is not HH:MM-HH:MM[,...]."""
    spans = []
    for part in filter(None, (p.strip() for p in (setting or "").split(","))):
        found = _SPAN.fullmatch(part)
        if found is None:
            raise ValueError(f"BOT_SERVICE_HOURS: {part!r} is not HH:MM-HH:MM, e.g. 09:00-17:00")
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start or end > 24 * 60:
            raise ValueError(f"BOT_SERVICE_HOURS: {part!r} must end after it starts, same day")
        spans.append((start, end))
    return spans
