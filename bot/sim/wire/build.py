"""Build the XML the platform pushes, so tests and tools never paste raw XML."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bot.protocol.replies import cdata_safe
from bot.sim.wire.kinds import REQUIRED, SPECS, F, event_kind

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
# A terminal's escape sequences (arrow keys: ESC [ D), then what XML 1.0 cannot carry at all.
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|O.|[@-Z\\-_])")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text as the platform would send it: no escape sequences or control characters."""
    return _NOT_XML.sub("", _ESCAPES.sub("", text))


def cdata(text: str) -> str:
    """Wrap cleaned text in CDATA, splitting it where it contains `]]>` so any text survives."""
    return "<![CDATA[" + cdata_safe(clean(text)) + "]]>"


def number(value: Any) -> str:
    """A bare number as the platform writes it (floats with 6 decimals, like its coordinates)."""
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, float):
        return f"{value:.6f}"
    text = str(value)
    if not isinstance(value, int | Decimal | str) or not _NUMBER.fullmatch(text):
        raise TypeError(f"not a number: {value!r}")
    return text


def node(tag: str, value: Any) -> str:
    """Any value as XML by its Python type: mapping nests, list repeats, number bare, else CDATA."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return f"<{tag}>{''.join(node(k, v) for k, v in value.items())}</{tag}>"
    if isinstance(value, list):
        return "".join(node(tag, v) for v in value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return f"<{tag}>{number(value)}</{tag}>"
    return f"<{tag}>{cdata(str(value))}</{tag}>"


def _field(f: F, value: Any) -> str:
    """One spec'd field: a list of items, a bare number, or text (None: left out)."""
    if f.item and isinstance(value, list):
        items = "".join(f"<item><{f.item}>{cdata(str(v))}</{f.item}></item>" for v in value)
        return f"<{f.tag}>{items}</{f.tag}>"
    if f.num and value is not None:
        return f"<{f.tag}>{number(value)}</{f.tag}>"
    return node(f.tag, value if value is None or isinstance(value, Mapping | list) else str(value))


def _fill(fields: tuple[F, ...], given: dict[str, Any]) -> list[str]:
    """Render fields in spec order, taking values (or a group's leaves) out of `given`."""
    out = []
    for f in fields:
        if isinstance(f.default, tuple):
            group = given.pop(f.tag, None) or {}
            for key, value in dict(group).items():
                given.setdefault(key, value)
            out.append(f"<{f.tag}>{''.join(_fill(f.default, given))}</{f.tag}>")
            continue
        value = given.pop(f.tag, f.default)
        if value is REQUIRED:
            raise TypeError(f"missing field {f.tag}")
        out.append(_field(f, value))
    return [part for part in out if part]


def render_push(
    msg_type: str,
    to: str,
    from_: str,
    create_time: int,
    fields: Mapping[str, Any],
    *,
    event: str | None = None,
    msg_id: int | None = None,
) -> str:
    """Any push, known or not: the common header, `fields` in the given order, then MsgId."""
    parts = [node(key, value) for key, value in fields.items()]
    return _envelope(msg_type, to, from_, create_time, event, parts, msg_id)


def _envelope(
    msg_type: str,
    to: str,
    from_: str,
    create_time: int,
    event: str | None,
    parts: list[str],
    msg_id: int | None,
) -> str:
    head = [node("ToUserName", to), node("FromUserName", from_)]
    head += [f"<CreateTime>{int(create_time)}</CreateTime>", node("MsgType", msg_type)]
    if event is not None:
        head.append(node("Event", event))
    tail = [] if msg_id is None else [f"<MsgId>{int(msg_id)}</MsgId>"]
    return "<xml>\n" + "\n".join(head + [p for p in parts if p] + tail) + "\n</xml>"


def build(
    kind: str, to: str, from_: str, create_time: int, *, msg_id: int | None = None, **fields: Any
) -> str:
    """A push of a known kind (`text`, `event_click`, ...; see SPECS), fields by XML tag name."""
    spec = SPECS.get(kind)
    if spec is None:
        raise KeyError(f"unknown kind {kind!r}; known: {', '.join(SPECS)}")
    if spec.is_message and msg_id is None:
        msg_id = DEFAULT_IDS.next()
    elif not spec.is_message and msg_id is not None:
        raise TypeError("events carry no MsgId")
    if isinstance(fields.get("PicList"), list):
        fields.setdefault("Count", len(fields["PicList"]))
    parts = _fill(spec.fields, fields)
    if fields:
        raise TypeError(f"{kind}: unknown fields {sorted(fields)}")
    return _envelope(spec.msg_type, to, from_, create_time, spec.event, parts, msg_id)


def build_event(
    event: str, to: str, from_: str, create_time: int, key: str | None = None, **fields: Any
) -> str:
    """An event by its Event value as sent; unknown events are rendered as given."""
    if key is not None:
        fields["EventKey"] = key
    if event_kind(event) in SPECS:
        return build(event_kind(event), to, from_, create_time, **fields)
    return render_push("event", to, from_, create_time, fields, event=event)


class MsgIds:
    """Unique increasing MsgIds: 64-bit like the platform's, random low bits per source."""

    def __init__(self, start: int | None = None) -> None:
        self._next = start if start is not None else (int(time.time()) << 31) | secrets.randbits(30)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._next += 1
            return self._next


DEFAULT_IDS = MsgIds()
