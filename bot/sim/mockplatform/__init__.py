"""The mock platform API (`/cgi-bin/...`) and its simulator controls, in simulator mode.

Rule: may import `wire` of the simulator and the bot's parts via `bot.parts`; never a tool
(replay, record, chat, web), `targets` nor `bot.app`.
"""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask

from bot.config import DEMO_APP_ID, DEMO_APP_SECRET, SUBSCRIBE_SETTINGS
from bot.parts import bot_of
from bot.protocol import Inbound
from bot.sim.mockplatform.cgi import MOCK, cgi
from bot.sim.mockplatform.control import control
from bot.sim.mockplatform.followers import Quotas
from bot.sim.mockplatform.kfapi import kfapi
from bot.sim.mockplatform.push import TemplatePushes
from bot.sim.mockplatform.routing import Routing
from bot.sim.mockplatform.state import MockPlatform
from bot.sim.mockplatform.subscribeapi import newtmpl, subscribe_api

log = logging.getLogger(__name__)
__all__ = ["DEMO_APP_ID", "DEMO_APP_SECRET", "init_app"]  # the demo account: bot/config.py


def init_app(app: Flask) -> None:
    """Serve /cgi-bin/ and its controls; learn followers from the pushes the bot receives."""
    bot = bot_of(app)
    cfg = bot.config
    sandbox = cfg["BOT_SIM_PROFILE"] == "sandbox"
    pushes = TemplatePushes(app, plaintext=sandbox)
    review = cfg.get("WECHAT_TEMPLATE_REVIEW")
    subscribe = {kind: cfg[name] for kind, name in SUBSCRIBE_SETTINGS.items() if cfg.get(name)}
    mock = MockPlatform(
        cfg["BOT_DATA_DIR"], bot.clock, cfg.get("WECHAT_APP_ID") or DEMO_APP_ID,
        cfg.get("WECHAT_APP_SECRET") or DEMO_APP_SECRET, profile=cfg["BOT_SIM_PROFILE"],
        quotas=Quotas(cfg["BOT_SIM_CUSTOM_QUOTA"], cfg["BOT_SIM_EVENT_QUOTA"]),
        templates=(review,) if review else (), on_template=pushes,
        expired_errcode=cfg["BOT_SIM_EXPIRED_ERRCODE"], on_kf=pushes.kf,
        subscribe=subscribe, on_subscribe=pushes.subscribe)
    pushes.count = mock.db.bump
    app.extensions[MOCK] = mock

    def observe(inbound: Inbound) -> None:
        fields = inbound.fields
        mark = str(fields.get("MsgId") or f"{fields.get('CreateTime')}:{fields.get('Event')}")
        try:
            mock.observe(str(fields.get("FromUserName", "")), str(fields.get("MsgType", "")),
                         fields.get("Event"), mark)
        except sqlite3.Error:  # the mock's bookkeeping must never cost the bot its answer
            log.exception("the mock platform could not note a push")

    bot.before_message.append(observe)
    routing = Routing(app.wsgi_app, mock, bot.codec.decode)  # in front, as the platform is
    app.wsgi_app = routing  # type: ignore[method-assign]
    bot.after_message.append(routing.transferred)

    def close() -> None:  # pushes first: one on its way still counts in the mock's file
        pushes.close()
        mock.close()

    bot.on_close.append(close)
    app.register_blueprint(cgi)
    app.register_blueprint(control)
    app.register_blueprint(kfapi)
    app.register_blueprint(subscribe_api)
    app.register_blueprint(newtmpl)
