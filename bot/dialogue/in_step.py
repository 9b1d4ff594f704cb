"""A message while a service is under way: the step's answer, unless it plainly means more.

Why a module of its own: what a step takes is the flow's business (flows/), but what a person
types at a step is often not an answer at all - a question about the step ("为什么要我的身份证
号"), a change of mind ("算了 我不绑了 我想改密码"), a hold at a confirmation ("等等我再找找"),
a lookup in passing ("看看我的社保卡"), a correction ("身份证输错了"). Each is read here, in
the order below, before the step sees the words; only what is left reaches `flow.answer`.
The exact contract words (取消, a start word, a menu click) never come here: the conversation
routes them first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.dialogue.person import Person, asks_for_a_person
from bot.dialogue.questions import Questions
from bot.dialogue.steps import Steps
from bot.dialogue.talk import NOT_MINE, Talk
from bot.dialogue.wording import (
    CODES,
    CORRECTION,
    FIRST_NO,
    FIRST_YES,
    FOREIGN_ID,
    HOLD,
    HUM,
    JUST_ASKING,
    LACK,
    NO_PHONE,
    REDO_ID,
    THANKS,
    starts_over,
)
from flows.base import Flow, Turn
from flows.language import Understander, Understanding, normalise
from flows.language.clauses import split
from flows.language.slot_names import read_name
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
MAX_CLAUSES = 4  # longer messages are stories, read whole
# services whose bare verb reads as another's: 不解了 while unbinding is read 解挂 (lifting)
SAME_VERB = {"unbind": "lift_loss", "lift_loss": "unbind"}
# "i want to X not Y": a wish, then what it is not (read whole, the "not" negates all of it)
CONTRAST = re.compile(r"\b(want|wanna|need|meant|mean)\b.{1,30}\bnot\b", re.IGNORECASE)
NEGATED_WISH = re.compile(r"\b(don'?t|do not|doesn'?t|never)\s+(want|wanna|need|mean)",
                          re.IGNORECASE)
LONG_NUMBER = re.compile(r"\d{6}")  # a number typed to be read (an ID, two of them), not an age
# whose ID to type, asked ("do i put his id or mine?", "填我的还是孩子的身份证")
WHOSE_ID = re.compile(r"\b(his|hers?|theirs?)\b.{0,12}\bor (mine|my)\b"
                      r"|\b(mine|my own)\b.{0,12}\bor (his|hers?|theirs?)\b"
                      r"|whose id|填谁的|输谁的|我的还是|还是我的", re.IGNORECASE)
TYPO = re.compile(r"错|不好意思|\b(sorry|oops|typo)\b", re.IGNORECASE)  # a word on a slip


class InStep:
    """Built once per app by the Conversation, with its parts and two of its moves (start a
    service, cancel one) passed in; holds no per-message state."""

    def __init__(self, understander: Understander, talk: Talk, steps: Steps,
                 questions: Questions, person: Person, starters: dict[str, type[Flow]],
                 start: Callable[..., dict | None],
                 cancel: Callable[[Turn, Flow | None], dict | None]) -> None:
        self.understander, self.talk, self.steps = understander, talk, steps
        self.questions, self.person, self.starters = questions, person, starters
        self.start, self.cancel = start, cancel

    def route(self, said: str, heard: Understanding, turn: Turn, flow: Flow) -> dict | None:
        """An answer to the step, unless the sentence plainly means something else."""
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
        if sure and heard.intent == "help":
            return self.talk.step_help(turn, flow)
        if self.corrects_id(heard, flow, turn):  # "等等 身份证号输错了 应该是4403…"
            turn.say("step.id_again")  # the new ID taken: a redo would have asked it again
            given = (said, replace(heard, howto=True)) if not about_someone_else(said) else (
                heard.slots["id"], replace(heard, slots={"id": heard.slots["id"]}, howto=True))
            return self.start(type(flow), turn, given=given)  # ("…thats my husbands id": the
            # new ID only; howto: the service is under way, no "step by step" said again)
        name = name_beside_a_typo(said, flow)  # "王强 刚才打错了": the name, mended
        if name is not None:
            step = flow.state
            said_back(turn, "name", name)  # "收到，姓名：张*": read out of a sentence
            flow.answer(name)
            self.steps.go_on(flow, turn, name, step)
            return None if flow.done else flow.session()
        if self.redone(heard, flow):  # "上一步 身份证输错了" at the name step: not a name
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
        if self.means_another_card(said, heard, flow):  # "不是我的 是孩子的卡丢了", or the
            flow.answer(self.talk.catalog.word(flow.specs[flow.state]["other_word"]))  # ID
            if "id" in heard.slots and not flow.done and flow.state == "ask_id":  # of the
                if turn.out and turn.out[-1] == self.talk.prompt(flow):  # card meant: its ID
                    turn.out.pop()  # step takes it (not asked), and the name after it
                flow.answer(said)
                self.steps.go_on(flow, turn, said, "ask_id")
            return None if flow.done else flow.session()
        if self.steps.own_start(heard, flow):  # "我要绑卡" while binding: carry on
            return self.steps.already(turn, flow)
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
        lacks = self.about_the_step(heard, flow)
        proved = self.by_code(heard, turn, flow, lacks)  # the proof step: a code instead
        if proved is not NOT_MINE:
            return proved
        if lacks:  # 不记得了 at the name step: not a wrong answer
            return self.talk.unsure(turn, flow)
        switch = self.switched_to(said, heard, flow)  # "算了 我不绑了 我想改密码"
        if switch is not None:
            return self.talk.confirm_switch(turn, flow, switch)
        if self.unwanted(heard, flow) or self.takes_back(said, heard, flow):  # "我不想绑了" at
            return self.talk.confirm_end(turn, flow)  # the card step: not a wrong card number
        if heard.why and not heard.slots:  # "为什么要我的身份证号": what it is for, kept how
            answered = self.questions.why(heard, turn, flow)  # (after a change of mind: "为
            if answered is not None:  # 什么要身份证 算了我不绑了" asks whether to end)
                return answered
        # At a code step its own words count even when the reading is only middling: "能再发
        # 一次吗" is its 重新发送, "号码早停了" its 手机号已停用
        middling = heard.act == "confirm" and heard.intent in STEP_WORDS  # "didnt get anything"
        if heard.intent in STEP_WORDS and not heard.slots and (heard.act == "start" or middling) \
                and flow.specs[flow.state].get("role") == "code":
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
                and (yes := self.said_yes_no(heard, flow, said)) is not None:
            said = self.talk.catalog.word("yes" if yes else "no")  # 好, 行 -> 是; 不解了 -> 否
        elif yes_no_step and not heard.slots and self.holds_back(said, heard):
            turn.say("confirm.hold")  # "等等我再找找": no hurry; the step asks again below
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

    @staticmethod
    def redone(heard: Understanding, flow: Flow) -> bool:
        """The person wants to fill the service in again ("上一步", "身份证输错了", "go back"):
        there is no way to mend one earlier answer, so it starts over, which they are told."""
        return not heard.slots and starts_over(heard.text, flow.specs[flow.state].get("role"))

    def about_the_step(self, heard: Understanding, flow: Flow) -> bool:
        """The person does not know or have what the step asks ("我不知道", "不记得了" at the
        name step, "密码忘了" where the service password is asked): help, not a switch."""
        if heard.slots:  # an answer after all ("忘了，是张伟")
            return False
        if heard.intent is not None \
                and heard.intent == ABOUT_THE_STEP.get(flow.specs[flow.state].get("role")):
            return True
        if self.questions.lacks(heard, flow) and (heard.intent in (None, flow.name,
                                                                   "forgot_password")
                                                  or heard.act not in ("start", "confirm")):
            return True  # "不记得卡号" at the card step; not "…card got stolen, report it"
        return heard.unsure and not (heard.act == "start" and heard.intent in self.starters)

    def said_yes_no(self, heard: Understanding, flow: Flow, said: str = "") -> bool | None:
        """A yes/no step's answer in the person's words: 好, 行, 对的, 可以 are its 是; a
        refusal of the service itself ("不解了", "算了不挂了") its 否. The step reads only
        its exact words, and asked again "请回复“是”确认" after each of those. A hum (嗯嗯)
        says "I hear you", not "report my card lost": these steps change a card, so it
        is asked again (fixtures/conversations/yes_no_asked_again.yaml)."""
        if heard.yes_no is not None:
            return None if HUM.fullmatch(THANKS.sub("", heard.text)) else heard.yes_no
        if JUST_ASKING.search(heard.text) and not heard.slots and not HOLD.search(heard.text) \
                and "other_word" in flow.specs[flow.state]:  # "不是 没丢 我就问问" at the
            return False  # loss offer; at a confirmation it waits (holds_back)
        if flow.state == "ask_confirm" and said and self.first_no(said):
            return False
        if FIRST_YES.match(heard.text) and heard.act != "negated" and not heard.question \
                and not heard.slots:  # "ok yes unbind": a yes and what it is to
            return True
        about = [name for name, _ in heard.candidates]  # at an offer (是/其他卡/否), "不是这张，
        if heard.act == "negated" and flow.name in about[:2] \
                and flow.state == "ask_confirm":  # 我要挂失孩子的卡" is no 否: asked again
            return False
        if flow.state == "ask_confirm" and not heard.question and (  # "ok nvm keep it", "那算
                (heard.act == "confirm" and heard.intent == "cancel")  # 了先不解了" (解 is
                or (heard.act == "negated" and about[:1] == ["cancel"]  # unbinding's and
                    and SAME_VERB.get(flow.name) in about)):  # lifting's): a no
            return False
        return None

    def first_no(self, said: str) -> bool:
        """A no in a clause of its own at the start, and no later clause that agrees or asks
        for a service: "no wait dont actually, i think its at home" is a no."""
        clauses = split(said)
        while clauses and (HUM.fullmatch(normalise(clauses[0]).text)  # "hmm, no, dont…",
                           or HOLD.fullmatch(normalise(clauses[0]).text)):  # "wait, no"
            clauses = clauses[1:]
        if not clauses or not FIRST_NO.fullmatch(normalise(clauses[0]).text):
            return False
        later = [self.understander.understand(c) for c in clauses[1:]]
        return not any(h.yes_no or (h.act == "start" and h.intent != "cancel") for h in later)

    def holds_back(self, said: str, heard: Understanding) -> bool:
        """Waiting at a yes/no step ("等等我再找找", "我再想想", "let me check first"), with no
        clause that agrees after all: told there is no hurry, and asked again (a no would
        end the service, and its details be typed again after the card is not found)."""
        if not HOLD.search(heard.text):
            return False
        return not any(self.understander.understand(c).yes_no for c in split(said))

    def switched_to(self, said: str, heard: Understanding, flow: Flow) -> type[Flow] | None:
        """A change of mind in one message: a clause takes back the service in progress
        (算了, 不绑了, nvm) and another asks for a different one ("算了 我不绑了 我想改密码",
        "actually nvm, i want to bind it instead"). Read whole, the message is a negation and
        was the step's wrong answer; read clause by clause, it is the other service, asked
        first as any switch is. None when it is not such a message (most are one clause)."""
        clauses = split(said)  # the language stage's clauses: English words are spaced
        top = heard.candidates[0][0] if heard.candidates else None
        contrast = CONTRAST.search(heard.text)
        if contrast and heard.act == "negated" and not heard.slots and top in self.starters \
                and top != flow.name and not NEGATED_WISH.search(heard.text) \
                and self.understander.understand(heard.text[contrast.end():]).intent \
                == flow.name:  # "no i want to LIFT it not report": the wish, then the
            return self.starters[top]  # service in progress it is not
        if heard.slots or len(clauses) < 2 or len(clauses) > MAX_CLAUSES:
            return None
        read = [self.understander.understand(c) for c in clauses]
        dropped = any(h.act == "negated" or (h.act == "start" and h.intent == "cancel")
                      for h in read)
        wanted = [h.intent for h in read if h.act in ("start", "confirm")
                  and h.intent in self.starters and h.intent != flow.name]
        return self.starters[wanted[-1]] if dropped and wanted else None

    @staticmethod
    def means_another_card(said: str, heard: Understanding, flow: Flow) -> bool:
        """At an offer of the card bound here (是 / 其他卡 / 否), another card meant in words:
        another ID typed, or a sentence about a child's or family member's card. Both were
        "请回复“是”、“其他卡”或“否”" again."""
        if "other_word" not in flow.specs[flow.state] or heard.yes_no is not None:
            return False
        other_id = "id" in heard.slots and heard.slots["id"] != flow.slots.get("id")
        return other_id or (about_someone_else(said) and not heard.slots)

    def by_code(self, heard: Understanding, turn: Turn, flow: Flow, lacks: bool) -> Any:
        """At a step that takes a code instead of its answer (`code_word`: the loss proof
        step): a text asked for ("发短信吧"), or the password not known ("我不记得密码了"),
        sends the code; neither known nor a phone ("密码忘了 手机也丢了") says where to go and
        keeps the step. NOT_MINE elsewhere, or for any other message."""
        if "code_word" not in flow.specs[flow.state] or heard.slots:
            return NOT_MINE
        if NO_PHONE.search(heard.text) and LACK.search(heard.text):
            turn.say("step.no_proof")
            turn.say("answer.back", prompt=self.talk.again(flow))
            return flow.session()
        if not (self.wants_a_code(heard, flow) or (lacks and self.code_will_do(heard, flow))):
            return NOT_MINE
        if lacks:  # it was the step's help, "回复“验证码”"
            turn.say("step.code_instead")
        flow.answer(self.talk.catalog.word(flow.specs[flow.state]["code_word"]))
        return None if flow.done else flow.session()

    @staticmethod
    def code_will_do(heard: Understanding, flow: Flow) -> bool:
        """The step takes a code instead of its answer, and the phone can take one ("手机和
        卡一起丢了 收不到短信": a code there is no help)."""
        return "code_word" in flow.specs[flow.state] and not NO_PHONE.search(heard.text) \
            and [name for name, _ in heard.candidates][:1] != ["phone_lost"]

    @staticmethod
    def wants_a_code(heard: Understanding, flow: Flow) -> bool:
        """A sentence asking for a text message where the step takes one instead of its
        answer: it counted as a wrong password, three of them ending a loss report."""
        return InStep.code_will_do(heard, flow) and not heard.slots \
            and CODES.search(heard.text) is not None and not heard.question \
            and heard.act != "negated" and not any(c.isdigit() for c in heard.text)

    @staticmethod
    def unwanted(heard: Understanding, flow: Flow) -> bool:
        """The service in progress, negated ("我不想绑了", "不想挂失了"), or taken back as a
        middling 取消 ("不用挂了"): they changed their mind. Asked once before ending (a
        sentence, not 取消); a yes/no step reads its own 不."""
        if heard.slots or heard.yes_no is not None \
                or flow.specs[flow.state].get("role") == "confirm":
            return False
        about = [name for name, _ in heard.candidates]  # "算了，不绑了": cancel, bind_card;
        # "算了不挂了 我再找找": cancel, human, report_loss (at most three candidates)
        if heard.act == "negated" and flow.name in about and about[0] in (flow.name, "cancel"):
            return True  # "为什么要身份证 算了我不绑了" too, a question beside it
        if heard.question:  # "刚才填的还在不" asks (its 不 is the spoken yes-or-no)
            return False
        if heard.act == "negated":  # "还是算了 不解了" while unbinding: cancel, lift_loss (解
            return about[:1] == ["cancel"] and SAME_VERB.get(flow.name) in about  # is either's)
        return heard.act == "confirm" and heard.intent == "cancel"  # "不用挂了"

    def takes_back(self, said: str, heard: Understanding, flow: Flow) -> bool:
        """A clause of a longer message takes the service back ("等等 我老婆说卡在抽屉里 不用挂
        了" at the code step): read whole, the story drowned it, and the step read the
        message as a wrong code. Not at a yes/no step (its own 不 is read there), nor beside
        an answer to the step or a clause that asks for a service."""
        if heard.slots or heard.question or flow.specs[flow.state].get("role") == "confirm":
            return False  # "不是说不用挂失吗 为什么还要验证码" asks why
        clauses = split(said)
        if not 2 <= len(clauses) <= MAX_CLAUSES:
            return False
        read = [self.understander.understand(c) for c in clauses]
        if any(h.act == "start" and h.intent not in (None, "cancel") for h in read):
            return False
        return any(self.unwanted(h, flow) for h in read)

    def look_up(self, flow_cls: type[Flow], turn: Turn, flow: Flow) -> dict:
        """"看看我的社保卡" or "我想查一下审核进度" in the middle of a flow: the lookup's own reply
        (what it says at idle), then the step asked again. It only reads, so nothing given so
        far is thrown away and nothing needs asking first, as a knowledge question mid-flow is
        answered and the step re-asked. (The exact start words and menu clicks keep the
        contract: they end the flow and say so.)"""
        flow_cls(turn).start()  # a single final state: it says its answer and is done
        turn.say("answer.back", prompt=self.talk.again(flow))
        return flow.session()


def name_beside_a_typo(said: str, flow: Flow) -> str | None:
    """At the name step, a name and a word on a typo ("王强 刚才打错了", "陈晨 打错字了"):
    the name, typed again to mend the last one. It started the service over (a typo
    read as the ID's), or was no name at all; an ID's typo still starts over."""
    if flow.specs[flow.state].get("role") != "name" or REDO_ID.search(normalise(said).text):
        return None
    clauses = split(said)
    if not 2 <= len(clauses) <= MAX_CLAUSES:
        return None
    rest = [c for c in clauses if TYPO.search(c)]
    names = [read_name(c) for c in clauses if c not in rest
             and not starts_over(normalise(c).text, "name")]
    found = [n for n in names if n]
    return found[0] if rest and len(found) == 1 else None
