"""A minor's bind asks the guardian in the guardian's own chat (docs/family.md).

When the guardian on record follows this account with their own card bound, the request goes
to their chat (the bot's family desk sends it) instead of a code to their phone. The minor's
step then only says where things stand: the guardian's answer binds the card there and then,
and the minor is told through the API, so nothing here binds. "改用短信验证" drops the
request and sends the code to the guardian's phone, as the SMS path always did; so does a
guardian the platform cannot reach in chat. "取消", or starting another service, withdraws it
too: the dialogue owns those words (bot/dialogue/guardian.py) and hands the step its cancel word,
so the bind ends by its own transition (guardian_withdrawn) and says so; a request withdrawn
by a turn that never saved (a crash after the decision) ends the bind the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.base import StateSpec, Turn, ask, branch, outcome_is
from flows.ids import mask_name
from flows.port import Backend, ConsentAsk, Purpose

STATES: list[StateSpec] = [
    {"name": "await_guardian", "prompt": "consent.await", "help": "consent.help_await",
     "read": "read_guardian_answer", "role": "confirm", "reads_ack": True,
     "waits": True},  # "how long do i have to wait", "好了没": the step says where it stands
    {"name": "guardian_consented", "prompt": "consent.minor_consented", "final": True},
    {"name": "guardian_refused", "prompt": "consent.minor_refused", "final": True},
    {"name": "guardian_expired", "prompt": "consent.minor_expired", "final": True},
    {"name": "guardian_withdrawn", "prompt": "consent.minor_withdrawn", "final": True},
]
DECIDED = {"yes": "consented", "no": "refused", "expired": "expired", "gone": "expired",
           "withdrawn": "withdrawn"}
TO_SMS = ("sms", "unreachable")


def await_step(sent: dict[str, str]) -> list[dict]:
    """Waiting for the guardian: a decision ends it, SMS goes on to the code, else wait on."""
    outcomes = {"consented": "guardian_consented", "refused": "guardian_refused",
                "expired": "guardian_expired", "withdrawn": "guardian_withdrawn", **sent}
    return ask("await_guardian", branch("await_guardian", outcomes), tries=False)


class GuardianInChat:
    """Mixin (before Verification) for the bind: reach a guardian in their chat when one can."""

    turn: Turn
    slots: dict[str, Any]
    outcome: str
    backend: Backend
    effect_key: Callable[[], str]  # Flow's
    send_code: Callable[..., None]  # Verification's
    guardian_purpose: Purpose | None
    is_asked, is_consented = outcome_is("asked"), outcome_is("consented")
    is_refused, is_expired = outcome_is("refused"), outcome_is("expired")
    is_withdrawn = outcome_is("withdrawn")

    def reach_guardian(self, guardian: str) -> None:
        desk = self.turn.family
        openid = self.guardian_chat(guardian) if desk is not None else None
        if desk is None or openid is None:
            super().reach_guardian(guardian)  # type: ignore[misc]  # Verification's: SMS
            return
        minor = self.backend.person(self.slots["id"])
        request = ConsentAsk(self.effect_key() + ":ask", self.turn.openid, openid,
                             self.slots["card"], self.slots["id"], guardian,
                             mask_name(minor.name) if minor else "**")
        self.slots.update(request=desk.ask(request), minutes=desk.minutes)
        self.outcome = "asked"

    def guardian_chat(self, guardian: str) -> str | None:
        """The guardian's own chat: the account their active card is bound to, if any."""
        for card in self.backend.cards_of(guardian):
            if card.bound_openid and card.status == "active" \
                    and card.bound_openid != self.turn.openid:
                return card.bound_openid
        return None

    def read_guardian_answer(self, text: str) -> str | None:
        """Any message while waiting looks at the request; 改用短信验证 drops it for a code,
        取消 takes it back (a decision the guardian's may have beaten: the one that holds ends
        the step; one that had gone to SMS is simply over, no code is sent)."""
        desk, rid = self.turn.family, self.slots.get("request", "")
        command = self.turn.catalog.command(text)
        if command == "cancel":
            state = desk.withdraw(rid, "withdrawn") if desk is not None else "withdrawn"
            self.outcome = DECIDED.get(state, "withdrawn")
            return None
        if desk is None:
            state = "sms"  # the bot no longer asks in chat: carry on by SMS
        elif command == "use_sms":
            state = desk.withdraw(rid)
        else:
            state = desk.status(rid)
        if state in TO_SMS:
            self.send_code(self.slots["guardian"], self.guardian_purpose, guardian=True)
            return None
        if state == "waiting":
            return "consent.still_waiting"
        self.outcome = DECIDED[state]
        return None
