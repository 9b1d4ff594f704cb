"""The account's default menu, made from the flows' menu keys in WeChat's shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TOP_LEVEL = 3  # buttons the platform shows in the bar
PER_PARENT = 5  # sub-buttons under one of them
MORE = {"zh_CN": "更多服务", "en": "More"}  # the parent for flows past the first two


def click(name: str, key: str) -> dict[str, str]:
    return {"type": "click", "name": name, "key": key}


def default_menu(flows: Iterable[Any], catalog: Any) -> dict[str, list]:
    """Up to three flows as buttons; with more, the first two and a parent holding the rest.

    `flows` are Flow classes (their `menu_key` and catalog `title`); flows without a menu key
    are left out. More flows than fit (2 + 5) is a ValueError naming the limit.
    """
    buttons = [click(catalog.text(f.title), f.menu_key) for f in flows if f.menu_key]
    if not buttons:
        raise ValueError("no flow has a menu_key: nothing to put in a menu")
    if len(buttons) <= TOP_LEVEL:
        return {"button": buttons}
    rest = buttons[TOP_LEVEL - 1:]
    if len(rest) > PER_PARENT:
        raise ValueError(f"{len(buttons)} menu keys do not fit WeChat's menu "
                         f"({TOP_LEVEL - 1} buttons + {PER_PARENT} under a third)")
    more = {"name": MORE.get(catalog.lang, MORE["en"]), "sub_button": rest}
    return {"button": [*buttons[:TOP_LEVEL - 1], more]}


def lines(menu: dict[str, Any]) -> list[str]:
    """The menu as indented text lines, for `wxbot menu show` and `wxbot doctor`."""
    out = []
    for button in menu.get("button", []):
        subs = button.get("sub_button") or []
        out.append(f"{button.get('name')}" + ("" if subs else f"  [{_target(button)}]"))
        out.extend(f"  └ {sub.get('name')}  [{_target(sub)}]" for sub in subs)
    return out


def _target(button: dict[str, Any]) -> str:
    kind = button.get("type", "?")
    return f"{kind} {button.get('key') or button.get('url') or button.get('media_id') or ''}"
