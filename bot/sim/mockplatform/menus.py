"""The custom menu's rules as menu/create enforces them (errcodes 40016-40027), no Flask."""

from __future__ import annotations

import copy
from typing import Any

from bot.sim.mockplatform.errors import ApiRefusal

TYPES = {"click", "view", "scancode_push", "scancode_waitmsg", "pic_sysphoto",
         "pic_photo_or_album", "pic_weixin", "location_select", "media_id", "view_limited",
         "article_id", "article_view_limited", "miniprogram"}
NEEDS_KEY = {"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
             "pic_weixin", "location_select"}
NEEDS_URL = {"view", "miniprogram"}
TOP_BUTTONS, SUB_BUTTONS = (1, 3), (1, 5)
TOP_NAME, SUB_NAME = 16, 60  # bytes of UTF-8
KEY_BYTES, URL_BYTES = 128, 1024
# errcode for (top-level, sub-button) breaking each rule
CODES = {"type": (40017, 40024), "name": (40018, 40025), "key": (40019, 40026),
         "url": (40020, 40027)}


def _size(value: Any) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else -1


def _leaf(button: dict, sub: bool) -> None:
    pick = 1 if sub else 0
    kind = button.get("type")
    if not isinstance(kind, str) or kind not in TYPES:  # a list or object there: a bad type
        raise ApiRefusal(CODES["type"][pick])
    if kind in NEEDS_KEY and not 0 < _size(button.get("key")) <= KEY_BYTES:
        raise ApiRefusal(CODES["key"][pick])
    if kind in NEEDS_URL and not 0 < _size(button.get("url")) <= URL_BYTES:
        raise ApiRefusal(CODES["url"][pick])


def _button(button: Any, sub: bool) -> None:
    if not isinstance(button, dict):
        raise ApiRefusal(47001)
    limit = SUB_NAME if sub else TOP_NAME
    if not 0 < _size(button.get("name")) <= limit:
        raise ApiRefusal(CODES["name"][1 if sub else 0])
    subs = button.get("sub_button")
    if subs:  # a parent: its own type, key and url are ignored, as the platform does
        if sub:
            raise ApiRefusal(40022)
        if not isinstance(subs, list) or not SUB_BUTTONS[0] <= len(subs) <= SUB_BUTTONS[1]:
            raise ApiRefusal(40023)
        for child in subs:
            _button(child, sub=True)
    else:
        _leaf(button, sub)


def validate(menu: Any) -> None:
    """Raise ApiRefusal with the platform's errcode for the first rule `menu` breaks."""
    if not isinstance(menu, dict):
        raise ApiRefusal(47001)
    buttons = menu.get("button")
    if not isinstance(buttons, list) or not TOP_BUTTONS[0] <= len(buttons) <= TOP_BUTTONS[1]:
        raise ApiRefusal(40016)
    for button in buttons:
        _button(button, sub=False)


def as_stored(menu: dict) -> dict:
    """What menu/get gives back: the buttons, each with a `sub_button` list (empty for leaves)."""
    def shaped(button: dict) -> dict:
        out = {k: v for k, v in button.items() if k != "sub_button"}
        out["sub_button"] = [shaped(b) for b in button.get("sub_button") or []]
        return out

    return {"menu": {"button": [shaped(b) for b in copy.deepcopy(menu["button"])]}}
