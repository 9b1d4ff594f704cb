"""What a person says of the proof a service will ask: their phone gone, the password forgotten.

Why a module of its own: a loss report (and its lifting) proves the holder by a code sent to
the phone on record or by the service password (flows/loss_steps.py, the step with a
`code_word`). People say what they lack before that step as often as at it: "我手机也丢了
收不到短信" typed at the ID step was "没有看出身份证号", and "密码也不记得了" offered to end
the report for 忘记密码. Both are remembered with the flow (flow slots GONE, NO_PASSWORD), so
the proof step never sends a code to a stolen phone nor asks again for a password nobody
remembers. Reads through readings.py; says through Talk; no state of its own.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialogue.readings import Readings
from bot.dialogue.talk import NOT_MINE, Talk
from bot.dialogue.wording import LACK, NO_PHONE, NOT_LOST, PASSWORD_SAID
from flows.base import Flow, Turn
from flows.language import Understanding

GONE = "_no_phone"  # a flow slot: the person said their phone is gone
NO_PASSWORD = "_no_password"  # a flow slot: ... that they do not remember the service password
ALSO = re.compile(r"也|都|还|\b(either|too|also|as well|neither|nor)\b", re.IGNORECASE)


class Proof:
    def __init__(self, talk: Talk, read: Readings) -> None:
        self.talk, self.read = talk, read

    def ahead(self, heard: Understanding, turn: Turn, flow: Flow) -> Any:
        """Before the proof step of a service that has one: a phone said gone or a password
        not remembered is told how the proof will go (the other way; neither: where to go),
        remembered, and the step asked again. NOT_MINE for any other message or service."""
        if heard.slots or not before_proof(flow):
            return NOT_MINE
        if NOT_LOST.search(heard.text):  # "等下 我卡没丢 是密码忘了": not this service at all
            return NOT_MINE
        gone = self.read.phone(heard) == "gone"
        forgot = bool(LACK.search(heard.text) and PASSWORD_SAID.search(heard.text)
                      and ALSO.search(heard.text))  # "密码也不记得了": besides, not instead
        if not (gone or forgot):
            return NOT_MINE
        flow.slots[GONE] = flow.slots.get(GONE) or gone
        flow.slots[NO_PASSWORD] = flow.slots.get(NO_PASSWORD) or forgot
        if heard.yes_no is not None or self.read.said_yes_no(heard, flow, heard.text) \
                is not None:  # "是的 手机也一起丢了" at the offer: its yes, the phone noted
            return NOT_MINE
        if flow.slots[GONE] and flow.slots[NO_PASSWORD]:
            turn.say("step.no_proof")
        else:
            turn.say("step.password_ahead" if gone else "step.code_ahead")
        turn.say("answer.back", prompt=self.talk.again(flow))
        return flow.session()

    def by_code(self, heard: Understanding, turn: Turn, flow: Flow, lacks: bool) -> Any:
        """At a step that takes a code instead of its answer (`code_word`: the loss proof
        step): a text asked for ("发短信吧"), or the password not known ("我不记得密码了"),
        sends the code; neither known nor a phone ("密码忘了 手机也丢了") says where to go and
        keeps the step. A phone said to be gone is remembered with the flow (GONE): the
        password will do, and not knowing it next is met with where to go, never a code
        sent to the stolen phone. NOT_MINE elsewhere, or for any other message."""
        if "code_word" not in flow.specs[flow.state] or heard.slots:
            return NOT_MINE
        phone = self.read.phone(heard)  # "gone", "fine" ("手机没丢 发验证码吧") or None
        if LACK.search(heard.text) and phone != "fine" \
                and (NO_PHONE.search(heard.text) or flow.slots.get(GONE)):
            turn.say("step.no_proof")  # the password not known either, and no phone
            turn.say("answer.back", prompt=self.talk.again(flow))
            return flow.session()
        if phone == "gone":  # "i cant get sms my phone is gone": it was a wrong password, and the
            flow.slots[GONE] = True  # next "i dont remember it either" sent it a code
            turn.say("step.password_instead")
            turn.say("answer.back", prompt=self.talk.again(flow))
            return flow.session()
        if not (self.read.wants_a_code(heard, flow)
                or (lacks and self.read.code_will_do(heard, flow))):
            return NOT_MINE
        if lacks:  # it was the step's help, "回复“验证码”"
            turn.say("step.code_instead")
        flow.answer(self.talk.catalog.word(flow.specs[flow.state]["code_word"]))
        return None if flow.done else flow.session()


def before_proof(flow: Flow) -> bool:
    """Whether the flow is at a step before its proof step (none: False); the steps are in
    the order the service asks them (flows' `states`)."""
    order = list(flow.specs)
    proof = next((at for at, name in enumerate(order) if "code_word" in flow.specs[name]), None)
    return proof is not None and order.index(flow.state) < proof
