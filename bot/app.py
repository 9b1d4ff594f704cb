"""The Flask factory: reads config, builds the long-lived parts once, wires the blueprints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify

from bot import webhook
from bot.clock import Clock
from bot.config import load_config
from bot.engine import Engine
from bot.platform import PlatformAPI, make_platform
from bot.protocol import Codec, Inbound
from bot.store import Store, open_store
from flows import ALL_FLOWS
from flows.catalog import Catalog


@dataclass
class Bot:
    """Everything a request needs, built once per app (no module globals)."""

    config: dict
    clock: Clock
    store: Store
    backend: Any
    codec: Codec
    engine: Engine
    before_message: list[Callable[[Inbound], None]] = field(default_factory=list)
    after_message: list[Callable[[Inbound, str], None]] = field(default_factory=list)
    platform: PlatformAPI | None = None  # the account's server API; None without AppID/secret
    on_close: list[Callable[[], None]] = field(default_factory=list)

    @property
    def catalog(self) -> Catalog:
        """The engine's catalog: one place to switch the reply language."""
        return self.engine.catalog

    def close(self) -> None:
        for closer in self.on_close:
            closer()
        if self.platform is not None:
            self.platform.close()
        self.store.close()
        getattr(self.backend, "close", lambda: None)()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` uses the same names as the environment (see bot/config.py).

    Beyond the contract names, tests may pass CLOCK (a bot.clock.Clock), FLOWS (flow classes),
    CATALOG (a flows.catalog.Catalog) and BACKEND (a ready Backend object).
    """
    cfg = load_config(config)
    app = Flask(__name__)
    app.config.from_mapping(cfg)
    clock = cfg.get("CLOCK") or Clock()
    backend = cfg.get("BACKEND")
    if backend is None:
        from bot.backend import make_backend

        backend = make_backend(cfg, clock)
    catalog = cfg.get("CATALOG") or Catalog(cfg["BOT_LANG"])
    store = open_store(cfg["BOT_STORE"], clock)
    engine = Engine(store, catalog, cfg.get("FLOWS") or ALL_FLOWS, backend=backend,
                    clock=clock, session_ttl=cfg["BOT_SESSION_TTL"])
    codec = Codec(cfg["WECHAT_TOKEN"], cfg["WECHAT_AES_KEY"], cfg["WECHAT_APP_ID"],
                  cfg["WECHAT_TIMESTAMP_TOLERANCE"], now=clock.now)
    app.extensions["wxbot"] = Bot(cfg, clock, store, backend, codec, engine,
                                  platform=make_platform(cfg, clock))

    webhook.init_app(app)
    app.add_url_rule("/healthz", "healthz", lambda: jsonify(
        status="ok", store=cfg["BOT_STORE"].split(":", 1)[0], backend=cfg["BOT_BACKEND"],
        simulator=cfg["BOT_SIMULATOR"], lang=app.extensions["wxbot"].catalog.lang))
    if cfg["BOT_SIMULATOR"]:
        from bot.sim import web

        web.init_app(app)
        from bot.sim import api as platform_api

        platform_api.init_app(app)  # /cgi-bin/: the mock platform API
    if cfg.get("BOT_RECORD_DIR"):
        from bot.sim import record

        record.init_app(app)
    return app
