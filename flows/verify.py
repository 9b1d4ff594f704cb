"""Proving who is asking: ID numbers, a guardian for minors, and an SMS code to a phone on record.

Shared by the flows that act on someone's card (bind, reset, unbind). Readers decide every
outcome (code sent, no phone, locked, wrong code...) and transitions `branch` on it, so that
on_enter callbacks only ever speak. A send the backend refuses (too soon for this purpose, the
phone's daily cap) is an outcome of its own: the step it leads to says the refusal and the wait
instead of its usual "code sent to …" prompt (REFUSED_PROMPTS), so nothing claims a code that
never went out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from flows.base import StateSpec, Turn, ask, branch, outcome_is
from flows.ids import SHANGHAI, age_on, fold
from flows.language.normalise import simplified
from flows.language.slot_names import is_pinyin
from flows.pause import Pausing
from flows.port import Backend, CodeSent, Purpose
from flows.reading import code_missing, heard, id_in

# Entering it notes the lock for this follower, so the service says it up front next time.
CODE_LOCKED: StateSpec = {"name": "code_locked", "prompt": "common.code_locked", "final": True,
                          "on_enter": ["note_pause"]}
ASK_GUARDIAN: StateSpec = {"name": "ask_guardian", "prompt": "common.ask_guardian",
                "help": "common.help_guardian", "read": "read_guardian", "role": "guardian"}


def ask_id(flow: str) -> StateSpec:
    """The ID-number question, in the words of `flow`'s catalog section ("bind", "reset")."""
    return {"name": "ask_id", "prompt": f"{flow}.ask_id", "help": f"{flow}.help_id",
            "read": "read_id", "role": "id"}


def ask_name(read: str = "read_name") -> StateSpec:
    """The holder's-name question; `read` is the flow's reader of the answer."""
    return {"name": "ask_name", "prompt": "common.ask_name", "help": "common.help_name",
            "read": read, "role": "name"}


def ask_code(help: str = "common.help_code") -> StateSpec:  # noqa: A002 - the state's own key
    """The SMS-code question; `help` says what the code unlocks, where a flow says more."""
    return {"name": "ask_code", "prompt": "common.ask_code", "help": help, "read": "read_code",
            "role": "code"}


def code_sent(no_phone: str) -> dict[str, str]:
    """Where each answer to "send a code" leads; `no_phone`: the step when none can be sent."""
    return {"sent": "ask_code", "no_phone": no_phone, "locked": "code_locked",
            "too_soon": "ask_code", "capped": "code_locked"}


# (state entered, reason the send was refused) -> what is said instead of the state's prompt
REFUSED_PROMPTS = {("ask_code", "too_soon"): "common.code_not_sent",
                   ("code_locked", "capped"): "common.code_capped"}
# A code asked again after a wrong or unreadable one: no new code went out, so the step does
# not say "验证码已发送至…" again (it read as a fresh code to wait for)
CODE_AGAIN = ("common.code_wrong", "common.code_format", "common.code_expected",
              "common.ambiguous", "common.code_stale")


def code_step(outcomes: dict[str, str], state: str = "ask_code") -> list[dict]:
    """A code question: the reader's outcomes, a wrong/expired code asked again, else `ask`."""
    retry = branch(state, {"retry": state}, before="warn")
    stop = {"locked": "code_locked", "capped": "code_locked"}
    return ask(state, [*branch(state, {**outcomes, **stop}), *retry])


