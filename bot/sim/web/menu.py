"""The menu the page draws: the account's own (the mock platform's `menu/get`), else the flows'.

A WeChat menu has at most three top-level buttons, each a click or a sub-menu of up to five.
When the mock platform API is absent (404) or holds no menu (46003), the page gets a menu made
from the flows' menu keys in that shape, so what it draws is what a follower would see.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from bot.parts import bot_of

MAX_TOP, MAX_SUB = 3, 5
MORE = "更多"


def flows_menu(flows: list[Any], catalog: Any) -> dict[str, Any]:
    """`{"button": [...]}` from the flows with a menu key; beyond three, the rest under 更多."""
    buttons = [{"type": "click", "name": catalog.text(f.title), "key": f.menu_key}
               for f in flows if f.menu_key]
    if len(buttons) <= MAX_TOP:
        return {"button": buttons}
    singles = MAX_TOP - 1
    return {"button": [*buttons[:singles],
                       {"name": MORE, "sub_button": buttons[singles:singles + MAX_SUB]}]}


def account_menu(app: Flask, bench: Any) -> dict[str, Any] | None:
    """The menu on the mock platform, through its own API in process; None when there is none."""
    cfg, http = app.config, app.test_client()
    for _ in range(2):  # a second time with a fresh token, if the cached one was superseded
        if bench.menu_token is None:
            with http.get("/cgi-bin/token", query_string={
                    "grant_type": "client_credential", "appid": cfg.get("WECHAT_APP_ID") or "",
                    "secret": cfg.get("WECHAT_APP_SECRET") or ""}) as got:
                token = got.get_json(silent=True) if got.status_code == 200 else None
            if not isinstance(token, dict) or "access_token" not in token:
                return None
            bench.menu_token = token["access_token"]
        with http.get("/cgi-bin/menu/get",
                      query_string={"access_token": bench.menu_token}) as got:
            answer = got.get_json(silent=True) if got.status_code == 200 else None
        if not isinstance(answer, dict):
            return None
        if answer.get("errcode") in (40001, 42001):
            bench.menu_token = None
            continue
        menu = answer.get("menu")
        return menu if isinstance(menu, dict) and menu.get("button") else None
    return None


def page_menu(app: Flask, bench: Any) -> dict[str, Any]:
    """`{"source": "account"|"flows", "button": [...]}` for the page to draw."""
    menu = account_menu(app, bench)
    if menu is not None:
        return {"source": "account", **menu}
    bot = bot_of(app)
    return {"source": "flows", **flows_menu(list(bot.engine.flows.values()), bot.catalog)}
