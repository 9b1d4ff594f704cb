"""The shape of every message and event the platform pushes, as data the builder walks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REQUIRED: Any = object()  # a field the caller must give


@dataclass(frozen=True)
class F:
    """One XML field: its tag, default (REQUIRED, None = omit, a value, or a group) and style."""

    tag: str
    default: Any = REQUIRED
    num: bool = False  # bare number instead of CDATA text
    item: str | None = None  # a list rendered as <item><{item}>…</{item}></item>


@dataclass(frozen=True)
class Spec:
    """A kind of push: MsgType, Event (None for messages) and fields in the official order."""

    msg_type: str
    event: str | None
    fields: tuple[F, ...]

    @property
    def is_message(self) -> bool:
        return self.event is None


def _msg(msg_type: str, *fields: F) -> Spec:
    return Spec(msg_type, None, fields)


def _event(event: str, *fields: F) -> Spec:
    return Spec("event", event, fields)


_MEDIA = (F("MediaId", "sim_media_0001"), F("ThumbMediaId", "sim_thumb_0001"))
_SCAN = (F("EventKey"), F("ScanCodeInfo", (F("ScanType", "qrcode"), F("ScanResult"))))
_PICS = (
    F("EventKey"),
    F("SendPicsInfo", (F("Count", None, num=True), F("PicList", item="PicMd5Sum"))),
)

SPECS: dict[str, Spec] = {
    "text": _msg("text", F("Content")),
    "image": _msg(
        "image",
        F("PicUrl", "http://mmbiz.qpic.cn/mmbiz_jpg/sim0001/0"),
        F("MediaId", "sim_media_0001"),
    ),
    "voice": _msg(
        "voice", F("MediaId", "sim_media_0001"), F("Format", "amr"), F("Recognition", None)
    ),
    "video": _msg("video", *_MEDIA),
    "shortvideo": _msg("shortvideo", *_MEDIA),
    "location": _msg(
        "location",
        F("Location_X", num=True),
        F("Location_Y", num=True),
        F("Scale", 15, num=True),
        F("Label", ""),
    ),
    "link": _msg("link", F("Title"), F("Description", ""), F("Url")),
    "file": _msg(
        "file",
        F("Title"),
        F("Description", ""),
        F("FileKey", "sim_file_key_0001"),
        F("FileMd5", "d41d8cd98f00b204e9800998ecf8427e"),
        F("FileTotalLen", 0, num=True),
    ),
    "event_subscribe": _event("subscribe", F("EventKey", None), F("Ticket", None)),
    "event_unsubscribe": _event("unsubscribe"),
    "event_scan": _event("SCAN", F("EventKey"), F("Ticket", "sim_ticket_0001")),
    "event_location": _event(
        "LOCATION",
        F("Latitude", num=True),
        F("Longitude", num=True),
        F("Precision", 65.0, num=True),
    ),
    "event_click": _event("CLICK", F("EventKey")),
    "event_view": _event("VIEW", F("EventKey"), F("MenuId", None)),
    "event_scancode_push": _event("scancode_push", *_SCAN),
    "event_scancode_waitmsg": _event("scancode_waitmsg", *_SCAN),
    "event_pic_sysphoto": _event("pic_sysphoto", *_PICS),
    "event_pic_photo_or_album": _event("pic_photo_or_album", *_PICS),
    "event_pic_weixin": _event("pic_weixin", *_PICS),
    "event_location_select": _event(
        "location_select",
        F("EventKey"),
        F(
            "SendLocationInfo",
            (F("Location_X"), F("Location_Y"), F("Scale", "15"), F("Label", ""), F("Poiname", "")),
        ),
    ),
    "event_templatesendjobfinish": _event(
        "TEMPLATESENDJOBFINISH", F("MsgID", num=True), F("Status", "success")
    ),
    "event_masssendjobfinish": _event(
        "MASSSENDJOBFINISH",
        F("MsgID", num=True),
        F("Status", "send success"),
        *(F(tag, 0, num=True) for tag in ("TotalCount", "FilterCount", "SentCount", "ErrorCount")),
    ),
    "event_view_miniprogram": _event("view_miniprogram", F("EventKey"), F("MenuId", None)),
}


def event_kind(event: str) -> str:
    """The SPECS key for an Event value as sent (`CLICK` -> `event_click`)."""
    return "event_" + event.lower()
