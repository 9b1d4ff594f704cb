"""A follower's gesture written briefly (`image`, `{click: BIND_CARD}`) -> a push kind + fields.

Shared by conversation fixtures (`event:`) and the chat REPL (`/click KEY`, `/image`…), so both
speak the same names. Every result is checked by building it once, so mistakes show at load.
Pauses between gestures are written briefly too (`30s`, `16m`): `seconds`.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sim.wire.build import build
from bot.sim.wire.kinds import SPECS

Gesture = tuple[str, dict[str, str]]  # (kind in SPECS, fields by XML tag)
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*")

LOCATION = {"Location_X": "23.134521", "Location_Y": "113.358803", "Label": "模拟位置"}
BARE: dict[str, Gesture] = {
    "subscribe": ("event_subscribe", {}),
    "unsubscribe": ("event_unsubscribe", {}),
    "image": ("image", {}),
    "voice": ("voice", {}),
    "video": ("video", {}),
    "shortvideo": ("shortvideo", {}),
    "location": ("location", dict(LOCATION)),
    "link": ("link", {"Title": "模拟链接", "Url": "https://example.com/"}),
    "file": ("file", {"Title": "simulated.pdf"}),
    "report_location": ("event_location", {"Latitude": "23.134521", "Longitude": "113.358803"}),
}
KEYED = {  # {name: VALUE}: the kind and the field VALUE fills
    "click": ("event_click", "EventKey"),
    "view": ("event_view", "EventKey"),
    "scan": ("event_scan", "EventKey"),
    "voice": ("voice", "Recognition"),
    "text": ("text", "Content"),
}


class EventError(ValueError):
    """An `event:` that names no known gesture, or lacks what its kind requires."""


def parse_event(raw: Any) -> Gesture:
    """The (kind, fields) for a gesture written in a fixture or typed in the chat."""
    if isinstance(raw, str):
        name = raw.strip()
        if name in BARE:
            kind, fields = BARE[name]
            return _checked(kind, dict(fields))
        kind = name if name in SPECS else f"event_{name.lower()}"
        if kind in SPECS:
            return _checked(kind, {})
        raise EventError(f"unknown event {raw!r}; try subscribe, unsubscribe, {{click: KEY}}, "
                         f"image, voice, location, link, file or one of: {', '.join(SPECS)}")
    if isinstance(raw, dict) and len(raw) == 1:
        (name, value), = raw.items()
        name = str(name)
        if name == "location":
            return _checked("location", {**LOCATION, **_coordinates(value)})
        if name == "subscribe":
            return _checked("event_subscribe", {"EventKey": f"qrscene_{value}",
                                                "Ticket": f"sim_ticket_{value}"})
        if name in KEYED and not isinstance(value, dict):
            kind, tag = KEYED[name]
            return _checked(kind, {tag: "" if value is None else str(value)})
        kind = name if name in SPECS else f"event_{name.lower()}"
        base = BARE.get(name, (kind, {}))[1]
        if kind in SPECS and isinstance(value, dict):
            return _checked(kind, {**base, **{str(k): str(v) for k, v in value.items()}})
    raise EventError(f"event must be a name like image, or one key like {{click: KEY}}; "
                     f"got {raw!r}")


def _coordinates(value: Any) -> dict[str, str]:
    parts = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(parts, list | tuple) or len(parts) != 2:
        raise EventError(f"location takes [X, Y] (latitude, longitude); got {value!r}")
    try:
        x, y = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise EventError(f"location coordinates must be numbers; got {value!r}") from None
    return {"Location_X": f"{x:.6f}", "Location_Y": f"{y:.6f}"}


def _checked(kind: str, fields: dict[str, str]) -> Gesture:
    """Build it once, so a missing or unknown field is an error now, not mid-replay."""
    try:
        build(kind, "gh_check", "oCheck", 0, msg_id=1 if SPECS[kind].is_message else None,
              **dict(fields))
    except (TypeError, KeyError) as exc:
        raise EventError(f"{kind}: {exc}") from None
    return kind, fields


def seconds(value: Any) -> float:
    """`wait:` as seconds: a number, or text like 30s / 16m / 1h."""
    match = _DURATION.fullmatch(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration (seconds, or like 30s, 16m, 1h)")
    number, unit = float(match.group(1)), match.group(2) or "s"
    return number * {"s": 1, "m": 60, "h": 3600}[unit]
