"""A guardian acts in their own chat: consent requests that span two followers (docs/family.md).

Rule: sans-Flask; may import `bot.family`, `bot.outbound` and the leaves (`bot.store`'s KV and
outbox, `bot.clock`, `bot.protocol`) and `flows`; never `bot.window`, `bot.dialogue` (the
dialogue is handed the desk, never the other way), `bot.app`, `bot.server` or `bot.sim`.
State lives in the store's KV only (shared by every instance): one request record, one
decision record written with set-if-absent, and the decision applied to each follower
idempotently, so a retry, a second instance or a restart re-applies and never doubles.
"""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.family.desk import DAY, FamilyDesk
from bot.family.records import Records
from bot.family.sweeper import Sweeper
from bot.family.tell import Tell, sender
from bot.store import Outbox
from bot.store.kv import KV
from flows.catalog import Catalog
from flows.port import Backend

__all__ = ["FamilyDesk", "Sweeper", "make_family", "sender"]


def make_family(cfg: dict[str, Any], kv: KV, outbox: Outbox, catalog: Catalog,
                backend: Backend, clock: Clock, wake: Any) -> FamilyDesk:
    """The desk, its records kept a day past the longest wait (so a late look still finds
    the decision)."""
    wait = cfg["BOT_CONSENT_WAIT"]
    return FamilyDesk(Records(kv, keep=wait + DAY), Tell(outbox, catalog), backend, clock,
                      wait=wait, wake=wake, max_members=cfg["BOT_FAMILY_MAX_MEMBERS"])