class Verification(Pausing):
    """Mixin (before Flow) of identity and SMS steps; subclasses say what a code unlocks."""

    purpose: ClassVar[Purpose]
    turn: Turn
    slots: dict[str, Any]
    value: Any
    error: str | None
    outcome: str
    effect_key: Callable[[], str]
    values: Callable[[], dict[str, Any]]  # Flow's: slots, title and start word
    is_sent, is_no_phone = outcome_is("sent"), outcome_is("no_phone")
    is_locked, is_retry = outcome_is("locked"), outcome_is("retry")
    is_phone_lost, is_minor = outcome_is("phone_lost"), outcome_is("minor")
    is_too_soon, is_capped = outcome_is("too_soon"), outcome_is("capped")
    guardian_purpose: ClassVar[Purpose | None] = None  # None: the flow's own purpose

    @property
    def backend(self) -> Backend:
        """The service the readers ask; a shorthand, since every step asks it."""
        return self.turn.backend

    def adult(self, id_number: str) -> bool:
        """18 or older today in Shanghai; the 18th birthday counts."""
        return age_on(id_number, self.turn.clock.today()) >= 18

    def read_id(self, text: str) -> str | None:
        """Any well-formed ID number: whether it is on record only shows at the name."""
        self.value, error = id_in(self.turn, "id", text)
        return error

    def read_name(self, text: str) -> str | None:
        """An unknown ID and a wrong name read the same, so nobody learns who is on record;
        but a message with no name in it is asked again, never called a mismatch."""
        slot = heard(self.turn, "name", text)
        if slot is None:
            return "common.name_expected"
        self.value = fold(slot.value)
        matches = self.backend.name_matches(self.slots["id"], self.value)
        if not matches and simplified(self.value) != self.value:  # "吳磊": records hold 吴磊
            self.value = simplified(self.value)
            matches = self.backend.name_matches(self.slots["id"], self.value)
        if not matches and is_pinyin(self.value):  # "zhang wei": the characters, please;
            return "common.name_in_han"  # asked again, no try (records hold 张伟)
        return None if matches else "common.mismatch"

    def read_guardian(self, text: str) -> str | None:
        """A guardian on record for the holder, and an adult; then a code to their phone."""
        self.value, error = id_in(self.turn, "guardian", text)
        if error:
            return error
        minor = self.slots["id"]
        if self.value == minor:  # a teenager typing their own number again
            return "common.guardian_is_holder"
        if not self.backend.guardian_relation(minor, self.value):
            return "common.not_guardian"
        if not self.adult(self.value):
            return "common.not_guardian"
        self.reach_guardian(self.value)
        return None

    def reach_guardian(self, guardian: str) -> None:
        """Ask the guardian for their consent: a code to their phone (bind may ask in chat)."""
        self.send_code(guardian, self.guardian_purpose, guardian=True)

    def send_code(self, owner: str, purpose: Purpose | None = None,
                  guardian: bool = False) -> None:
        """Text a code to `owner`'s phone; a refused send is an outcome of its own, said as is.
        A guardian's phone is named so ("监护人的手机 139****0001"): a parent reporting a
        child's card, whose own and whose child's cards may end alike, knows where to look."""
        self.slots["code_owner"] = owner
        self.slots["code_purpose"] = purpose or self.purpose
        # Its own key beside the step's code check: one effect per key in the backend.
        sent = self.backend.send_code(owner, self.slots["code_purpose"],
                                      key=self.effect_key() + ":send")
        self.refused = None if sent.ok else sent
        if sent.ok or sent.reason == "too_soon":
            self.outcome = "sent" if sent.ok else "too_soon"
            self.slots["phone"], self.slots["wait"] = self.phone(sent, guardian), sent.retry_after
        elif sent.reason in ("locked", "capped"):
            self.outcome, self.slots["retry_at"] = sent.reason, self.clock_after(sent.retry_after)
            self.slots["phone"] = self.phone(sent, guardian)  # the day's cap names its phone
        else:
            self.outcome = "no_phone"

    def phone(self, sent: CodeSent, guardian: bool) -> str:
        """The phone as the step names it: masked, and said to be the guardian's when it is."""
        return self.turn.catalog.text("common.guardian_phone", phone=sent.phone_masked) \
            if guardian else sent.phone_masked

    def read_code(self, text: str) -> str | None:
        """The code (or a request to resend, or word that the phone is gone) decides the way."""
        command = self.turn.catalog.command(text)
        if command == "phone_lost":
            self.outcome = "phone_lost"
            return None
        if command == "resend":
            return self.resend("common.code_resent")
        slot = heard(self.turn, "code", text)
        if slot is None:
            return code_missing(text)
        code = slot.value
        checked = self.backend.check_code(self.slots["code_owner"], self.code_purpose, code,
                                          key=self.effect_key())
        if checked.ok:
            self.outcome = self.verified()
            return None
        if checked.reason == "locked":
            self.outcome, self.slots["retry_at"] = "locked", self.clock_after(checked.retry_after)
            return None
        if checked.reason == "stale":  # the SMS before last: no try lost, no new code
            self.outcome = "retry"
            return "common.code_stale"
        if checked.reason == "wrong":
            self.outcome, self.slots["attempts_left"] = "retry", checked.attempts_left
            return "common.code_wrong"
        return self.resend("common.code_expired")  # expired, or none sent for this purpose

    def resend(self, said: str) -> str | None:
        """A fresh code (the old one expired, or the user asked); a refusal says how long."""
        sent = self.backend.send_code(self.slots["code_owner"], self.code_purpose,
                                      key=self.effect_key() + ":send")
        if sent.reason in ("locked", "capped"):
            self.outcome, self.slots["retry_at"] = sent.reason, self.clock_after(sent.retry_after)
            self.refused = sent
            return None
        self.outcome, self.slots["wait"] = "retry", sent.retry_after
        if sent.reason == "too_soon":
            self.refused = sent
            expired = said == "common.code_expired"
            return "common.code_wait_expired" if expired else "common.code_wait"
        return said

    @property
    def code_purpose(self) -> Purpose:
        """What the code in hand unlocks: the flow's purpose, or a guardian's consent."""
        return self.slots.get("code_purpose") or self.purpose

    def prompt(self, event: Any) -> None:
        """A step entered after a refused send says the refusal, never "code sent"."""
        refused: CodeSent | None = getattr(self, "refused", None)
        key = REFUSED_PROMPTS.get((self.state, refused.reason)) if refused else None
        again = self.specs[self.state].get("again")
        if key is None and self.error in CODE_AGAIN \
                and self.specs[self.state].get("role") == "code":
            self.turn.say("common.ask_code_again", **self.slots)
        elif key is None and self.error and again:  # the refusal named the rule broken
            self.turn.say(again, **self.slots)
        elif key is None and self.state == "ask_code" and self.guardian_purpose is not None \
                and self.code_purpose == self.guardian_purpose:  # a minor's bind: the minor
            self.turn.say("common.ask_consent_code", **self.slots)  # types the guardian's
            # code, which "tell no one" would forbid the guardian to pass on
        elif key is None:
            super().prompt(event)  # type: ignore[misc]  # Flow.prompt, after this mixin
        elif self.error is None:  # else the refusal was said as the reason to ask again
            self.turn.say(key, **self.values())

    def verified(self) -> str:
        """What the verified code unlocks (bind, unbind...); returns the outcome to branch on."""
        return "verified"

    def warn(self, _: Any) -> None:
        """Say why the answer is asked again, without counting it as a miss."""
        if self.error:
            self.turn.say(self.error, **self.slots)

    def clock_after(self, seconds: int) -> str:
        """When a lock lifts, as the user reads it (Asia/Shanghai); kept as `_until` too, for
        the note that says it before the service's next first question (flows/pause.py)."""
        self.slots["_until"] = self.turn.clock.now() + seconds
        at = datetime.fromtimestamp(self.slots["_until"], SHANGHAI)
        return at.strftime("%H:%M" if at.date() == self.turn.clock.today() else "%m-%d %H:%M")
