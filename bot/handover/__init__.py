"""A person when the bot is not enough: the hand-over state, its routing rules and its parts.

Rule: sans-Flask; may import `bot.protocol`, `bot.store`, `bot.platform`, `bot.clock` and
`bot.config`; never `bot.window`, `bot.server` or `bot.sim` (the dialogue calls in here, the
simulator plays the platform's side of it over HTTP).
"""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.config import ConfigError
from bot.handover.hours import ServiceHours, parse_hours
from bot.handover.notes import Note, Notes
from bot.handover.online import Online, OnlineAgents
from bot.handover.state import (
    AFTER_HOURS,
    BACK,
    JOINED,
    LEAVING,
    NOBODY_ONLINE,
    NONE,
    RELEASE,
    RELEASING,
    TRANSFER,
    TRANSFER_BLIND,
    WAITING,
    WITH_AGENT,
    Decision,
    HandOver,
    Status,
)
from bot.store.kv import KV

__all__ = ["AFTER_HOURS", "BACK", "JOINED", "LEAVING", "NOBODY_ONLINE", "NONE", "RELEASE",
           "RELEASING", "TRANSFER", "TRANSFER_BLIND", "WAITING", "WITH_AGENT", "Decision",
           "HandOver", "Note", "Notes", "Online", "OnlineAgents", "ServiceHours", "Status",
           "make_handover", "parse_hours"]


def make_handover(cfg: dict, kv: KV, clock: Clock, platform: Any | None) -> HandOver:
    """The hand-over as the settings describe it (bot/app.py builds one per app)."""
    fetch = platform.online_agents if platform is not None else None
    try:
        hours = ServiceHours(cfg.get("BOT_SERVICE_HOURS"))
    except ValueError as exc:  # a setting that cannot work: one line naming it and the fix
        raise ConfigError(str(exc)) from None
    return HandOver(kv, clock, OnlineAgents(fetch, kv, cfg["BOT_KF_ONLINE_CACHE"]),
                    hours, Notes(kv, clock),
                    remind_every=cfg["BOT_KF_REMIND_EVERY"])
