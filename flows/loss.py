"""Report a lost card (挂失) and lift the report (解挂) (shared steps: flows/loss_steps.py).

Report: a follower with a card bound here is offered that card first ("是" / "其他卡"); a bound
card already lost is said at once (reference and times), then "其他卡" / "否"; otherwise, or
for another card, ID number -> name. Proof: the service password, or a code to
the phone on record (a minor's card: the guardian's). One confirmation, then the backend marks
the card lost with a reference and time; the reply says what that blocks, how long a
temporary report lasts and how to get a new card, from the deployment's region
(BOT_REGION, flows/data/regions.yaml).
Lift: stronger proof, since it brings a card back to life: always the ID number and the name,
then the service password or a code; the card is active again. A bound card that is not lost
is said at once ("没有挂失，无需解除"), then "其他卡" / "否".
"""

from __future__ import annotations

from typing import Any

from flows.base import Flow, ask, branch
from flows.loss_steps import (
    WHO,
    LossSteps,
    loss_states,
    loss_transitions,
    own_card,
    own_card_transitions,
)
from flows.port import Card


class ReportLoss(LossSteps, Flow):
    """Who (the bound card, or ID + name), proof, confirm once, reported."""

    name, title, keywords, menu_key = "report_loss", "loss.title", "report_loss", "REPORT_LOSS"
    initial, purpose, action, wanted = "ask_id", "loss", "report", "active"
    states = [
        {"name": "offer_own", "prompt": "loss.offer", "help": "loss.help_offer",
         "read": "read_offer", "role": "confirm", "reads_ack": True, "other_word": "other_card"},
        {"name": "not_reported", "prompt": "loss.not_reported", "final": True},
        *own_card("own_lost", "loss"),
        *loss_states("loss", "reported"),
    ]
    transitions = [
        # An offer (是, 其他卡, 否): an unclear reply is asked again naming them, never a miss.
        *ask("offer_own", branch("offer_own", {**WHO, "other": "ask_id",
                                               "declined": "not_reported"}), tries=False),
        *own_card_transitions("own_lost"),
        *loss_transitions("reported"),
    ]

    def start(self) -> None:
        """A card bound here (and not lost yet) is offered first: it is the likely one. One
        already lost is said at once, as the already-lost reply says it after the proof: the
        follower proved who they are when binding, and 我的社保卡 shows its status anyway.
        Then another card (a family member's) may still be reported."""
        card = self.backend.binding(self.turn.openid)
        if card is not None and card.status == "active":
            self.slots["id"] = card.holder
            self.note(card)
            self.state = "offer_own"
        elif card is not None and card.status == "lost":
            self.why([card])
            self.slots["why"], self.state = "loss.own_lost", "own_lost"
        super().start()

    def read_offer(self, text: str) -> str | None:
        """`是`: that card (proof still to come); `其他卡`: ask whose card it is; `否`: none
        (someone who tapped 挂失 by mistake leaves without having to know 取消)."""
        command = self.turn.catalog.command(text)
        if command == "yes":
            self.outcome = "adult" if self.adult(self.slots["id"]) else "minor"
        elif command == "no":
            self.outcome = "declined"
        elif command == "other_card":
            self.other_card()
        else:
            return "loss.offer_again"
        return None

    def why(self, cards: list[Card]) -> str:
        """Already lost (which card, since when, its reference: said only after the proof,
        with what makes sense now), frozen, or no card at all."""
        lost = next((c for c in cards if c.status == "lost"), None)
        if lost is None:
            return "loss.card_frozen" if cards else "loss.no_card"
        self.note(lost)
        self.slots.update(self.region_facts())
        report = self.backend.loss_report(lost.card_number)
        if report is None:  # reported at a counter: no reference of ours to quote
            self.slots["lost_detail"] = "loss.already_lost_counter"
        else:
            self.slots.update(ref=report.ref, at=self.shown(report.at),
                              until=self.shown(report.lapses_at) if report.lapses_at else "",
                              lost_detail="loss.already_lost_report")
        return "loss.already_lost"

    def explain(self, event: Any) -> None:
        """A card already lost: that, and lifting it (the step's reason), then the report's
        reference and times and how to get a new card if it is gone for good."""
        super().explain(event)
        if self.slots.get("lost_detail"):
            self.turn.say(self.slots["lost_detail"], **self.slots)

    def region_facts(self) -> dict[str, Any]:
        """How long a temporary report lasts here, and what a new card costs and takes."""
        region, text = self.turn.region, self.turn.catalog.text
        fee = text("loss.fee", fee=region.fee) if region.fee else text("loss.fee_unknown")
        days = region.reissue_days
        takes = text("loss.reissue_days", days=days) if days else text("loss.reissue_same_day")
        return {"days": region.temporary_days, "fee": fee, "takes": takes,
                "region": region.names.get(self.turn.catalog.lang, region.key)}

    def announce(self, _: Any) -> None:
        """Reference and time, what is blocked, how long, and how to get a new card."""
        self.turn.say("loss.reported", **{**self.slots, **self.region_facts()})


class LiftLoss(LossSteps, Flow):
    """ID + name always, then the service password or a code; confirm once, active again."""

    name, title, keywords, menu_key = "lift_loss", "lift.title", "lift_loss", "LIFT_LOSS"
    initial, purpose, action, wanted = "ask_id", "lift", "lift", "lost"
    states = [*own_card("own_not_lost", "lift"), *loss_states("lift", "lifted")]
    transitions = [*own_card_transitions("own_not_lost"), *loss_transitions("lifted")]

    def start(self) -> None:
        """A card bound here that is not lost is said at once (the follower proved who they
        are when binding; 我的社保卡 shows it too), then another card may still be lifted. A
        bound card that is lost is lifted with the full proof, as any other."""
        card = self.backend.binding(self.turn.openid)
        if card is not None and card.status != "lost":
            self.note(card)
            self.slots["why"], self.state = "lift.own_not_lost", "own_not_lost"
        super().start()

    def why(self, cards: list[Card]) -> str:
        """Nothing is lost: frozen (blocked, which a counter lifts: "can u unfreeze it here"
        ended on "nothing to lift"), or active, or there is no card at all."""
        if any(card.status == "frozen" for card in cards):
            return "lift.card_frozen"
        return "lift.not_lost" if cards else "lift.no_card"

    def announce(self, _: Any) -> None:
        """The card works again; the bank side is lifted at the bank."""
        self.turn.say("lift.done", **self.slots)
