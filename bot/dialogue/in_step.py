"""A message while a service is under way: the step's answer, unless it plainly means more.

Why a module of its own: what a step takes is the flow's business (flows/), but what a person
types at a step is often not an answer at all - a question about the step ("为什么要我的身份证
号"), a change of mind ("算了 我不绑了 我想改密码"), a hold at a confirmation ("等等我再找找"),
a lookup in passing ("看看我的社保卡"), a correction ("身份证输错了"). Each is read here, in
the order below, before the step sees the words; only what is left reaches `flow.answer`.
What a line means is read by readings.py (yes, no, a hold, a change of mind, a slip); here
is only the order those readings are asked in and what each leads to.
The exact contract words (取消, a start word, a menu click) never come here: the conversation
routes them first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from bot.dialogue.person import Person, asks_for_a_person
from bot.dialogue.proof import Proof
from bot.dialogue.questions import Questions
from bot.dialogue.readings import Readings, after_found, back_with_it
from bot.dialogue.steps import Steps
from bot.dialogue.talk import NOT_MINE, Talk
from bot.dialogue.wording import (
    CANT_HAN,
    CAPABILITIES,
    CORRECTION,
    FOREIGN_ID,
    LACK,
    NEVER_SET,
    NOTHING_CAME,
    STATUS,
    WONDERS,
    starts_over,
)
from flows.base import Flow, Turn
from flows.language import Understander, Understanding
from flows.language.slots import about_someone_else
from flows.reading import said_back

STEP_WORDS = ("resend", "phone_lost")  # intents a code step reads as its own answers
# A question in a flow is first about the step ("怎么查姓名" at the name step); only one that
# plainly names another service ("怎么挂失？") offers to switch to it.
SURE_QUESTION = 0.9
# The service whose sentences are about what a step asks for: at the step asking for the
# service password, "密码忘了" wants that step's help (a code will do), not 忘记密码.
ABOUT_THE_STEP = {"password": "forgot_password"}
# Services that only read and answer at once (a single final state): asked for in a sentence
# mid-flow, they are answered there and the step is kept (InStep.look_up).
LOOKUPS = ("my_card", "progress")
# Small talk a step never takes as its answer: "谢谢" is nobody's name, "你好" no card number.
# A goodbye is left to the step (read there as before); a bare "好的" is an acknowledgement,
# asked about again by bot/dialogue/steps.py unless the step reads it (好的 answers a yes/no step).
IN_STEP_TALK = ("thanks", "greeting")
LONG_NUMBER = re.compile(r"\d{6}")  # a number typed to be read (an ID, two of them), not an age
# whose ID to type, asked ("do i put his id or mine?", "填我的还是孩子的身份证")
WHOSE_ID = re.compile(r"\b(his|hers?|theirs?)\b.{0,12}\bor (mine|my)\b"
                      r"|\b(mine|my own)\b.{0,12}\bor (his|hers?|theirs?)\b"
                      r"|whose id|填谁的|输谁的|我的还是|还是我的", re.IGNORECASE)


class InStep:
    """Built once per app by the Conversation, with its parts and two of its moves (start a
    service, cancel one) passed in; holds no per-message state."""

    def __init__(self, understander: Understander, talk: Talk, steps: Steps,
                 questions: Questions, person: Person, starters: dict[str, type[Flow]],
                 start: Callable[..., dict | None],
                 cancel: Callable[[Turn, Flow | None], dict | None]) -> None:
        self.talk, self.steps = talk, steps
        self.questions, self.person, self.starters = questions, person, starters
        self.start, self.cancel = start, cancel
        self.understander = understander
        self.read = Readings(understander, starters)  # what a line means besides the answer
        self.proof = Proof(talk, self.read)  # what is said of the proof (a phone gone…)

    def route(self, said: str, heard: Understanding, turn: Turn, flow: Flow) -> dict | None:
        """An answer to the step, unless the sentence plainly means something else."""
        heard = back_with_it(heard, flow.name)  # "ok she found it" at the code step
        if heard.reason == "found_back":  # back with it: what follows is the step's answer
            said = after_found(said)
            if not said:
                turn.say("step.found_back", prompt=self.talk.again(flow))
                return flow.session()
            heard = self.understander.understand(said)
        sure = heard.act == "start" and not heard.slots
        if sure and heard.intent == "cancel":
            return self.cancel(turn, flow)
        if asks_for_a_person(heard):  # "ugh this is confusing can i just talk to someone"
            return self.person.request(turn, flow)
        if heard.complaint and not heard.slots and (heard.act == "none" or (  # "你们这个
                heard.act in ("start", "confirm") and heard.intent == flow.name)):  # 太难用了
            # 绑了半小时都没绑上", "我是要投诉！"; not "什么破玩意 我不绑了" (a take-back)
            turn.say("complaint_step", prompt=self.talk.again(flow))  # an apology and a
            return flow.session()  # person, not a wrong ID nor "您正在办理"
        if CAPABILITIES.search(heard.text) and not heard.slots \
                and not LACK.search(heard.text):  # "what else can you do" ("卡号找不到 你能
            # 帮什么" is the step's own trouble: its help)
            session = self.talk.menu(turn, flow)  # the menu, the step kept (was its help)
            turn.say("answer.back", prompt=self.talk.again(flow))
            return session
        if sure and heard.intent == "help":
            return self.talk.step_help(turn, flow)
        if self.corrects_id(heard, flow, turn):  # "等等 身份证号输错了 应该是4403…"
            turn.say("step.id_again")  # the new ID taken: a redo would have asked it again
            given = (said, replace(heard, howto=True)) if not about_someone_else(said) else (
                heard.slots["id"], replace(heard, slots={"id": heard.slots["id"]}, howto=True))
            return self.start(type(flow), turn, given=given)  # ("…thats my husbands id": the
            # new ID only; howto: the service is under way, no "step by step" said again)
        name = self.read.name_beside_a_typo(said, flow)  # "王强 刚才打错了": the name, mended
        if name is not None:
            step = flow.state
            said_back(turn, "name", name)  # "收到，姓名：张*": read out of a sentence
            flow.answer(name)
            self.steps.go_on(flow, turn, name, step)
            return None if flow.done else flow.session()
        if self.read.redone(heard, flow):  # "上一步 身份证输错了" at the name step: not a name
            turn.say("redo", title=self.talk.catalog.text(flow.title))
            return self.start(type(flow), turn)
        if flow.specs[flow.state].get("role") in ("id", "guardian") and "id" not in heard.slots \
                and starts_over(heard.text, "name"):  # "不对 我身份证输错了 最后是0197" at the
            turn.say("step.retype_id")  # ID step: the whole number again, and no try used
            return flow.session()
        # "谢谢" or "好的谢谢" is not a name; a yes/no step reads its 好的 as a yes itself
        yes_no_step = flow.specs[flow.state].get("reads_ack")
        if heard.small_talk in IN_STEP_TALK and not heard.slots \
                and (heard.yes_no is None or not yes_no_step):
            return self.talk.small_talk_in_step(heard.small_talk, turn, flow)
        if self.steps.acknowledged(heard, flow):  # 好的 at the ID step: not a wrong answer
            if heard.yes_no is False:  # 不用了 there may mean "stop": ask, never a miss
                return self.talk.confirm_end(turn, flow)
            return self.steps.ack(turn, flow)
        if self.read.means_another_card(said, heard, flow):  # "不是我的 是孩子的卡丢了", or the
            flow.answer(self.talk.catalog.word(flow.specs[flow.state]["other_word"]))  # ID
            if "id" in heard.slots and not flow.done and flow.state == "ask_id":  # of the
                if turn.out and turn.out[-1] == self.talk.prompt(flow):  # card meant: its ID
                    turn.out.pop()  # step takes it (not asked), and the name after it
                flow.answer(said)
                self.steps.go_on(flow, turn, said, "ask_id")
            return None if flow.done else flow.session()
        if self.steps.own_start(heard, flow):  # "我要绑卡" while binding: carry on
            return self.steps.already(turn, flow)
        if flow.specs[flow.state].get("role") == "name" and CANT_HAN.search(heard.text):
            turn.say("step.name_input")  # "zhang wei is my name, i cant type chinese on this
            turn.say("answer.back", prompt=self.talk.again(flow))  # phone": how to, not "no
            return flow.session()  # name found"
        if FOREIGN_ID.search(heard.text) and "id" not in heard.slots \
                and flow.specs[flow.state].get("role") in ("id", "guardian"):  # "only passport"
            turn.say("step.foreign_id")  # was "not an ID number" on a loop
            turn.say("answer.back", prompt=self.talk.again(flow))
            return flow.session()
        own = f"step.holder_id.{flow.name}"  # binding's says one WeChat holds one card
        if flow.specs[flow.state].get("role") == "id" and "id" not in heard.slots \
                and about_someone_else(said) and not LONG_NUMBER.search(said) \
                and (not heard.question or WHOSE_ID.search(heard.text)):  # "不是我的 是我
            # 爸的卡 他70多了", "this is for my son, do i put his id or mine?": whose ID to
            # type (not a badly typed one), and before a parent binds a child's card here,
            turn.say(own if own in self.talk.catalog.texts else "step.holder_id")  # that
            turn.say("answer.back", prompt=self.talk.again(flow))  # their own cannot be
            return flow.session()
        switch = self.read.switched_to(said, heard, flow)  # "算了 我不绑了 我想改密码"
        if switch is not None and self.read.drops_own(said, flow):  # "我不是要挂失啊！！我要改
            return self.talk.confirm_switch(turn, flow, switch)  # 密码": before the proof
        ahead = self.proof.ahead(heard, turn, flow)  # "我手机也丢了" before the proof step
        if ahead is not NOT_MINE:
            return ahead
        lacks = self.about_the_step(heard, flow)
        proved = self.proof.by_code(heard, turn, flow, lacks)  # the proof step: a code instead
        if proved is not NOT_MINE:
            return proved
        if lacks:  # 不记得了 at the name step: not a wrong answer
            return self.talk.unsure(turn, flow)
        if switch is not None:
            return self.talk.confirm_switch(turn, flow, switch)
        if self.read.unwanted(heard, flow) \
                or self.read.takes_back(said, heard, flow):  # "我不想绑了" at the card step:
            return self.talk.confirm_end(turn, flow)  # not a wrong card number
        if heard.why and not heard.slots:  # "为什么要我的身份证号": what it is for, kept how
            answered = self.questions.why(heard, turn, flow)  # (after a change of mind: "为
            if answered is not None:  # 什么要身份证 算了我不绑了" asks whether to end)
                return answered
        # At a code step its own words count even when the reading is only middling: "能再发
        # 一次吗" is its 重新发送, "号码早停了" its 手机号已停用
        middling = heard.act == "confirm" and heard.intent in STEP_WORDS  # "didnt get anything"
        if flow.specs[flow.state].get("role") == "code" and not heard.slots \
                and heard.intent in (None, "resend") and NOTHING_CAME.search(heard.text):
            heard = replace(heard, intent="resend", act="start")  # "still nothing": resend
        if flow.specs[flow.state].get("waits") and not heard.slots \
                and STATUS.search(heard.text):  # "how long do i have to wait" while the
            pass  # guardian is asked: the step says where it stands (not a review's days)
        elif heard.intent in STEP_WORDS and not heard.slots and (heard.act == "start" or middling) \
                and flow.specs[flow.state].get("role") == "code" \
                and not (heard.intent == "phone_lost" and WONDERS.search(said)):  # "i
            # changed my number last year, will the code still come?" asks whether (it ended
            # the service); "the code goes to my old number?? its cancelled" wants the way out
            said = self.talk.catalog.word(heard.intent)
        elif heard.intent in LOOKUPS and heard.act == "start" and not heard.slots \
                and heard.intent != flow.name \
                and (not heard.question or heard.confidence >= SURE_QUESTION):
            return self.look_up(self.starters[heard.intent], turn, flow)
        elif heard.intent in self.starters and heard.act in ("start", "confirm") \
                and not heard.slots and heard.intent != flow.name \
                and (not heard.question or heard.confidence >= SURE_QUESTION):
            return self.talk.confirm_switch(turn, flow, self.starters[heard.intent])
        elif heard.question and not heard.slots:
            return self.questions.in_step(heard, turn, flow)
        elif yes_no_step and not heard.slots \
                and (yes := self.read.said_yes_no(heard, flow, said)) is not None:
            said = self.talk.catalog.word("yes" if yes else "no")  # 好, 行 -> 是; 不解了 -> 否
        elif yes_no_step and not heard.slots and self.read.holds_back(said, heard):
            turn.say("confirm.hold")  # "等等我再找找": no hurry; the step asks again below
        elif self.read.doubts_code(heard, flow):  # "1 2 3 4 5 6? no wait": not checked
            turn.say("step.code_doubt")  # (it was, and the last try went: a lock)
            turn.say("answer.back", prompt=self.talk.again(flow))
            return flow.session()
        elif not yes_no_step and self.read.waits(heard):  # "稍等我去拿身份证": no wrong ID
            turn.say("step.wait")
            return flow.session()
        step = flow.state
        flow.answer(said)
        self.steps.go_on(flow, turn, said, step)  # "110105… 张伟": the name step too
        return None if flow.done else flow.session()

    @staticmethod
    def corrects_id(heard: Understanding, flow: Flow, turn: Turn) -> bool:
        """Another ID typed at a later step of the holder's (the name, the card, the proof)
        in words of a correction: the ID given before was wrong ("wait no thats my husbands
        id, mine is 3201…"). It was "没有看出姓名" on a loop, the new number ignored, until
        取消. Not a parent's own ID given beside a child's ("我是他妈妈 我的身份证号…"), nor in
        a service that would start again at the card bound here (its offer, not the ID)."""
        given = flow.slots.get("id")
        if "id" not in heard.slots or given is None or heard.slots["id"] == given \
                or flow.specs[flow.state].get("role") not in ("name", "card", "password") \
                or not CORRECTION.search(heard.text):
            return False
        offers = any("other_word" in spec for spec in flow.specs.values())
        return not offers or turn.backend.binding(turn.openid) is None

    def about_the_step(self, heard: Understanding, flow: Flow) -> bool:
        """The person does not know or have what the step asks ("我不知道", "不记得了" at the
        name step, "密码忘了" where the service password is asked): help, not a switch."""
        if heard.slots:  # an answer after all ("忘了，是张伟")
            return False
        if heard.intent is not None \
                and heard.intent == ABOUT_THE_STEP.get(flow.specs[flow.state].get("role")):
            return True
        if flow.specs[flow.state].get("role") == "password" and NEVER_SET.search(heard.text):
            return True  # "what service password? i never set one": not known
        if self.questions.lacks(heard, flow) and (heard.intent in (None, flow.name,
                                                                   "forgot_password")
                                                  or heard.act not in ("start", "confirm")):
            return True  # "不记得卡号" at the card step; not "…card got stolen, report it"
        return heard.unsure and not (heard.act == "start" and heard.intent in self.starters)

    def look_up(self, flow_cls: type[Flow], turn: Turn, flow: Flow) -> dict:
        """"看看我的社保卡" or "我想查一下审核进度" in the middle of a flow: the lookup's own reply
        (what it says at idle), then the step asked again. It only reads, so nothing given so
        far is thrown away and nothing needs asking first, as a knowledge question mid-flow is
        answered and the step re-asked. (The exact start words and menu clicks keep the
        contract: they end the flow and say so.)"""
        flow_cls(turn).start()  # a single final state: it says its answer and is done
        turn.say("answer.back", prompt=self.talk.again(flow))
        return flow.session()
