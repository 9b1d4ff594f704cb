"""What a person tells of their situation when no service runs, met before any service starts
or any answer is looked up: a report they did not make, a holder who died, a card found right
after its report, whether a lock is over, a frozen card to thaw, a passport instead of an ID,
which phone is on record.

Why a module of its own: each is a person's story, neither a service's start nor a knowledge
question, and each was found by blind testers meeting a wrong action or a dead end with it
(tests/test_wrong_actions.py). Each reads the line and says one line, sometimes offering a
service; their words do not overlap, so their order here is of no consequence. No state.
Idle asks `meet` first and goes on when it answers NOT_MINE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.dialogue import whose
from bot.dialogue.person import asks_for_a_person
from bot.dialogue.talk import NOT_MINE, Talk, bound_card, bound_here
from bot.dialogue.wording import (
    CARD_IN_HAND,
    DECEASED,
    DOC_BUSINESS,
    FOREIGN_DOC,
    FOREIGNER,
    FOUND_CARD,
    LOCK_ASKED,
    LOSS_SAID,
    NO_PHONE,
    NOT_LOST,
    NOT_MY_REPORT,
    NOW_ASKED,
    PASSWORD_SAID,
    PHONE,
    SINCE,
    SUPPOSED,
    THAW,
    WHICH_PHONE,
)
from flows.base import Turn
from flows.language import Understanding
from flows.language.slots import about_someone_else
from flows.loss_steps import LossSteps


class Situations:
    """Built once by Idle, with the talk and its service starter; holds no per-message state."""

    def __init__(self, talk: Talk, start: Callable[..., dict | None]) -> None:
        self.talk, self.start = talk, start

    def meet(self, heard: Understanding, turn: Turn, after: tuple[str, str] | None,
             done: str | None) -> Any:
        """The line for the situation the message tells, or NOT_MINE. `after`, `done`: what
        was just talked about and the service that just ended (bot/dialogue/topic.py)."""
        intent = heard.intent
        if (NOT_MY_REPORT.search(heard.text)
                or (CARD_IN_HAND.search(heard.text) and not SUPPOSED.search(heard.text))) \
                and not heard.slots and "lift_loss" in self.talk.flows and done != "report_loss" \
                and own_card_lost(turn):  # "WHAT? i didnt report anything": the card bound
            turn.say("lost.not_mine")  # here shows lost; a report made elsewhere, and how
            return self.talk.pending(None, "confirm", ["lift_loss"])  # to lift it (a list)
        if DECEASED.search(heard.text) and not heard.slots \
                and not LOSS_SAID.search(heard.text):  # "我爱人上个月走了 他的社保卡
            turn.say("deceased")  # 要怎么处理": not "社保卡丢了请尽快挂失"
            return None
        if done == "report_loss" and "lift_loss" in self.talk.flows and not heard.slots \
                and FOUND_CARD.search(heard.text) and heard.intent in (None, "lift_loss") \
                and not SUPPOSED.search(heard.text):
            turn.say("after.found")  # "啊 找到了…能撤回吗" right after the report: lift it
            return self.talk.pending(None, "confirm", ["lift_loss"])
        if LOCK_ASKED.search(heard.text) and NOW_ASKED.search(heard.text) and not heard.slots \
                and not asks_for_a_person(heard) and turn.pauses is not None \
                and (after is None or not after[1].endswith(".code_locked")) \
                and (turn.pauses.live(turn.openid) or (not PASSWORD_SAID.search(heard.text)
                                                         and SINCE.search(heard.text))):
            return self.lock_now(turn)  # "昨天被锁了 现在能绑了吗": the notes say
        if NOT_LOST.search(heard.text) and PHONE.search(heard.text) \
                and NO_PHONE.search(NOT_LOST.sub("", heard.text)) and "id" not in heard.slots:
            return self.talk.with_menu(turn, "phone_lost_idle")  # "卡没丢 就是手机丢了": the
            # phone's line (it was "本服务号答不了")
        if intent in ("lift_loss", "my_card") and THAW.search(heard.text) and not heard.slots \
                and not LOSS_SAID.search(heard.text):  # "…my card is frozen?? can you
            turn.say(whose.key(self.talk.catalog, "card_frozen"))  # unfreeze it": a freeze,
            return None  # no loss report to lift (it started lifting one)
        if "id" not in heard.slots and ((FOREIGN_DOC.search(heard.text)  # "i have a
                                         and not DOC_BUSINESS.search(heard.text)) or (  # pass
                FOREIGNER.search(heard.text) and intent == "bind_card")):  # port not a
            turn.say("idle.foreign_id")  # chinese id, can i bind…": what can be checked here
            return None  # (it was binding's how-to, then "did not understand" to the number)
        if WHICH_PHONE.search(heard.text) and not heard.slots and "my_card" in self.talk.flows \
                and not about_someone_else(heard.text):  # "预留的手机号是哪个": a card bound
            if bound_here(turn):  # here shows it masked; else where it will be seen
                return self.start(self.talk.flows["my_card"], turn)
            turn.say("card.phone_unbound")
            return None
        return NOT_MINE

    def lock_now(self, turn: Turn) -> None:
        """Whether a lock met before still holds, by the pause notes: until when, and for
        what; or that it is over and the service can be started again."""
        live = turn.pauses.live(turn.openid) if turn.pauses is not None else {}
        if not live:
            turn.say("lock.over")
            return None
        service, until = max(live.items(), key=lambda pair: pair[1])
        title = self.talk.title(service) if service in self.talk.flows else service
        turn.say("lock.still", title=title, until=LossSteps.shown(until))
        return None


def own_card_lost(turn: Turn) -> bool:
    """Whether the card bound to this follower shows lost (a backend that cannot say: no)."""
    card = bound_card(turn)
    return card is not None and card.status == "lost"
