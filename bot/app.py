"""The Flask factory: reads config, builds the long-lived parts once, hands each what it needs.

The composition root: every part gets its collaborators in its constructor here, and is
started here; no part builds, starts or patches another. The simulator is not imported: it
mounts itself through `bot.config.SIMULATOR` (bot/sim/mount.py).
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from flask import Flask

from bot.clock import Clock
from bot.config import SIMULATOR, SUBSCRIBE_SETTINGS, ConfigError
from bot.dialogue.answers import Answers
from bot.dialogue.conversation import Conversation
from bot.family import Sweeper, make_family
from bot.family import sender as family_sender
from bot.handover import make_handover
from bot.handover.state import HandOver
from bot.metrics import TimedBackend
from bot.outbound.courier import Courier, Send, no_client, post_to
from bot.outbound.deferred import Deferred
from bot.outbound.grants import Grants
from bot.outbound.notices import Notices
from bot.outbound.notify import Notifier
from bot.parts import EXTENSION, Bot, bot_of, current_bot
from bot.platform import PlatformAPI, make_platform
from bot.protocol import Codec
from bot.server import health, probes, webhook
from bot.settings import Settings, load_settings
from bot.sqlitedb import private_dir
from bot.store import open_store
from bot.store.kv import KV, open_kv
from bot.store.pauses import KVPauses
from bot.store.sealed import sealed
from bot.store.sealer import Sealer, SealError
from bot.window.engine import Engine
from bot.window.rescue import Rescue
from bot.window.workers import Window
from flows.catalog import Catalog
from flows.language import Understander
from flows.regions import region
from flows.registry import ALL_FLOWS

__all__ = ["Bot", "bot_of", "create_app", "current_bot"]  # Bot and its accessors: bot/parts.py
log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` uses the same names as the environment (see bot/config.py).

    Beyond the contract names, tests may pass CLOCK (a bot.clock.Clock), FLOWS (flow classes),
    CATALOG (a flows.catalog.Catalog), BACKEND (a ready Backend object), OUTBOUND_SEND
    (where owed replies go: a callable taking the customer-service body, or an http:// URL) and
    THROWAWAY_STORE (replay's in-process apps: their memory:// store goes with the run, so the
    warnings about what it keeps and where would only be noise; serve and demo still say them).
    """
    settings = load_settings(config)
    cfg = dict(settings.config)
    app = Flask(__name__)
    app.config.from_mapping(cfg)
    clock = cfg.get("CLOCK") or Clock()
    private_dir(cfg["BOT_DATA_DIR"])
    _warn_if_open(cfg["BOT_DATA_DIR"])
    backend = cfg.get("BACKEND")
    if backend is None:
        from bot.backend import SeedError, make_backend, seed_refusal

        try:
            backend = make_backend(cfg, clock)
        except SeedError as exc:  # one line naming the file and the line, not a traceback
            raise ConfigError(seed_refusal(exc)) from None
    catalog = cfg.get("CATALOG") or Catalog(cfg["BOT_LANG"])
    store = sealed(open_store(settings.store, clock), _sealer(cfg["BOT_STORE_KEY"]))
    throwaway = bool(cfg.get("THROWAWAY_STORE")) and not settings.store.shared
    if not throwaway:
        _say_what_is_stored(settings)
    if not settings.store.shared and not throwaway:
        log.warning("BOT_STORE=memory:// keeps conversations in this process only: run one "
                    "process (several workers would each see their own), and expect to lose "
                    "them on restart")
    if settings.lost_late_replies and settings.allow_lost_late_replies:
        log.warning("%s (allowed by BOT_ALLOW_LOST_LATE_REPLIES)", settings.lost_late_replies)
    platform = make_platform(cfg, clock)  # lazy: nothing opens before the first call
    bell = threading.Event()  # rung by whoever owes a message; the courier looks at once
    # Small shared records, one connection for all; memory:// keeps them in the store itself,
    # which reads and marks them within a turn's steps (the others share its file or server).
    kv = getattr(store, "kv", None) or open_kv(settings.store, clock)
    deferred = Deferred(kv, reply_ttl=cfg["BOT_SESSION_TTL"])  # outcomes said first next turn
    notices = Notices(store.outbox, catalog, clock, deferred, cfg.get("WECHAT_TEMPLATE_REVIEW"),
                      wake=bell.set)
    notices.listen(getattr(backend, "on_decision", None))  # review outcomes: notices.py
    grants = Grants(kv)  # subscribe-notice grants, as the platform's pushes report them
    family = make_family(cfg, kv, store.outbox, catalog, backend, clock, bell.set)
    conversation = Conversation(catalog, cfg.get("FLOWS") or ALL_FLOWS,
                                Understander.shared(), answers=Answers(),
                                handover=make_handover(cfg, kv, clock, platform),
                                family=family,  # guardians asked in their own chat
                                grants=grants, pauses=KVPauses(kv, clock))
    engine = Engine(store, conversation, backend=TimedBackend(backend),  # latency: /metrics
                    clock=clock, window=Window(store), session_ttl=cfg["BOT_SESSION_TTL"],
                    deadline=cfg["BOT_REPLY_DEADLINE"], deferred=deferred, wake=bell.set,
                    region=region(cfg["BOT_REGION"]))  # the card rules loss replies state
    rescue = Rescue(store, clock, cfg["BOT_SESSION_TTL"], redo=engine.queue)
    override = cfg.get("OUTBOUND_SEND")  # when set, templates go there too
    custom = family_sender(_sender(override, platform), family.unreachable)  # else SMS
    api = None if override else platform
    notifier = Notifier(custom, api, grants, {kind: cfg[name] for kind, name in
                                              SUBSCRIBE_SETTINGS.items() if cfg.get(name)})
    send = notices.sender(custom, api, notifier)  # the one channel choice: notify.py
    courier = Courier(store.outbox, send, check=rescue.check, woken=bell,
                      keep=deferred.keep).start()  # a reply refused for good: said next turn
    # Real time, never `clock`: the simulator moves its clock, and that must not move the check.
    codec = Codec(cfg["WECHAT_TOKEN"], cfg["WECHAT_AES_KEY"], cfg["WECHAT_APP_ID"],
                  cfg["WECHAT_TIMESTAMP_TOLERANCE"], mode=cfg["WECHAT_MODE"])
    app.extensions[EXTENSION] = Bot(cfg, clock, store, backend, codec, engine, courier,
                                    platform=platform, rescue=rescue, family=family,
                                    notifier=notifier)
    app.extensions[EXTENSION].on_close.append(Sweeper(family).start().close)  # expiries
    app.extensions[EXTENSION].forget.append(_forgetting(kv))

    webhook.init_app(app)
    health.init_app(app)
    probes.init_app(app)
    if cfg["BOT_SIMULATOR"] or cfg.get("BOT_RECORD_DIR"):
        import_module(SIMULATOR).mount(app)  # the one hook: bot/sim/mount.py
    return app


