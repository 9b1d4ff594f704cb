"""The Flask factory: reads config, builds the long-lived parts once, wires the blueprints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify

from bot import webhook
from bot.clock import Clock
from bot.config import load_config
from bot.courier import Courier, Send, no_client, post_to
from bot.engine import Engine
from bot.protocol import Codec, Inbound
from bot.sqlitedb import private_dir
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
    courier: Courier | None = None
    before_message: list[Callable[[Inbound], None]] = field(default_factory=list)
    after_message: list[Callable[[Inbound, str], None]] = field(default_factory=list)

    @property
    def catalog(self) -> Catalog:
        """The engine's catalog: one place to switch the reply language."""
        return self.engine.catalog

    def close(self) -> None:
        self.engine.close()
        if self.courier is not None:
            self.courier.close()
        self.store.close()
        getattr(self.backend, "close", lambda: None)()


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
    courier = Courier(store.outbox, _sender(cfg.get("OUTBOUND_SEND"))).start()
    engine = Engine(store, catalog, cfg.get("FLOWS") or ALL_FLOWS, backend=backend,
                    clock=clock, session_ttl=cfg["BOT_SESSION_TTL"],
                    deadline=cfg["BOT_REPLY_DEADLINE"], courier=courier)
    codec = Codec(cfg["WECHAT_TOKEN"], cfg["WECHAT_AES_KEY"], cfg["WECHAT_APP_ID"],
                  cfg["WECHAT_TIMESTAMP_TOLERANCE"], now=clock.now)
    app.extensions["wxbot"] = Bot(cfg, clock, store, backend, codec, engine, courier)

    webhook.init_app(app)
    app.add_url_rule("/healthz", "healthz", lambda: jsonify(
        status="ok", store=cfg["BOT_STORE"].split(":", 1)[0], backend=cfg["BOT_BACKEND"],
        simulator=cfg["BOT_SIMULATOR"], lang=app.extensions["wxbot"].catalog.lang))
    if cfg["BOT_SIMULATOR"]:
        from bot.sim import web

        web.init_app(app)
    if cfg.get("BOT_RECORD_DIR"):
        from bot.sim import record

        record.init_app(app)
    return app


def _sender(setting: Any) -> Send:
    """OUTBOUND_SEND as a callable; until the platform client is wired, `no_client`."""
    if callable(setting):
        return setting
    if isinstance(setting, str) and setting.startswith(("http://", "https://")):
        return post_to(setting)
    return no_client
