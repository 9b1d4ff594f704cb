"""The app's long-lived parts, and the one typed way to reach them (flaskr's get_db idea).

A leaf beside bot/app.py (which re-exports it) so the webhook, imported by the factory, can
reach the parts without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from flask import Flask, current_app

from bot.clock import Clock
from bot.family import FamilyDesk
from bot.outbound.courier import Courier
from bot.outbound.notify import Notifier
from bot.platform import PlatformAPI
from bot.protocol import Codec, Inbound
from bot.store import Store
from bot.window.engine import Engine
from bot.window.rescue import Rescue
from flows.catalog import Catalog
from flows.port import Backend

EXTENSION = "wxbot"  # the one key in app.extensions; read it only through bot_of/current_bot


@dataclass
class Bot:
    """Everything a request needs, built once per app (no module globals)."""

    config: dict
    clock: Clock
    store: Store
    backend: Backend
    codec: Codec
    engine: Engine
    courier: Courier | None = None  # sends what is owed through the platform's API
    before_message: list[Callable[[Inbound], None]] = field(default_factory=list)
    after_message: list[Callable[[Inbound, str], None]] = field(default_factory=list)
    on_close: list[Callable[[], None]] = field(default_factory=list)  # recorder, sim client...
    # what a follower leaves beside their session (a hand-over, a pause, notices owed), each
    # dropped for the simulator's reset: a queue left waiting once outlived 全部重置
    forget: list[Callable[[str], None]] = field(default_factory=list)
    platform: PlatformAPI | None = None  # the account's server API; None without AppID/secret
    rescue: Rescue | None = None  # judges owed turns for the courier (bot/window/rescue.py)
    family: FamilyDesk | None = None  # guardians' consent requests (bot/family), for the inspector
    notifier: Notifier | None = None  # a notice's channel after the window (outbound/notify.py)

    @property
    def catalog(self) -> Catalog:
        """The engine's catalog: one place to switch the reply language."""
        return self.engine.catalog

    def close(self) -> None:
        """Stop the threads first, then release what they used, the last plugged-in first.

        The turn workers and the courier may be inside the mock platform or the store; closing
        those under a running thread would pull a SQLite connection out from under it.
        """
        self.engine.close()
        if self.courier is not None:
            self.courier.close()
        for close in reversed(self.on_close):
            close()
        if self.platform is not None:
            self.platform.close()
        self.store.close()
        getattr(self.backend, "close", lambda: None)()


def bot_of(app: Flask) -> Bot:
    """The app's parts, typed (flaskr's get_db idea): for code holding the app, e.g. init_app."""
    return cast(Bot, app.extensions[EXTENSION])


def current_bot() -> Bot:
    """The parts of the app handling this request."""
    return bot_of(current_app)
