"""A push's XML: guarded parsing, the shape each field must have, and its wechatpy class.

Everything a client wrote is checked here, before any handler reads it: wechatpy converts
fields lazily, so a bad number would otherwise raise deep inside the engine.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from wechatpy.events import EVENT_TYPES
from wechatpy.fields import FloatField, IntegerField
from wechatpy.messages import MESSAGE_TYPES, BaseMessage, UnknownMessage

from bot.protocol.refusals import BadRequest
from bot.protocol.subscribe import SUBSCRIBE_EVENTS, SubscribeMsgEvent

MAX_DEPTH = 8  # elements inside <xml>; the platform's deepest (SendPicsInfo/PicList/item/...) is 4
REQUIRED = ("ToUserName", "FromUserName", "MsgType")
TEXT_FIELDS = ("Content", "Recognition", "Event", "EventKey")  # read as text downstream
DIGIT_LIMITS = {"CreateTime": 10, "MsgId": 20}  # seconds to 2286; 64-bit ids
# [0-9], not \d or str.isdigit(): those take '²' or '١', which int() then rejects or reads.
_INTEGER = re.compile(r"-?[0-9]{1,20}")
_FLOAT = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")
# Numbers wechatpy keeps as text yet converts in properties (LocationMessage.location).
TEXT_NUMBERS = {"Location_X": _FLOAT, "Location_Y": _FLOAT, "Scale": _INTEGER}


def ascii_digits(value: object, most: int) -> bool:
    """True for 1..`most` ASCII digits only: what int() may be given from the wire."""
    return isinstance(value, str) and 0 < len(value) <= most and value.isascii() \
        and value.isdigit()


def _check_numbers(cls: type[BaseMessage], fields: dict) -> None:
    # wechatpy converts these lazily with int()/float(): a bad one would raise deep in a handler.
    for field in cls._fields.values():  # noqa: SLF001 - wechatpy keeps its fields there
        value = fields.get(field.name)
        if value is None:
            continue
        if field.name in DIGIT_LIMITS:
            if not ascii_digits(value, DIGIT_LIMITS[field.name]):
                most = DIGIT_LIMITS[field.name]
                raise BadRequest(f"{field.name} must be a number of at most {most} digits")
        elif isinstance(field, IntegerField) and not _INTEGER.fullmatch(str(value)):
            raise BadRequest(f"{field.name} must be a whole number")
        elif isinstance(field, FloatField) and not _FLOAT.fullmatch(str(value)):
            raise BadRequest(f"{field.name} must be a decimal number")
    for name, pattern in TEXT_NUMBERS.items():
        if name in fields and not pattern.fullmatch(str(fields[name])):
            raise BadRequest(f"{name} must be a number")


def _no_doctype(*_args: object) -> None:
    raise ValueError("DTDs are refused")


def _no_entities(*_args: object) -> None:
    raise ValueError("entities are disabled")


class _Tree:
    """expat events -> the dict xmltodict 1.0 builds with its defaults (the shape every caller
    reads: attributes as '@name', text beside children as '#text', repeats as lists, text
    stripped, empty as None), without its per-event generality: ~3x faster on a push.

    Depth is checked where xmltodict's postprocessor saw it: at an element's attributes and at
    its close, so every body gets the refusal it got before.
    """

    __slots__ = ("depth", "item", "data", "stack")

    def __init__(self) -> None:
        self.depth = 0
        self.item: dict | None = None
        self.data: list[str] = []
        self.stack: list[tuple[dict | None, list[str]]] = []

    def start(self, _name: str, attrs: list[str]) -> None:
        self.depth += 1
        self.stack.append((self.item, self.data))
        self.data = []
        if attrs:
            if self.depth > MAX_DEPTH + 1:
                raise BadRequest(f"elements nested deeper than {MAX_DEPTH}")
            self.item = {"@" + attrs[i]: attrs[i + 1] for i in range(0, len(attrs), 2)}
        else:
            self.item = None

    def end(self, name: str) -> None:
        if self.depth > MAX_DEPTH + 1:
            raise BadRequest(f"elements nested deeper than {MAX_DEPTH}")
        data = "".join(self.data) if self.data else None
        if data:
            data = data.strip() or None
        item = self.item
        self.item, self.data = self.stack.pop()
        if item is not None:
            if data:
                _push(item, "#text", data)
            self.item = _push(self.item, name, item)
        else:
            self.item = _push(self.item, name, data)
        self.depth -= 1

    def text(self, data: str) -> None:
        self.data.append(data)


def _push(item: dict | None, key: str, value: object) -> dict:
    if item is None:
        return {key: value}
    if key in item:
        found = item[key]
        if isinstance(found, list):
            found.append(value)
        else:
            item[key] = [found, value]
    else:
        item[key] = value
    return item


def _tree(body: bytes | str) -> dict | None:
    """Parse with DTDs and entity declarations refused (no entity is ever expanded)."""
    tree = _Tree()
    if isinstance(body, str):  # as xmltodict did: encoded, and the encoding given to expat
        parser = expat.ParserCreate("utf-8")
        body = body.encode()
    else:
        parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.EntityDeclHandler = _no_entities
    parser.StartElementHandler = tree.start
    parser.EndElementHandler = tree.end
    parser.CharacterDataHandler = tree.text
    parser.Parse(body, True)
    return tree.item


def parse_xml(body: bytes | str) -> dict:
    """Parse one `<xml>` document into a dict, refusing DTDs, entities, deep nesting, odd shapes."""
    try:
        doc = _tree(body)
    except (ValueError, expat.ExpatError) as exc:
        raise BadRequest(f"not well-formed XML: {exc}") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise BadRequest("the root element must be <xml> with fields inside")
    return root


def to_message(fields: dict) -> BaseMessage:
    """Pick the wechatpy class the way `wechatpy.parse_message` does, without parsing again."""
    for name in REQUIRED:
        if not isinstance(fields.get(name), str) or not fields[name].strip():
            raise BadRequest(f"missing {name}")
    for name, value in fields.items():
        if isinstance(value, list):
            raise BadRequest(f"{name} appears more than once")
    for name in TEXT_FIELDS:
        if not isinstance(fields.get(name), str | None):
            raise BadRequest(f"{name} must be text")
    for name, digits in DIGIT_LIMITS.items():  # also for types wechatpy does not know
        if name in fields and not ascii_digits(fields[name], digits):
            raise BadRequest(f"{name} must be a number of at most {digits} digits")
    cls = _message_class(fields)
    _check_numbers(cls, fields)
    if issubclass(cls, SubscribeMsgEvent):  # local classes: wechatpy 1.8 has none
        cls.check(fields)
    return cls(fields)


def _message_class(fields: dict) -> type[BaseMessage]:
    kind = fields["MsgType"].lower()
    if kind != "event" and not kind.startswith("device_"):
        return MESSAGE_TYPES.get(kind, UnknownMessage)
    event = str(fields.get("Event") or kind).lower()
    if kind.startswith("device_") and "Event" in fields:
        event = f"device_{event}"
    key = fields.get("EventKey")
    if event == "subscribe" and isinstance(key, str) and key:
        if key.startswith(("scanbarcode|", "scanimage|")):
            event = fields["Event"] = "subscribe_scan_product"
        elif key.startswith("qrscene_"):
            event = fields["Event"] = "subscribe_scan"
            fields["EventKey"] = key[len("qrscene_"):]
    return EVENT_TYPES.get(event) or SUBSCRIBE_EVENTS.get(event, UnknownMessage)


def kind_of(message: BaseMessage) -> str:
    """The message type, also for types wechatpy 1.8 files as unknown (e.g. `file`)."""
    if message.type != "unknown":
        return message.type
    return str(message._data.get("MsgType", "unknown")).lower()  # noqa: SLF001 - no accessor


def event_of(message: BaseMessage) -> str:
    """The event name as wechatpy knows it, or lower-cased as sent when it does not."""
    return getattr(message, "event", None) or str(message._data.get("Event", "")).lower()


