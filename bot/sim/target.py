"""The bot a replay or chat talks to, in process or over HTTP: one small interface for both."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from bot.sim.delivery import Delivery
from bot.sim.fixture_steps import PLACEHOLDER

DEV_TOKEN = "dev-token"
DEV_AES_KEY = "wxbotSimulatorDevKey0123456789abcdefghijklm"  # 43 chars; in-process only
DEV_APP_ID = "wx0000000000sim0"
MODES = ("plaintext", "compat", "safe")


class TargetError(RuntimeError):
    """The bot (or its simulator API) could not do what a step needs; the message says why."""


class SkipFixture(Exception):
    """This target cannot run the fixture at all (e.g. the server speaks another language)."""


class Target(Protocol):
    """What replay and chat need: talk, read the mock's SMS, move time, inspect, review."""

    where: str  # "in process" or the URL, for reports

    def openid(self, openid: str) -> str:
        """The openid actually used for a fixture's openid (fresh per run over HTTP)."""
        ...

    def send(self, kind: str, user: str, fields: dict[str, Any]) -> Delivery: ...

    def sms(self, phone: str) -> list[dict[str, Any]]:
        """The mock's outbox for `phone`, oldest first."""
        ...

    def advance(self, seconds: float) -> None:
        """Move the bot's clock forward."""
        ...

    def state(self, user: str) -> dict[str, Any] | None:
        """The user's session as {"flow", "state"}, or None when there is none."""
        ...

    def decide_review(self, user: str, approve: bool) -> str:
        """Decide `user`'s latest pending review; returns its reference."""
        ...

    def set_card_status(self, card_number: str, status: str) -> None:
        """Change a card's status in the mock backend (reported lost, frozen...)."""
        ...

    def bind_card(self, card_number: str, openid: str) -> None:
        """Bind a card to `openid` behind the conversation's back."""
        ...

    def arm_faults(self, delay: float, times: int) -> None:
        """The mock backend's next `times` calls take `delay` seconds longer."""
        ...

    def close(self) -> None: ...


def latest_code(target: Target, phone: str) -> str:
    """The latest code the mock texted to `phone`; a TargetError when it sent none."""
    outbox = target.sms(phone)
    if not outbox:
        raise TargetError(f"no SMS was sent to {phone}")
    return str(outbox[-1]["code"])


def fill_placeholders(text: str, target: Target, openid_of: Callable[[str], str]) -> str:
    """`{sms:PHONE}`, `{wrong_sms:PHONE}` and `{user:ALIAS}` replaced, read from the target now."""

    def value(match: re.Match[str]) -> str:
        kind, arg = match.group(1), match.group(2).strip()
        if kind == "sms":
            return latest_code(target, arg)
        if kind == "wrong_sms":
            return f"{(int(latest_code(target, arg)) + 1) % 10**6:06d}"
        return openid_of(arg)

    return PLACEHOLDER.sub(value, text)


def reply_of(delivery: Delivery) -> str | None:
    """What the follower sees: the text, None for `success`/empty, or a note for other kinds."""
    if not delivery.reply:
        return None
    if delivery.reply.get("MsgType") == "text":
        return delivery.text
    return f"<{delivery.reply.get('MsgType')} reply>"


def pending_ref(reviews: list[dict[str, Any]], user: str) -> str:
    """The reference of the latest pending review among `reviews` (dicts with ref, status)."""
    pending = [r for r in reviews if r.get("status") == "pending"]
    if not pending:
        raise TargetError(f"{user} has no pending review to decide")
    return str(pending[-1]["ref"])
