"""The subscribe-notice events (platform-more.md §2.3), which wechatpy 1.8 parses as unknown.

Three small event classes, named as wechatpy's later versions name them, with `.subscribes`:
one `Subscribe` per `<List>` (one template each). xmltodict gives one `<List>` as a dict and
several as a list; both are read. The change event's wrapper is `SubscribeMsgChangeEvent`,
but an old official sample used `SubscribeMsgPopupEvent`: both are accepted. `check` refuses
a malformed one before any handler reads it (pushxml.to_message calls it), so a bad push is
a 400, never an error deep in a turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from wechatpy.events import BaseEvent

from bot.protocol.refusals import BadRequest

POPUP, CHANGE, SENT = ("subscribe_msg_popup_event", "subscribe_msg_change_event",
                       "subscribe_msg_sent_event")
MAX_ITEMS = 20  # templates in one push; a popup shows at most 5, an article's component 5
MAX_TEXT = 128  # characters of one field (template ids are 43)
NUMBERS = ("PopupScene", "ErrorCode")


@dataclass(frozen=True)
class Subscribe:
    """One template's line: `status` is accept / reject (popup, change) or the send's
    ErrorStatus (sent); `error_code` 0 for a delivered send."""

    template_id: str
    status: str
    scene: int | None = None
    msg_id: str = ""
    error_code: int | None = None


class SubscribeMsgEvent(BaseEvent):
    wrappers: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def items(cls, fields: dict) -> list[dict]:
        """The `<List>` elements as dicts, whichever wrapper carried them."""
        wrapper = next((fields[w] for w in cls.wrappers if w in fields), None)
        found = wrapper.get("List") if isinstance(wrapper, dict) else None
        return [found] if isinstance(found, dict) else found if isinstance(found, list) else []

    @classmethod
    def check(cls, fields: dict) -> None:
        items = cls.items(fields)
        if not items or len(items) > MAX_ITEMS:
            raise BadRequest(f"{cls.event} must list 1-{MAX_ITEMS} templates")
        for item in items:
            if not isinstance(item, dict) or not all(
                    isinstance(v, str) and len(v) <= MAX_TEXT for v in item.values()):
                raise BadRequest(f"{cls.event}: each List holds text fields")
            if not item.get("TemplateId"):
                raise BadRequest(f"{cls.event}: a List without TemplateId")
            for name in NUMBERS:
                value = item.get(name)
                if value is not None and not (value.isascii() and value.lstrip("-").isdigit()
                                              and len(value) <= 10):
                    raise BadRequest(f"{cls.event}: {name} must be a whole number")

    @property
    def subscribes(self) -> list[Subscribe]:
        out = []
        for item in self.items(self._data):
            scene, code = item.get("PopupScene"), item.get("ErrorCode")
            out.append(Subscribe(
                item["TemplateId"], item.get("SubscribeStatusString") or
                item.get("ErrorStatus") or "", int(scene) if scene is not None else None,
                item.get("MsgID") or "", int(code) if code is not None else None))
        return out


class SubscribeMsgPopupEvent(SubscribeMsgEvent):
    event = POPUP
    wrappers = ("SubscribeMsgPopupEvent",)


class SubscribeMsgChangeEvent(SubscribeMsgEvent):
    event = CHANGE
    wrappers = ("SubscribeMsgChangeEvent", "SubscribeMsgPopupEvent")


class SubscribeMsgSentEvent(SubscribeMsgEvent):
    event = SENT
    wrappers = ("SubscribeMsgSentEvent",)


SUBSCRIBE_EVENTS: dict[str, type[SubscribeMsgEvent]] = {
    cls.event: cls for cls in (SubscribeMsgPopupEvent, SubscribeMsgChangeEvent,
                               SubscribeMsgSentEvent)}
