"""The builders write what the platform pushes: wechatpy reads it, and it has the samples' shape."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from wechatpy import parse_message

from bot.sim.wire.build import MsgIds, build, build_event, cdata, render_push
from bot.sim.wire.kinds import SPECS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "messages"
SAMPLES = Path(
    os.environ.get("WXBOT_PLATFORM_SAMPLES", ROOT.parent / "shared" / "platform-samples")
)
ACCOUNT, T0, ID0 = "gh_wxbot_dev", 1_795_320_000, 7_710_000_000_000_000_000
MD5 = ["1b5f7c23b5bf75682a53e7b6d163e185", "5a75aaca956d97be686719218f275c6b"]
SPOT = {"Location_X": "39.915119", "Location_Y": "116.403963", "Label": "北京市东城区正义路2号"}

# fixture name -> (kind, fields, wechatpy 1.8.18 class, attributes it must read back)
CASES: dict[str, tuple[str, dict, str, dict]] = {
    "text": ("text", {"Content": "绑定社保卡"}, "TextMessage", {"content": "绑定社保卡"}),
    "text__cdata_end": ("text", {"Content": "a]]>b <&>"}, "TextMessage", {"content": "a]]>b <&>"}),
    "image": ("image", {}, "ImageMessage", {"media_id": "sim_media_0001"}),
    "voice": ("voice", {}, "VoiceMessage", {"format": "amr", "recognition": None}),
    "voice__with_recognition": (
        "voice", {"Recognition": "忘记密码"}, "VoiceMessage", {"recognition": "忘记密码"},
    ),
    "video": ("video", {}, "VideoMessage", {"thumb_media_id": "sim_thumb_0001"}),
    "shortvideo": ("shortvideo", {}, "ShortVideoMessage", {"media_id": "sim_media_0001"}),
    "location": (
        "location", {**SPOT, "Location_X": 39.915119, "Location_Y": 116.403963, "Scale": 16},
        "LocationMessage", {"location_x": "39.915119", "scale": "16", "label": SPOT["Label"]},
    ),
    "link": (
        "link", {"Title": "社保卡办理指南", "Description": "线上申领", "Url": "https://example.org/g"},
        "LinkMessage", {"title": "社保卡办理指南", "url": "https://example.org/g"},
    ),
    "file": (  # wechatpy 1.8.18 has no class for file messages
        "file", {"Title": "户口本.pdf", "FileTotalLen": 204800, "FileMd5": MD5[0]},
        "UnknownMessage", {"type": "unknown"},
    ),
    "event_subscribe": ("event_subscribe", {}, "SubscribeEvent", {"key": ""}),
    "event_subscribe__qrscene": (
        "event_subscribe", {"EventKey": "qrscene_1001", "Ticket": "sim_ticket_1001"},
        "SubscribeScanEvent", {"scene_id": "1001", "ticket": "sim_ticket_1001"},
    ),
    "event_unsubscribe": ("event_unsubscribe", {}, "UnsubscribeEvent", {}),
    "event_scan": ("event_scan", {"EventKey": "1001"}, "ScanEvent", {"scene_id": "1001"}),
    "event_location": (
        "event_location", {"Latitude": 39.915119, "Longitude": 116.403963, "Precision": 30.0},
        "LocationEvent", {"latitude": 39.915119, "precision": 30.0},
    ),
    "event_click": ("event_click", {"EventKey": "BIND_CARD"}, "ClickEvent", {"key": "BIND_CARD"}),
    "event_view": (
        "event_view", {"EventKey": "https://example.org/card"}, "ViewEvent",
        {"url": "https://example.org/card"},
    ),
    "event_view__menu_id": (
        "event_view", {"EventKey": "https://example.org/card", "MenuId": "410578390"},
        "ViewEvent", {"url": "https://example.org/card"},
    ),
    "event_scancode_push": (
        "event_scancode_push", {"EventKey": "SCAN", "ScanResult": "https://example.org/q/1"},
        "ScanCodePushEvent", {"scan_type": "qrcode", "scan_result": "https://example.org/q/1"},
    ),
    "event_scancode_waitmsg": (
        "event_scancode_waitmsg",
        {"EventKey": "SCAN_CARD", "ScanType": "barcode", "ScanResult": "EAN_13,6901234567892"},
        "ScanCodeWaitMsgEvent", {"scan_type": "barcode", "scan_result": "EAN_13,6901234567892"},
    ),
    "event_pic_sysphoto": (
        "event_pic_sysphoto", {"EventKey": "PHOTO", "PicList": MD5[:1]}, "PicSysPhotoEvent",
        {"count": 1, "pictures": [{"PicMd5Sum": MD5[0]}]},
    ),
    "event_pic_sysphoto__2pics": (
        "event_pic_sysphoto", {"EventKey": "PHOTO", "PicList": MD5}, "PicSysPhotoEvent",
        {"count": 2},
    ),
    "event_pic_photo_or_album": (
        "event_pic_photo_or_album", {"EventKey": "PHOTO", "PicList": MD5[1:]},
        "PicPhotoOrAlbumEvent", {"count": 1},
    ),
    "event_pic_weixin": (
        "event_pic_weixin", {"EventKey": "PHOTO", "PicList": MD5[1:]}, "PicWeChatEvent",
        {"count": 1},
    ),
    "event_location_select": (
        "event_location_select", {"EventKey": "NEAREST_OFFICE", **SPOT, "Poiname": "社保服务中心"},
        "LocationSelectEvent", {"location": ("39.915119", "116.403963"), "poiname": "社保服务中心"},
    ),
    "event_templatesendjobfinish": (
        "event_templatesendjobfinish", {"MsgID": 200163836}, "TemplateSendJobFinishEvent",
        {"id": 200163836, "status": "success"},
    ),
    "event_templatesendjobfinish__failed": (
        "event_templatesendjobfinish", {"MsgID": 200163840, "Status": "failed:user block"},
        "TemplateSendJobFinishEvent", {"status": "failed:user block"},
    ),
    "event_masssendjobfinish": (
        "event_masssendjobfinish",
        {"MsgID": 1000001625, "TotalCount": 100, "FilterCount": 80, "SentCount": 75,
         "ErrorCount": 5},
        "MassSendJobFinishEvent", {"id": 1000001625, "sent_count": 75, "error_count": 5},
    ),
    "event_view_miniprogram": (
        "event_view_miniprogram", {"EventKey": "pages/card/index", "MenuId": "410578391"},
        "ViewMiniProgramEvent", {"page_path": "pages/card/index", "menu_id": "410578391"},
    ),
    "unknown": ("unknown", {"Title": "未知", "Url": "https://example.org"}, "UnknownMessage", {}),
    "event_unknown": ("event_unknown", {}, "UnknownMessage", {"type": "unknown"}),
}  # fmt: skip
NAMES = list(CASES)


def make(name: str) -> str:
    """The fixture's XML from fixed inputs: one user per file, times a minute apart."""
    kind, fields, _, _ = CASES[name]
    index = NAMES.index(name)
    user, at = f"oUser{index % 3 + 1:04d}", T0 + 60 * index
    if kind == "unknown":
        return render_push("unknown", ACCOUNT, user, at, fields, msg_id=ID0 + index)
    if kind == "event_unknown":
        return build_event("unknown", ACCOUNT, user, at, **fields)
    msg_id = ID0 + index if SPECS[kind].is_message else None
    return build(kind, ACCOUNT, user, at, msg_id=msg_id, **dict(fields))


