"""The steps a loss report and its lifting share: who, proof, the card, one confirmation.

ID number -> name -> proof: the service password, or a code to the holder's phone (a minor's:
the guardian's ID number, then a code to the guardian's phone) -> the card, found only now ->
"confirm?" -> the backend's change. Nothing about a card (whether there is one, its number,
its status) is said before the proof: an unknown ID and a wrong name read the same, and a
holder without a fitting card hears so only after proving who they are. The one exception is
the card bound to this follower (`own_card`): they proved who they are when binding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from flows.base import StateSpec, ask, branch, outcome_is
from flows.ids import SHANGHAI, mask_card, mask_name
from flows.pause import PAUSED
from flows.port import BackendError, Card, CardStatus
from flows.reading import has_digits, heard, unread
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

SENT = code_sent(no_phone="no_phone")
WHO = {"adult": "ask_method", "minor": "ask_guardian"}
FOUND = {"proved": "ask_confirm", "refused": "refused"}
CHANGED = ("card_lost", "card_frozen", "not_lost", "card_unknown")  # meanwhile, at a counter
# What the bound card's description left in the slots: dropped when another card is chosen,
# so nothing of it is said about that card (e.g. its report's reference under a refusal).
OWN_SLOTS = ("id", "card", "card_masked", "tail", "holder_name", "why", "lost_detail", "ref", "at",
             "until")


def loss_states(p: str, done: str) -> list[StateSpec]:
    """The shared states; `p` prefixes the catalog keys that differ (loss. / lift.)."""
    return [
        ask_id(p),
        ask_name(read="read_holder"),
        {"name": "ask_method", "prompt": f"{p}.ask_method", "help": "loss.help_method",
         "why": "loss.why_method",
         "read": "read_method", "role": "password", "code_word": "use_code"},
        ASK_GUARDIAN,
        ask_code(),
        {"name": "ask_confirm", "prompt": f"{p}.ask_confirm", "help": f"{p}.help_confirm",
         "read": "read_confirm", "role": "confirm", "reads_ack": True},
        {"name": done, "on_enter": ["announce"], "final": True},
        {"name": "kept", "prompt": f"{p}.kept", "final": True},
        {"name": "refused", "on_enter": ["explain"], "final": True},
        {"name": "no_phone", "prompt": f"{p}.no_phone", "final": True},  # what else will do
        CODE_LOCKED,
        PAUSED,
    ]


def own_card(state: str, p: str) -> list[StateSpec]:
    """The card bound here, said first when nothing is to be done on it (already lost, not
    lost): then another card (a family member's), or nothing. `p` as in loss_states."""
    return [{"name": state, "on_enter": ["explain_own"], "prompt": f"{p}.other_offer",
             "help": "loss.help_other", "read": "read_other", "role": "confirm",
             "reads_ack": True, "other_word": "other_card"},
            {"name": "left", "prompt": f"{p}.left", "final": True}]


def own_card_transitions(state: str) -> list[dict]:
    """其他卡 -> whose card it is; 否 -> nothing done; else asked again, never a miss."""
    return ask(state, branch(state, {"other": "ask_id", "declined": "left"}), tries=False)


def loss_transitions(done: str) -> list[dict]:
    """Asked again on a wrong answer, ended after too many; codes lock in the backend."""
    return [
        *ask("ask_id", "ask_name"),
        *ask("ask_name", branch("ask_name", WHO, before="keep")),
        *ask("ask_method", branch("ask_method", {**SENT, **FOUND})),
        *ask("ask_guardian", branch("ask_guardian", SENT, before="keep")),
        *code_step({**FOUND, "phone_lost": "no_phone"}),
        # Yes or no: an unclear reply is asked again with both answers, never a miss.
        *ask("ask_confirm", branch("ask_confirm", {"done": done, "kept": "kept",
                                                   "refused": "refused"}), tries=False),
    ]


class LossSteps(Verification):
    """Mixin (before Flow): the readers; subclasses say which card they act on and how."""

    action: ClassVar[Literal["report", "lift"]]
    wanted: ClassVar[CardStatus]  # the status of a card this flow can act on
    is_adult, is_other, is_proved = outcome_is("adult"), outcome_is("other"), outcome_is("proved")
    is_refused, is_done, is_kept = outcome_is("refused"), outcome_is("done"), outcome_is("kept")
    is_declined = outcome_is("declined")

    def read_holder(self, text: str) -> str | None:
        """The name; then proof comes from the holder, or from a minor's guardian."""
        error = self.read_name(text)
        if error is None:
            self.outcome = "adult" if self.adult(self.slots["id"]) else "minor"
        return error

    def read_method(self, text: str) -> str | None:
        """`验证码` sends a code; six digits, alone or in a sentence, are the service password,
        checked at once."""
        if self.turn.catalog.command(text) == "use_code":
            self.send_code(self.slots["id"])
            return None
        slot = heard(self.turn, "password", text, said="loss.read_password")  # "密码是147258"
        if slot is None:
            return unread("password", text, "loss.method_format" if has_digits(text)
                          else "loss.method_expected")  # "发短信吧" is no wrong password
        password = slot.value
        checked = self.backend.check_password(self.slots["id"], password, self.purpose,
                                              key=self.effect_key())
        if checked.reason == "locked":  # wrong passwords and codes share one lock
            self.outcome, self.slots["retry_at"] = "locked", self.clock_after(checked.retry_after)
            self.slots["locked_at_password"] = True
            return None
        if not checked.ok:
            return "loss.password_wrong"
        self.outcome = self.find_card()
        return None

    def verified(self) -> str:
        """The code proved the holder (or guardian): now the card may be looked at."""
        return self.find_card()

    def find_card(self) -> str:
        """The card to act on: the one offered, else the holder's first in the wanted status."""
        offered = self.slots.get("card")
        found = self.backend.card(offered) if offered else None
        cards = [found] if found else self.backend.cards_of(self.slots["id"])
        fit = next((c for c in cards if c.status == self.wanted), None)
        if fit is None:
            self.slots["why"] = self.why(cards)
            return "refused"
        self.note(fit)
        return "proved"

    def note(self, card: Card) -> None:
        """Keep the card and how it is shown (masked, its last four digits, and its holder's
        name masked: a parent's and a child's cards may end alike, "尾号0001" alone did not
        say whose was about to be reported)."""
        person = self.backend.person(card.holder)
        self.slots.update(card=card.card_number, card_masked=mask_card(card.card_number),
                          tail=card.card_number[-4:],
                          holder_name=mask_name(person.name) if person else "")

    def why(self, cards: list[Card]) -> str:
        """The catalog key saying why no card fits (subclasses know their cases)."""
        raise NotImplementedError

    def explain_own(self, event: Any) -> None:
        """The bound card's state, said once: asked again after an unclear reply, only the
        question is (the on_enter of a step asked again runs again)."""
        if self.error is None:
            self.explain(event)

    def other_card(self) -> None:
        """Another card than the one bound here: asked from the ID number on, nothing of the
        bound card kept (OWN_SLOTS), so nothing of it is said about the other."""
        for slot in OWN_SLOTS:
            self.slots.pop(slot, None)
        self.outcome = "other"

    def read_other(self, text: str) -> str | None:
        """`其他卡`: whose card it is, from the ID number on (nothing of the bound card kept);
        `否`: nothing to do."""
        command = self.turn.catalog.command(text)
        if command == "other_card":
            self.other_card()
        elif command == "no":
            self.outcome = "declined"
        else:
            return "loss.other_again"
        return None

    def read_confirm(self, text: str) -> str | None:
        """`是` makes the change (keyed, so a redelivered message changes nothing twice)."""
        command = self.turn.catalog.command(text)
        if command == "no":
            self.outcome = "kept"
            return None
        if command != "yes":
            return "loss.confirm_again"
        change = getattr(self.backend, f"{self.action}_loss")
        try:
            record = change(self.slots["card"], self.turn.openid, key=self.effect_key())
        except BackendError as refused:
            if refused.code not in CHANGED:
                raise  # unavailable: the engine says so and keeps the step for a retry
            self.slots["why"] = "loss.changed" if self.action == "report" else "lift.changed"
            self.outcome = "refused"
            return None
        self.slots.update(ref=record.ref, at=self.shown(record.at),
                          until=self.shown(record.lapses_at) if record.lapses_at else "")
        self.outcome = "done"
        return None

    @staticmethod
    def shown(ts: float) -> str:
        """A time as users read it, in Asia/Shanghai."""
        return datetime.fromtimestamp(ts, SHANGHAI).strftime("%Y-%m-%d %H:%M")

    def prompt(self, event: Any) -> None:
        """A lock met at the password step names both secrets, not only the code."""
        if self.state == "code_locked" and self.slots.get("locked_at_password"):
            self.turn.say("loss.password_locked", **self.values())
        else:
            super().prompt(event)

    def explain(self, _: Any) -> None:
        """Why nothing was changed, said once the holder has proved who they are."""
        self.turn.say(self.slots["why"], **self.slots)
