"""Reading a recorded traffic log (record/recorder.py): lines, followers, one follower's session.

The platform delivers a message up to three times when the bot is slow; the log has a line per
delivery, so a session keeps only the first line of each delivery key (the engine's own rule).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.clock import SHANGHAI
from bot.protocol.keys import delivery_key
from flows.catalog import DEFAULT_LANG

UNKNOWN = object()  # settled(): where the last late turn led is not known


class LogError(ValueError):
    """The log cannot be read as a recording; the message says where and why."""


@dataclass(frozen=True)
class Entry:
    """One recorded message: what came in, what the bot said, the step before and after."""

    at: float
    openid: str
    fields: dict[str, Any]
    reply: str | None
    before: dict | None
    after: dict | None
    lang: str = DEFAULT_LANG
    trace: tuple = ()
    late: float | None = None  # the deadline the reply missed (it went out through the API)
    pushed: str | None = None  # what then reached the follower through the API, when known
    faults: tuple = ()  # `faults:` values armed right before this message

    @property
    def state(self) -> str | None:
        """The step the message answered (None: no conversation was going on)."""
        return (self.before or {}).get("state")

    @property
    def flow(self) -> str | None:
        return (self.before or {}).get("flow")

    @property
    def outcome(self) -> str | None:
        """Where the answer led, final states included (from the trace, else the session)."""
        for _flow, source, dest in self.trace:
            if source == self.state:
                return dest
        return (self.after or {}).get("state")

    @property
    def kind(self) -> str:
        return str(self.fields.get("MsgType", "")).lower()

    @property
    def event(self) -> str:
        return str(self.fields.get("Event", "")).lower()

    @property
    def said(self) -> str | None:
        """What the follower typed (or said, transcribed by the platform); None for the rest."""
        if self.kind == "text":
            return str(self.fields.get("Content") or "")
        if self.kind == "voice" and self.fields.get("Recognition"):
            return str(self.fields["Recognition"])
        return None

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.at, SHANGHAI).date()

    def key(self) -> str:
        """Retries of one delivery share this key (MsgId, or user + time + event + EventKey)."""
        event = self.event if self.kind == "event" else None
        fields = self.fields
        return delivery_key(self.openid, fields.get("MsgId"), fields.get("CreateTime"), event,
                            fields.get("EventKey"))


def _entry(raw: Any, where: str, faults: tuple = ()) -> Entry:
    if not isinstance(raw, dict) or not isinstance(raw.get("inbound"), dict):
        raise LogError(f"{where}: not a recorded message (no 'inbound' object)")
    try:
        late = raw.get("late")
        return Entry(float(raw["at"]), str(raw["openid"]), raw["inbound"], raw.get("reply"),
                     raw.get("before"), raw.get("after"), str(raw.get("lang") or DEFAULT_LANG),
                     tuple(tuple(t) for t in raw.get("trace") or ()),
                     None if late is None else float(late), faults=faults)
    except (KeyError, TypeError, ValueError) as exc:
        raise LogError(f"{where}: missing or malformed field ({exc})") from None


def read_log(path: str | Path) -> list[Entry]:
    """Every line of the log, in order; blank lines are skipped, anything else must parse.

    A `fault` line (an armed fault, recorder.py) goes with the message right after it.
    """
    entries, faults = [], []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LogError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if isinstance(raw, dict) and isinstance(raw.get("fault"), dict):
                faults.append(raw["fault"])
                continue
            entries.append(_entry(raw, f"{path}:{number}", tuple(faults)))
            faults = []
    return entries


def settled(session: list[Entry], final: Any = UNKNOWN) -> list[Entry]:
    """Late replies with the step their turn really led to.

    A reply that missed the deadline was logged when the platform was answered `success`,
    before its turn ended: its `after` (and trace) are of that moment. Where the follower
    stood when they next typed is the turn's real outcome; after the last message, `final`
    ({flow, state} or None) when the caller knows it.
    """
    out = []
    for i, entry in enumerate(session):
        after = session[i + 1].before if i + 1 < len(session) else final
        if entry.late is not None and not entry.trace and after is not UNKNOWN:
            entry = replace(entry, after=after)
        out.append(entry)
    return out


def followers(entries: list[Entry]) -> Counter[str]:
    """Openid -> number of messages, in order of first appearance."""
    return Counter(e.openid for e in entries)


def session_of(entries: list[Entry], openid: str | None) -> tuple[str, list[Entry]]:
    """One follower's messages without retries; `openid` None means the log's only follower."""
    counts = followers(entries)
    if not counts:
        raise LogError("the log holds no messages")
    if openid is None:
        if len(counts) > 1:
            listed = ", ".join(f"{o} ({n} messages)" for o, n in counts.items())
            raise LogError(f"the log holds {len(counts)} followers; pick one with --user: {listed}")
        openid = next(iter(counts))
    elif openid not in counts:
        raise LogError(f"no follower {openid!r} in the log; have: {', '.join(counts)}")
    seen: set[str] = set()
    mine = []
    for entry in entries:
        if entry.openid == openid and entry.key() not in seen:
            seen.add(entry.key())
            mine.append(entry)
    return openid, mine
