"""The bot a replay or chat talks to, in process or over HTTP: one small interface for both."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from bot.config import DEV_TOKEN as DEV_TOKEN  # re-exported for the CLIs
from bot.sim.wire.delivery import Delivery
from bot.sim.wire.envelope import MODES as MODES  # the CLIs' --mode choices

DEV_AES_KEY = "wxbotSimulatorDevKey0123456789abcdefghijklm"  # 43 chars; in-process only
DEV_APP_ID = "wx0000000000sim0"
DEV_APP_SECRET = "dev0secret0the0simulators0mock0plays"  # in-process only, like the key


class TargetError(RuntimeError):
    """The bot (or its simulator API) could not do what a step needs; the message says why."""


class SkipRun(Exception):
    """This target cannot do the run at all (e.g. the server speaks another language)."""


@dataclass(frozen=True)
class RunSettings:
    """What a run asks of the bot before its first message: seed, language and day."""

    seed: Path | Mapping[str, Any] | None = None  # None: the default; a mapping: embedded
    lang: str | None = None  # None: zh_CN, the language the bot ships with
    today: date | None = None  # None: the real date in Shanghai
    reply_deadline: float | None = None  # None: the bot's own BOT_REPLY_DEADLINE


class Target(Protocol):
    """What replay and chat need: talk, read the mock's SMS, move time, inspect, review."""

    where: str  # "in process" or the URL, for reports
    reply_deadline: float | None  # the bot's BOT_REPLY_DEADLINE, None when it does not say

    def openid(self, openid: str) -> str:
        """The openid actually used for a script's openid (fresh per run over HTTP)."""
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

    def arm_api_fault(self, fault: dict[str, Any]) -> None:
        """The mock platform API's next calls fail or answer late (POST /sim/api/faults)."""
        ...

    def agent(self, action: str, user: str, text: str | None = None) -> None:
        """The mock's customer-service agent: take / say (`text`) / close `user`."""
        ...

    def agent_of(self, user: str) -> str:
        """The agent who has `user` now on the mock platform ("" for none)."""
        ...

    def subscribe(self, user: str, template: str, accept: bool) -> None:
        """`user` answers the subscribe-notice popup for `template` (a kind or an id)."""
        ...

    def pushed(self, user: str) -> list[dict[str, Any]]:
        """What reached `user` through the platform's API, oldest first ({"api", "body"})."""
        ...

    def sends_answered(self) -> int:
        """How many custom/template sends the mock platform took (refusals too), all users."""
        ...

    def close(self) -> None: ...


SENDS = ("custom", "template", "subscribe")  # the mock's counters of the APIs that reach a follower


def sends_in(counters: dict[str, Any]) -> int:
    """The sends the mock platform took (refusals too), from its counters (/sim/api/platform)."""
    return sum(int(counters.get(f"calls:{api}", 0)) for api in SENDS)


TRANSFER_SEEN = "<transfer_customer_service reply>"  # what reply_of makes of a transfer


def reply_of(delivery: Delivery) -> str | None:
    """What the follower sees: the text, None for `success`/empty, or a note for other kinds."""
    if not delivery.reply:
        return None
    if delivery.reply.get("MsgType") == "text":
        return delivery.text
    return f"<{delivery.reply.get('MsgType')} reply>"


def pushed_text(message: dict[str, Any]) -> str:
    """What the follower reads of one message sent through the API (like `reply_of`)."""
    body = message.get("body") or {}
    if message.get("api") in ("template", "subscribe"):  # the keywords' values, in order
        values = [str(v.get("value", "")) for v in (body.get("data") or {}).values()
                  if isinstance(v, dict)]
        return "\n".join(values)
    kind = body.get("msgtype")
    if kind == "text":
        return str((body.get("text") or {}).get("content", ""))
    return f"<{kind} message>"


def template_of(templates: list[dict[str, Any]], wanted: str) -> str:
    """The template id a subscribe step names (a notice kind, or an id), from
    /sim/api/subscriptions' list."""
    for template in templates:
        if wanted in (template.get("kind"), template.get("template_id")):
            return str(template["template_id"])
    raise TargetError(f"the account has no subscribe-notice template for {wanted!r} "
                      f"(WECHAT_SUBSCRIBE_REVIEW / WECHAT_SUBSCRIBE_GUARDIAN)")


def pending_ref(reviews: list[dict[str, Any]], user: str) -> str:
    """The reference of the latest pending review among `reviews` (dicts with ref, status)."""
    pending = [r for r in reviews if r.get("status") == "pending"]
    if not pending:
        raise TargetError(f"{user} has no pending review to decide")
    return str(pending[-1]["ref"])


TargetFactory = Callable[[RunSettings], AbstractContextManager[Target]]


def standing(session: dict | None) -> dict[str, Any] | None:
    """Where a follower's conversation stands — {flow, state, at} — or None: no session, an
    expired one (it keeps only when it ended), or a pending choice alone (no flow under way).
    The one reading for the page, `replay`, `chat` and the recorder."""
    if not session or session.get("expired") or not session.get("flow"):
        return None
    return {"flow": session["flow"], "state": session.get("state"), "at": session.get("at")}