def _sealer(keys: str | None) -> Sealer | None:
    """BOT_STORE_KEY's sealer, checked before any store opens; a bad key stops the start."""
    try:
        return Sealer(keys) if keys else None
    except SealError as exc:
        raise ConfigError(str(exc)) from None


def _say_what_is_stored(settings: Settings) -> None:
    """At start, what the store keeps of what followers typed, and how (docs/security.md)."""
    if settings.config["BOT_STORE_KEY"]:
        log.info("store %s: session slots, owed pushes, replies and owed sends are encrypted "
                 "with BOT_STORE_KEY", settings.store.kind)
        return
    log.warning("BOT_STORE_KEY is not set: while a conversation runs, %s keeps its slots (ID "
                "numbers, names, card numbers), the raw push of an owed turn (whatever was "
                "typed) and the replies in clear, until the session ends (SQLite's WAL and "
                "Redis's dumps may keep them longer). Set BOT_STORE_KEY to encrypt them",
                settings.store.kind)


def _warn_if_open(data_dir: str) -> None:
    """A data directory made here is 0700; an existing one is the operator's to change."""
    mode = stat.S_IMODE(os.stat(data_dir).st_mode)
    if mode & 0o077:
        log.warning("BOT_DATA_DIR %s is mode %04o: other users of this machine may read the "
                    "store's files; `chmod 700` it (it is left as found)", data_dir, mode)


def _sender(setting: Any, platform: PlatformAPI | None) -> Send:
    """Where owed replies go: OUTBOUND_SEND (tests), else the account's customer-service API.

    Without an AppID and AppSecret there is no API to call: `no_client` keeps the messages
    failed and logged, so configuring the account later is the fix the log names.
    """
    if callable(setting):
        return setting
    if isinstance(setting, str) and setting.startswith(("http://", "https://")):
        return post_to(setting)
    return platform.send if platform is not None else no_client


def _forgetting(kv: KV) -> Callable[[str], None]:
    """Drop a follower's records beside their session: the simulator's reset starts them over
    (a hand-over still "waiting" kept every message going to the queue after 全部重置)."""
    keys = (HandOver.key, HandOver.withdrew_key, KVPauses.key, Deferred.key, Deferred.said_key)

    def forget(openid: str) -> None:
        for key in keys:
            kv.delete(key(openid))

    return forget
