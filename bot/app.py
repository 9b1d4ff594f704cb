"""The Flask factory: reads config, builds the long-lived parts once, wires the blueprints."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from bot import health, webhook
from bot.clock import Clock
from bot.config import load_config
from bot.courier import Courier, Send, no_client, post_to
from bot.deferred import Deferred
from bot.engine import Engine
from bot.notices import Notices
from bot.parts import EXTENSION, Bot, bot_of, current_bot
from bot.platform import PlatformAPI, make_platform
from bot.protocol import Codec
from bot.sqlitedb import private_dir
from bot.store import open_store
from bot.store.kv import open_kv
from flows.catalog import Catalog
from flows.registry import ALL_FLOWS

__all__ = ["Bot", "bot_of", "create_app", "current_bot"]  # Bot and its accessors: bot/parts.py
log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` uses the same names as the environment (see bot/config.py).

    Beyond the contract names, tests may pass CLOCK (a bot.clock.Clock), FLOWS (flow classes),
    CATALOG (a flows.catalog.Catalog), BACKEND (a ready Backend object) and OUTBOUND_SEND
    (where owed replies go: a callable taking the customer-service body, or an http:// URL).
    """
    cfg = load_config(config)
    app = Flask(__name__)
    app.config.from_mapping(cfg)
    clock = cfg.get("CLOCK") or Clock()
    private_dir(cfg["BOT_DATA_DIR"])
    backend = cfg.get("BACKEND")
    if backend is None:
        from bot.backend import make_backend

        backend = make_backend(cfg, clock)
    catalog = cfg.get("CATALOG") or Catalog(cfg["BOT_LANG"])
    store = open_store(cfg["BOT_STORE"], clock)
    if cfg["BOT_STORE"].startswith("memory://"):
        log.warning("BOT_STORE=memory:// keeps conversations in this process only: run one "
                    "process (several workers would each see their own), and expect to lose "
                    "them on restart")
    platform = make_platform(cfg, clock)  # lazy: nothing opens before the first call
    deferred = Deferred(open_kv(cfg["BOT_STORE"], clock))
    notices = Notices(store.outbox, catalog, clock, deferred, cfg.get("WECHAT_TEMPLATE_REVIEW"))
    override = cfg.get("OUTBOUND_SEND")  # when set, templates go there too
    send = notices.sender(_sender(override, platform), None if override else platform)
    courier = Courier(store.outbox, send).start()
    notices.wake = courier.wake
    notices.listen(getattr(backend, "on_decision", None))  # review outcomes: bot/notices.py
    engine = Engine(store, catalog, cfg.get("FLOWS") or ALL_FLOWS, backend=backend,
                    clock=clock, session_ttl=cfg["BOT_SESSION_TTL"],
                    deadline=cfg["BOT_REPLY_DEADLINE"], courier=courier,
                    region_key=cfg["BOT_REGION"])
    engine.deferred = deferred  # outcomes the API could not send: said first next turn
    # Real time, never `clock`: the simulator moves its clock, and that must not move the check.
    codec = Codec(cfg["WECHAT_TOKEN"], cfg["WECHAT_AES_KEY"], cfg["WECHAT_APP_ID"],
                  cfg["WECHAT_TIMESTAMP_TOLERANCE"])
    app.extensions[EXTENSION] = Bot(cfg, clock, store, backend, codec, engine, courier,
                                    platform=platform)

    webhook.init_app(app)
    health.init_app(app)
    if cfg["BOT_SIMULATOR"]:
        from bot.sim import web
        from bot.sim.record import web as record_web
        from bot.sim.replay import web as replay_web

        web.init_app(app)
        from bot.sim import api as platform_api

        platform_api.init_app(app)  # /cgi-bin/: the mock platform API
        replay_web.init_app(app)  # fixtures from the page: run one, step by step
        record_web.init_app(app)  # save the page's session as a fixture
    if cfg.get("BOT_RECORD_DIR"):
        from bot.sim.record import recorder

        recorder.init_app(app)
    return app


def _sender(setting: Any, platform: PlatformAPI | None) -> Send:
    """Where owed replies go: OUTBOUND_SEND (tests), else the account's customer-service API.

    Without an AppID and AppSecret there is no API to call: `no_client` keeps the messages
    failed and logged, so configuring the account later is the fix the log names.
    """
    if callable(setting):
        return setting
    if isinstance(setting, str) and setting.startswith(("http://", "https://")):
        return post_to(setting)
    return platform.send_custom if platform is not None else no_client
