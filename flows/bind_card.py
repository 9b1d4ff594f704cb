"""Bind a social-security card to this WeChat account (docs/architecture.md, "Flow steps").

ID number -> name -> card number -> adult: code to the holder's phone / minor: the guardian's ID
number, then the guardian's 同意 in their own chat (flows/consent.py: when they follow this
account with their own card bound) or the code to the guardian's phone -> bound. The code (or
the guardian's answer) is the confirmation, so the binding is made the moment it checks out.
"""

from __future__ import annotations

from flows.base import Flow, ask, branch, outcome_is
from flows.consent import STATES as CONSENT_STATES
from flows.consent import GuardianInChat, await_step
from flows.ids import mask_card
from flows.pause import PAUSED
from flows.port import BackendError
from flows.reading import heard, unread
from flows.verify import (
    ASK_GUARDIAN,
    CODE_LOCKED,
    Verification,
    ask_code,
    ask_id,
    ask_name,
    code_sent,
    code_step,
)

CODE_LENGTH = 6  # the SMS code's and the service password's length: never a card number

SENT = code_sent(no_phone="no_phone")
REFUSED = {"card_lost": "card_lost", "card_frozen": "card_frozen", "card_bound": "card_bound"}


class BindCard(GuardianInChat, Verification, Flow):
    """Who (ID + name), which card, then proof by SMS from the holder or their guardian."""

    name, title, keywords, menu_key = "bind_card", "bind.title", "bind_card", "BIND_CARD"
    initial, purpose, guardian_purpose = "ask_id", "bind", "consent"
    states = [
        ask_id("bind"),
        ask_name(),
        {"name": "ask_card", "prompt": "bind.ask_card", "help": "bind.help_card",
         "read": "read_card", "role": "card"},
        ASK_GUARDIAN,
        ask_code(),
        {"name": "bound", "on_enter": ["announce"], "final": True},
        {"name": "account_bound", "prompt": "bind.account_bound", "final": True},
        {"name": "card_bound", "prompt": "bind.card_bound", "final": True},
        {"name": "card_lost", "prompt": "bind.card_lost", "final": True},
        {"name": "card_frozen", "prompt": "bind.card_frozen", "final": True},
        {"name": "no_phone", "prompt": "common.no_phone", "final": True},
        CODE_LOCKED,
        PAUSED,
        *CONSENT_STATES,
    ]
    transitions = [
        *ask("ask_id", "ask_name"),
        *ask("ask_name", "ask_card"),
        *ask("ask_card", [*branch("ask_card", {**SENT, "minor": "ask_guardian"}, before="keep"),
                          *branch("ask_card", REFUSED)]),
        *ask("ask_guardian", branch("ask_guardian", {**SENT, "asked": "await_guardian"},
                                    before="keep")),
        *await_step(SENT),
        *code_step({"bound": "bound", "account_bound": "account_bound", **REFUSED,
                    "phone_lost": "no_phone"}),
    ]
    is_bound, is_account_bound = outcome_is("bound"), outcome_is("account_bound")
    is_card_lost, is_card_frozen = outcome_is("card_lost"), outcome_is("card_frozen")
    is_card_bound = outcome_is("card_bound")

    def start(self) -> None:
        """An account holds one card: say so before asking anything."""
        if self.mention_binding():
            self.state = "account_bound"
        super().start()

    def mention_binding(self) -> bool:
        """Note this account's card (masked) for the refusal; True when there is one."""
        card = self.backend.binding(self.turn.openid)
        if card is not None:
            self.slots["bound_card"] = mask_card(card.card_number)
        return card is not None

    def read_code(self, text: str) -> str | None:
        """The card bound to this follower already (the step was cut off after the binding,
        before it was saved) is the binding done: finish it, rather than ask for a code again."""
        card = self.backend.binding(self.turn.openid)
        if card is not None and card.card_number == self.slots.get("card"):
            self.outcome = "bound"
            return None
        return super().read_code(text)

    def read_card(self, text: str) -> str | None:
        """The holder's own card; an unknown card and someone else's read the same. A message
        with no card number in it is asked again, never called a mismatch."""
        slot = heard(self.turn, "card", text)
        if slot is None:
            return unread("card", text, "bind.card_expected")
        self.value = slot.value
        card = self.backend.card(self.value)
        if card is None and self.value.isdigit() and len(self.value) == CODE_LENGTH:
            return "bind.card_not_code"  # a code or a password typed a step early: no try
        if card is None or card.holder != self.slots["id"]:
            return "bind.card_mismatch"
        self.slots["card_masked"] = mask_card(card.card_number)
        if card.status != "active":
            self.outcome = f"card_{card.status}"
        elif card.bound_openid is not None:
            self.outcome = "card_bound"
        elif not self.adult(self.slots["id"]):
            self.outcome = "minor"
        else:
            self.send_code(self.slots["id"])
        return None

    def verified(self) -> str:
        """Bind now, recording the guardian's consent when it was the guardian's code."""
        guardian = self.slots.get("guardian")
        try:
            self.backend.bind(self.slots["card"], self.turn.openid, guardian=guardian)
        except BackendError as refused:
            if refused.code not in ("account_bound", *REFUSED):
                raise  # e.g. unavailable: the engine says so and keeps the step for a retry
            if refused.code == "account_bound":
                self.mention_binding()
            return refused.code
        return "bound"

    def announce(self, _: object) -> None:
        """Confirm the binding, and for a minor that the guardian's consent went with it."""
        self.turn.say("bind.bound", **self.slots)
        if self.slots.get("guardian"):
            self.turn.say("bind.consent_recorded")
