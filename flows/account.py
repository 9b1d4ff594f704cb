"""The account's own business: which card is bound here, unbinding it, and review progress.

Small flows: `我的社保卡` and `查询进度` answer at once (a single final state); `解绑` names the
card (masked) and asks "是/否" first, then for the code sent to the holder's phone; a minor's
card whose holder has no phone on record is the guardian's to unbind (their ID number, then a
code to their phone), as a minor's loss report is. Everything shown is masked.
"""

from __future__ import annotations

from typing import Any

from flows.base import Flow, ask, branch, outcome_is
from flows.ids import age_on, mask_card, mask_id, mask_name, mask_phone
from flows.loss_steps import LossSteps
from flows.pause import PAUSED
from flows.verify import ASK_GUARDIAN, CODE_LOCKED, Verification, code_step

SENT = {"sent": "ask_code", "no_phone": "no_phone", "locked": "code_locked",
        "too_soon": "ask_code", "capped": "code_locked"}


class MyCard(Flow):
    """Show the binding, masked: card, holder, status, and a guardian's consent if any."""

    name, title, keywords, menu_key = "my_card", "card.title", "my_card", "MY_CARD"
    initial = "shown"
    states = [{"name": "shown", "on_enter": ["show"], "final": True}]
    transitions = []

    def show(self, _: Any) -> None:
        """Enough to recognise one's own card, never enough to reuse its numbers."""
        backend, say = self.turn.backend, self.turn.say
        card = backend.binding(self.turn.openid)
        if card is None:
            say("card.none")
            return
        holder = backend.person(card.holder)
        say("card.info", card=mask_card(card.card_number), id=mask_id(card.holder),
            name=mask_name(holder.name) if holder else "",
            status=self.turn.catalog.text(f"card.status_{card.status}"))
        # where codes go, masked: "which number do you have for me" was answered nowhere
        phone = getattr(holder, "phone", None)
        if age_on(card.holder, self.turn.clock.today()) < 18:  # a minor's codes go to the
            say("card.phone_minor")  # guardian's phone, not the one on the child's record
        elif phone:
            say("card.phone", phone=mask_phone(phone))
        else:
            say("card.no_phone")
        if card.status == "lost":  # what "已挂失" means for them: until when, and what next
            report = backend.loss_report(card.card_number)
            if report is not None and report.lapses_at:
                say("card.lost_report", ref=report.ref, at=LossSteps.shown(report.at),
                    until=LossSteps.shown(report.lapses_at))
            else:  # reported at a counter: no reference of ours to quote
                say("card.lost_counter")
        # Consent lives in the card view, which the mock and its HTTP client both serve.
        view = getattr(backend, "card_view", lambda _: None)(card.card_number) or {}
        consent = view.get("guardian_consent")
        if consent:
            say("card.consent", guardian=consent["guardian_id_masked"], at=consent["at"][:10],
                relation=self.turn.catalog.text(f"card.relation_{consent['relation']}"))


class Unbind(Verification, Flow):
    """Confirm which card (masked), then a code to the holder's phone: a borrowed phone cannot
    unbind, and neither can a stray 解绑, which costs no SMS when answered 否. A child with no
    phone of their own (王小明, 12) is unbound by the guardian on record: their ID number, then
    a code to their phone (before, the parent and the child were each sent to a counter)."""

    name, title, keywords, menu_key = "unbind", "unbind.title", "unbind", "UNBIND"
    initial, purpose = "ask_confirm", "unbind"
    states = [
        # reads_ack: a bare 好的/嗯 is this yes/no step's to read, not one for the dialogue
        {"name": "ask_confirm", "prompt": "unbind.ask_confirm", "help": "unbind.help_confirm",
         "read": "read_confirm", "role": "confirm", "reads_ack": True},
        ASK_GUARDIAN,
        {"name": "ask_code", "prompt": "unbind.ask_code", "help": "common.help_code",
         "read": "read_code", "role": "code"},
        {"name": "unbound", "prompt": "unbind.done", "final": True},
        {"name": "kept", "prompt": "unbind.kept", "final": True},
        {"name": "not_bound", "prompt": "unbind.not_bound", "final": True},
        {"name": "no_phone", "prompt": "common.no_phone", "final": True},
        CODE_LOCKED,
        PAUSED,
    ]
    transitions = [
        # Yes or no: an unclear reply is asked again with both answers, never a miss.
        *ask("ask_confirm", branch("ask_confirm", {**SENT, "kept": "kept",
                                                   "minor": "ask_guardian"}), tries=False),
        *ask("ask_guardian", branch("ask_guardian", SENT, before="keep")),
        *code_step({"unbound": "unbound", "phone_lost": "no_phone"}),
    ]
    is_unbound, is_kept, is_minor = (outcome_is("unbound"), outcome_is("kept"),
                                     outcome_is("minor"))

    def start(self) -> None:
        """Nothing bound: say so; else name the card (masked) and ask before anything is sent."""
        card = self.backend.binding(self.turn.openid)
        if card is None:
            self.state = "not_bound"
        else:
            person = self.backend.person(card.holder)  # named: a mother's card and her
            self.slots.update(holder=card.holder, card_masked=mask_card(card.card_number),
                              tail=card.card_number[-4:],  # son's may end alike ("unbind my
                              holder_name=mask_name(person.name) if person else "")  # son's")
        super().start()

    def read_confirm(self, text: str) -> str | None:
        """`是`: the code goes to the holder's phone; `否`: the binding stays, and is said to."""
        command = self.turn.catalog.command(text)
        if command == "no":
            self.outcome = "kept"
        elif command == "yes":
            holder = self.slots["holder"]
            self.send_code(holder)
            if self.outcome == "no_phone" and not self.adult(holder):
                self.slots["id"] = holder  # the minor whose guardian read_guardian checks
                self.outcome = "minor"
        else:
            return "unbind.confirm_again"
        return None

    def verified(self) -> str:
        """The holder's code is the consent to unbind."""
        self.backend.unbind(self.turn.openid)
        return "unbound"


class Progress(Flow):
    """List this account's offline reviews with their reference and status."""

    name, title, keywords, menu_key = "progress", "progress.title", "progress", "PROGRESS"
    initial = "listed"
    states = [{"name": "listed", "on_enter": ["show"], "final": True}]
    transitions = []

    def show(self, _: Any) -> None:
        """Reference and status are what the user needs to follow up with a counter."""
        text = self.turn.catalog.text
        reviews = self.turn.backend.reviews(self.turn.openid)
        if not reviews:
            self.turn.say("progress.none")
            return
        items = "\n".join(text("progress.item", ref=r.ref, status=text(f"progress.{r.status}"))
                          for r in reviews)
        self.turn.say("progress.list", items=items)
