"""Forgot password: verify identity by SMS, then set a new one (docs/architecture.md, "Flow steps").

ID number -> name -> adult: code to the holder's phone / minor: the guardian's ID number, code to
the guardian's phone -> new 6-digit password -> the same again -> done. Where no code can reach
the holder (no phone on record, or the phone is no longer theirs), a short reason opens an
offline review instead, whose progress `查询进度` shows.
"""

from __future__ import annotations

import re
from typing import Any

from flows.base import DONE, FAILED, Flow, ask, branch, outcome_is
from flows.ids import birth_date
from flows.passwords import matches, seal, weakness
from flows.pause import PAUSED
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

SENT = code_sent(no_phone="ask_reason")
WHY = {"no_phone": "reset.why_no_phone", "phone_lost": "reset.why_phone_lost"}
REASON_MAX = 200
# numbers a reason must not carry: a code typed by mistake ("618009" was stored as one) or an
# ID, card or phone number; a year or an age is no such number
NUMBERS = re.compile(r"\d{6,}|[A-Za-z]\d{8}")


class ForgotPassword(Verification, Flow):
    """Who (ID + name), proof by SMS (holder, or guardian of a minor), then the new password."""

    name, title, keywords = "forgot_password", "reset.title", "forgot_password"
    menu_key, initial, purpose = "FORGOT_PASSWORD", "ask_id", "reset"
    states = [
        ask_id("reset"),
        ask_name(read="read_holder"),
        ASK_GUARDIAN,
        ask_code(help="reset.help_code"),
        {"name": "ask_password", "prompt": "reset.ask_password", "help": "reset.help_password",
         "again": "reset.ask_password_again", "read": "read_password", "role": "password",
         "way_out": "reset.way_out"},  # a new password is made up, not found
        {"name": "ask_confirm", "prompt": "reset.ask_confirm", "help": "reset.help_confirm",
         "read": "read_confirm", "role": "confirm", "why": "reset.why_confirm",
         "way_out": "reset.way_out"},
        {"name": "ask_reason", "prompt": "reset.ask_reason", "help": "reset.help_reason",
         "read": "read_reason", "role": "reason", "on_enter": ["explain"]},
        {"name": DONE, "on_enter": ["announce"], "final": True},
        {"name": "review_opened", "prompt": "reset.review_opened", "final": True},
        {"name": "no_card", "prompt": "reset.no_card", "final": True},
        CODE_LOCKED,
        PAUSED,
    ]
    transitions = [
        *ask("ask_id", "ask_name"),
        *ask("ask_name", branch("ask_name", {**SENT, "minor": "ask_guardian",
                                             "no_card": "no_card"}, before="keep")),
        *ask("ask_guardian", branch("ask_guardian", SENT, before="keep")),
        *code_step({"verified": "ask_password", "phone_lost": "ask_reason"}),
        *ask("ask_password", "ask_confirm"),
        # A second entry that differs sends the user back to choose the password again.
        {"trigger": "answer", "source": "ask_confirm", "dest": DONE, "conditions": "is_accepted"},
        {"trigger": "answer", "source": "ask_confirm", "dest": FAILED,
         "conditions": "is_out_of_tries"},
        # No password in the message at all: ask for the same again, not a new one.
        *branch("ask_confirm", {"again": "ask_confirm"}, before="complain"),
        {"trigger": "answer", "source": "ask_confirm", "dest": "ask_password",
         "before": "complain"},
        *ask("ask_reason", "review_opened"),
    ]
    is_verified, is_no_card = outcome_is("verified"), outcome_is("no_card")
    is_again = outcome_is("again")

    def read_holder(self, text: str) -> str | None:
        """The name, then where proof comes from: the holder's phone, or a guardian's."""
        error = self.read_name(text)
        if error:
            return error
        holder = self.slots["id"]
        if not self.backend.cards_of(holder):
            self.outcome = "no_card"
        elif not self.adult(holder):
            self.outcome = "minor"
        else:
            self.send_code(holder)
        return None

    def read_password(self, text: str) -> str | None:
        """A strong new password, kept only as a salted digest until it is typed again."""
        slot = heard(self.turn, "password", text)
        if slot is None:  # no 6 digits in it (or two different sets): the rule, said again
            self.value = None
            return unread("password", text, "reset.pw_format")
        password = slot.value
        problem = weakness(password, birth_date(self.slots["id"]))
        if problem is None and self.backend.password_is(self.slots["id"], password):
            problem = "reset.pw_current"
        self.value = None if problem else seal(password)
        return problem

    def read_confirm(self, text: str) -> str | None:
        """The same again sets it; a different one means choosing again; no password in the
        message at all is asked for again, never called a different one."""
        slot = heard(self.turn, "confirm", text)
        if slot is None:
            self.outcome = "again"
            return unread("confirm", text, "reset.confirm_expected")
        password = slot.value
        if not matches(password, self.slots.pop("password", "")):
            return "reset.pw_mismatch"
        self.backend.set_password(self.slots["id"], password, key=self.effect_key())
        return None

    def read_reason(self, text: str) -> str | None:
        """A short reason opens the offline review; its reference is what the user keeps."""
        reason = " ".join(text.split())
        if not reason or len(reason) > REASON_MAX:
            return "reset.reason_length"
        if NUMBERS.search(reason):  # a code, an ID, a phone or a card number: staff read the
            return "reset.reason_private"  # reason, so it is refused and never stored
        self.slots["ref"] = self.backend.open_review(self.slots["id"], self.turn.openid, reason).ref
        self.value = len(reason)  # the reason itself stays with the review, not the session
        return None

    def announce(self, _: Any) -> None:
        """The new password holds; a card that cannot be used anyway is said too: a blind
        tester's frozen card was "密码重置成功" only, and she would have gone to the hospital
        with a card that did not work."""
        self.turn.say("reset.done")
        statuses = {card.status for card in self.backend.cards_of(self.slots["id"])}
        if "active" not in statuses and statuses & {"frozen", "lost"}:
            self.turn.say("reset.card_frozen" if "frozen" in statuses else "reset.card_lost")

    def explain(self, _: Any) -> None:
        """Why it comes to a review, said once when the review step is first reached."""
        if self.outcome in WHY:
            self.turn.say(WHY[self.outcome])
