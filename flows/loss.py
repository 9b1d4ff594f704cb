"""Report a lost card (挂失) and lift the report (解挂) (shared steps: flows/loss_steps.py).

Report: a follower with a card bound here is offered that card first ("是" / "其他卡");
otherwise, or for another card, ID number -> name. Proof: the service password, or a code to
the phone on record (a minor's card: the guardian's). One confirmation, then the backend marks
the card lost with a reference and time; the reply says what that blocks, how long a
temporary report lasts and how to get a new card, from the deployment's region
(BOT_REGION, flows/data/regions.yaml).
Lift: stronger proof, since it brings a card back to life: always the ID number and the name,
then the service password or a code; the card is active again.
"""

from __future__ import annotations

from typing import Any

from flows.base import Flow, ask, branch
from flows.loss_steps import WHO, LossSteps, loss_states, loss_transitions
from flows.port import Card


class ReportLoss(LossSteps, Flow):
    """Who (the bound card, or ID + name), proof, confirm once, reported."""

    name, title, keywords, menu_key = "report_loss", "loss.title", "report_loss", "REPORT_LOSS"
    initial, purpose, action, wanted = "ask_id", "loss", "report", "active"
    states = [
        {"name": "offer_own", "prompt": "loss.offer", "help": "loss.help_offer",
         "read": "read_offer", "role": "confirm", "reads_ack": True},
        *loss_states("loss", "reported"),
    ]
    transitions = [
        # A yes/no offer: an unclear reply is asked again with its two answers, never a miss.
        *ask("offer_own", branch("offer_own", {**WHO, "other": "ask_id"}), tries=False),
        *loss_transitions("reported"),
    ]

    def start(self) -> None:
        """A card bound here (and not lost yet) is offered first: it is the likely one."""
        card = self.backend.binding(self.turn.openid)
        if card is not None and card.status == "active":
            self.slots["id"] = card.holder
            self.note(card)
            self.state = "offer_own"
        super().start()

    def read_offer(self, text: str) -> str | None:
        """`是`: that card (proof still to come); `其他卡`: ask whose card it is."""
        command = self.turn.catalog.command(text)
        if command == "yes":
            self.outcome = "adult" if self.adult(self.slots["id"]) else "minor"
        elif command == "other_card":
            for slot in ("id", "card", "card_masked", "tail"):
                self.slots.pop(slot, None)
            self.outcome = "other"
        else:
            return "loss.offer_again"
        return None

    def why(self, cards: list[Card]) -> str:
        """Already lost (say which), frozen, or no card at all."""
        lost = next((c for c in cards if c.status == "lost"), None)
        if lost is not None:
            self.note(lost)
            return "loss.already_lost"
        return "loss.card_frozen" if cards else "loss.no_card"

    def announce(self, _: Any) -> None:
        """Reference and time, what is blocked, how long, and how to get a new card."""
        region, text = self.turn.region, self.turn.catalog.text
        lang = self.turn.catalog.lang
        fee = text("loss.fee", fee=region.fee) if region.fee else text("loss.fee_unknown")
        days = region.reissue_days
        takes = text("loss.reissue_days", days=days) if days else text("loss.reissue_same_day")
        facts = {"days": region.temporary_days, "region": region.names.get(lang, region.key),
                 "fee": fee, "takes": takes}
        self.turn.say("loss.reported", **{**self.slots, **facts})


class LiftLoss(LossSteps, Flow):
    """ID + name always, then the service password or a code; confirm once, active again."""

    name, title, keywords, menu_key = "lift_loss", "lift.title", "lift_loss", "LIFT_LOSS"
    initial, purpose, action, wanted = "ask_id", "lift", "lift", "lost"
    states = loss_states("lift", "lifted")
    transitions = loss_transitions("lifted")

    def why(self, cards: list[Card]) -> str:
        """Nothing is lost, or there is no card at all."""
        return "lift.not_lost" if cards else "lift.no_card"

    def announce(self, _: Any) -> None:
        """The card works again; the bank side is lifted at the bank."""
        self.turn.say("lift.done", **self.slots)
