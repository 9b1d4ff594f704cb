"""What the simulator's inspector shows of a follower's session: masked as the bot masks.

Slots hold what the follower typed (ID numbers, names, card numbers); the inspector shows each
through the mask the bot itself uses in replies, and hides any slot it does not know, so a
new slot never leaks by default. Expiries are epoch seconds on the bot's clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.backend.codes import CODE_TTL, MAX_FAILURES
from flows.account import mask_name
from flows.ids import mask_card, mask_id

MASKS = {"id": mask_id, "guardian": mask_id, "code_owner": mask_id, "holder": mask_id,
         "card": mask_card,
         "name": mask_name, "password": lambda _: "(sealed digest)"}
SHOWN = {"phone", "card_masked", "holder_name", "bound_card", "retry_at", "wait", "attempts_left",
         "ref", "code_purpose"}
HIDDEN = "(hidden)"


def masked_slots(slots: dict[str, Any]) -> dict[str, str]:
    """Every slot but the bookkeeping ones, masked; unknown slots hidden."""
    shown = {}
    for key, value in slots.items():
        if key.startswith("_"):
            continue
        if key in MASKS:
            shown[key] = MASKS[key](str(value)) if value is not None else ""
        else:
            shown[key] = str(value) if key in SHOWN else HIDDEN
    return shown


def code_expiry(backend: Any, owner: str | None, purpose: str | None) -> float | None:
    """When the last code sent to `owner` for `purpose` stops working (from the mock's SMS)."""
    outbox, person = getattr(backend, "sms_outbox", None), getattr(backend, "person", None)
    if not (owner and purpose and outbox and person):
        return None
    found = person(owner)
    phone = getattr(found, "phone", None)
    sent = [m for m in outbox(phone) if m.get("purpose") == purpose] if phone else []
    return datetime.fromisoformat(sent[-1]["sent_at"]).timestamp() + CODE_TTL if sent else None


def flow_title(bot: Any, flow: Any) -> str | None:
    """The flow's name in the reply language ("绑定社保卡"), so the page never shows `bind_card`."""
    key = getattr(flow, "title", None)
    try:
        return bot.catalog.text(key) if key else None
    except KeyError:
        return None


def inspect(bot: Any, openid: str) -> dict[str, Any] | None:
    """The follower's flow, state, masked slots, tries left and expiries; None when idle."""
    session = bot.store.session(openid)
    if not session or not session.get("flow"):
        return None
    engine, state = bot.engine, session.get("state")
    flow = engine.flows.get(session["flow"])
    slots = session.get("slots") or {}
    spec = flow.specs.get(state, {}) if flow else {}
    misses = (slots.get("_misses") or {}).get(state, 0)
    at = float(session.get("at") or bot.clock.now())
    purpose = slots.get("code_purpose") or getattr(flow, "purpose", None)  # consent or own
    asking_code = state == "ask_code"
    return {
        "flow": session["flow"], "state": state, "at": at,
        "title": flow_title(bot, flow) or session["flow"],  # as the menu names it
        "slots": masked_slots(slots),
        "tries_left": (flow.max_tries - misses) if flow and spec.get("read") else None,
        "code_attempts_left": slots.get("attempts_left", MAX_FAILURES) if asking_code else None,
        "code_expires_at": code_expiry(engine.backend, slots.get("code_owner"), purpose)
        if asking_code else None,
        "session_expires_at": at + engine.session_ttl,
        "now": bot.clock.now(),
    }