@pytest.mark.parametrize("name", NAMES)
def test_builder_output_parses_to_the_wechatpy_class(name: str) -> None:
    _, _, cls, attrs = CASES[name]
    message = parse_message(make(name))
    assert type(message).__name__ == cls
    assert message.target == ACCOUNT and message.source.startswith("oUser")
    for attr, value in attrs.items():
        assert getattr(message, attr) == value, attr


@pytest.mark.parametrize("name", NAMES)
def test_fixture_file_is_the_builder_output(name: str) -> None:
    path = FIXTURES / f"{name}.xml"
    if os.environ.get("WXBOT_REGEN_FIXTURES"):
        path.write_text(make(name) + "\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == make(name) + "\n"
    assert type(parse_message(path.read_text(encoding="utf-8"))).__name__ == CASES[name][2]


def test_every_fixture_file_is_covered() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.xml")) == sorted(NAMES)


def _shape(xml: str) -> list[tuple[str, bool]]:
    """Each tag in document order, with whether its text is CDATA (else a bare number)."""
    flat = re.sub(r">\s+<", "><", xml.strip())
    return [(tag, bool(c)) for tag, c in re.findall(r"<(\w+)>(<!\[CDATA\[)?", flat)]


@pytest.mark.parametrize("name", NAMES)
def test_field_order_and_style_match_the_platform_samples(name: str) -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"no platform samples at {SAMPLES}")
    sample = SAMPLES / f"{name}.xml"
    if not sample.exists():
        pytest.skip(f"no sample {name}.xml")
    ours = _shape(make(name))
    tags = {tag for tag, _ in ours}
    assert ours == [t for t in _shape(sample.read_text(encoding="utf-8")) if t[0] in tags]


def test_cdata_splits_its_end_marker() -> None:
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"


def test_messages_get_increasing_ids_and_events_none() -> None:
    ids = MsgIds()
    first, second = ids.next(), ids.next()
    assert second == first + 1 and 10**17 < first < 2**63
    assert "<MsgId>" not in build("event_click", ACCOUNT, "oUser0001", T0, EventKey="K")
    with pytest.raises(TypeError, match="no MsgId"):
        build("event_click", ACCOUNT, "oUser0001", T0, msg_id=1, EventKey="K")


def test_builder_refuses_unknown_kinds_and_fields_and_missing_ones() -> None:
    with pytest.raises(KeyError):
        build("sticker", ACCOUNT, "oUser0001", T0)
    with pytest.raises(TypeError, match="unknown fields"):
        build("text", ACCOUNT, "oUser0001", T0, Content="x", Bogus=1)
    with pytest.raises(TypeError, match="missing field Content"):
        build("text", ACCOUNT, "oUser0001", T0)
