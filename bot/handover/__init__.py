"""A person when the bot is not enough: the hand-over state, its routing rules and its parts."""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.handover.hours import ServiceHours, parse_hours
from bot.handover.notes import Note, Notes
from bot.handover.online import Online, OnlineAgents
from bot.handover.state import (
    AFTER_HOURS,
    LEAVING,
    NOBODY_ONLINE,
    NONE,
    TRANSFER,
    TRANSFER_BLIND,
    WAITING,
    WITH_AGENT,
    Decision,
    HandOver,
    Status,
)
from bot.store.kv import KV

__all__ = ["AFTER_HOURS", "LEAVING", "NOBODY_ONLINE", "NONE", "TRANSFER", "TRANSFER_BLIND",
           "WAITING", "WITH_AGENT", "Decision", "HandOver", "Note", "Notes", "Online",
           "OnlineAgents", "ServiceHours", "Status", "make_handover", "parse_hours"]


def make_handover(cfg: dict, kv: KV, clock: Clock, platform: Any | None) -> HandOver:
    """The hand-over as the settings describe it (bot/app.py builds one per app)."""
    fetch = platform.online_agents if platform is not None else None
    return HandOver(kv, clock, OnlineAgents(fetch, kv, cfg["BOT_KF_ONLINE_CACHE"]),
                    ServiceHours(cfg.get("BOT_SERVICE_HOURS")), Notes(kv, clock),
                    remind_every=cfg["BOT_KF_REMIND_EVERY"])
