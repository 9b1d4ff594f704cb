"""Who answers a message: the flow in progress, a service to start, an answer, or a choice.

The dialogue policy, split out of the engine so the engine keeps only the 5-second window.
Reads what the language stage understood (flows/language), and the step-level words of
wording.py: exact start words and menu clicks keep the flow-switch contract; a *sentence*
that looks like another service asks first; the one pending choice (the last numbered list
or yes/no question the bot sent) is what the very next message's number or 是/否 refers to,
and that message uses it up. Nothing is a dead end: what is not understood gets what the
bot can do, numbered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from wechatpy.messages import BaseMessage

from bot.dialogue.guardian import ENDED, Guardian
from bot.dialogue.person import SERVE, Person
from bot.dialogue.questions import Questions
from bot.dialogue.steps import Steps
from bot.dialogue.talk import NOT_MINE, Talk, offer_of
from bot.dialogue.wording import (
    ABOUT_AGENTS,
    CARRY_ON,
    CODES,
    FIRST_NO,
    FOREIGN_ID,
    HOLD,
    HUM,
    TAKEN,
    THANKS,
    starts_over,
)
from bot.protocol import event_of, kind_of
from bot.protocol.kf import KF_EVENTS
from bot.protocol.subscribe import SUBSCRIBE_EVENTS
from flows.base import Flow, Turn
from flows.catalog import Catalog
from flows.knowledge.routing import asks_for_it
from flows.language import Understander, Understanding, normalise
from flows.language.clauses import split
from flows.language.slots import about_someone_else, find_slots, without_slots

log = logging.getLogger(__name__)
SILENT_EVENTS = {"view", "location", "templatesendjobfinish", "masssendjobfinish",
                 "view_miniprogram", "scancode_push", "pic_sysphoto", "pic_photo_or_album",
                 "pic_weixin", "location_select"}
MEDIA = {"image", "voice", "video", "shortvideo", "location", "link", "file"}
STEP_WORDS = ("resend", "phone_lost")  # intents a code step reads as its own answers
COMMANDS = ("cancel", "help", "menu")  # exact words that mean the same in every step
# A question in a flow is first about the step ("怎么查姓名" at the name step); only one that
# plainly names another service ("怎么挂失？") offers to switch to it.
SURE_QUESTION = 0.9
# A person asked for this surely, even in a middling reading ("can i talk to a real person pls
# this bot is useless", "get me a person"), is handed over at idle rather than asked "您是想…":
# a hand-over changes no card and "取消" leaves the queue; "我再找找" (0.62) is no such ask.
HANDOVER_AT = 0.65
# A middling reading of a request asked for in so many words ("帮我…", "快点挂失") starts its
# service when no other service is this near: "…社保卡也在里面快点挂失" (0.67, lift 0.54)
LEAD = 0.1
# A candidate service this near is worth offering ("我的卡号A12345678丢了": 挂失), so a number
# typed at idle beside it is no bare number ("我的身份证号是110…" is)
OFFER_NEAR = 0.3
# The service whose sentences are about what a step asks for: at the step asking for the
# service password, "密码忘了" wants that step's help (a code will do), not 忘记密码.
ABOUT_THE_STEP = {"password": "forgot_password"}
# What a first step may take from the reply to "办理…吗？回复“是”开始": its answer is a yes.
OFFER_ANSWERS = ("id", "card")
# Services that only read and answer at once (a single final state): asked for in a sentence
# mid-flow, they are answered there and the step is kept (Conversation.look_up).
LOOKUPS = ("my_card", "progress")
# Small talk a step never takes as its answer: "谢谢" is nobody's name, "你好" no card number.
# A goodbye is left to the step (read there as before); a bare "好的" is an acknowledgement,
# asked about again by bot/dialogue/steps.py unless the step reads it (好的 answers a yes/no step).
IN_STEP_TALK = ("thanks", "greeting")
# The holder's slots that the sentence starting a service may already give (never a code, a
# password or a guardian's ID: those are asked at their own step).
GIVEN_SLOTS = ("id", "name", "card")

MAX_CLAUSES = 4  # longer messages are stories, read whole


class Conversation:
    """Routes one message of one follower; built once per app, shared by every turn."""

    def __init__(self, catalog: Catalog, flows: Iterable[type[Flow]],
                 understander: Understander, answers: Any = None, handover: Any = None,
                 family: Any = None, grants: Any = None, pauses: Any = None) -> None:
        """`family` is the desk that asks guardians in their own chat (bot/family; None:
        guardians are asked by SMS only); `grants` notes subscribe-notice answers
        (bot/outbound/grants.py; None: ignored); `pauses` remembers the locks a follower met,
        so a service says so before its first question (bot/store/pauses.py; None: only
        when met again)."""
        self.catalog, self.understander = catalog, understander
        self.flows = {f.name: f for f in flows}
        self.starters = {f.keywords: f for f in self.flows.values()}
        self.starters.update({f.menu_key: f for f in self.flows.values() if f.menu_key})
        self.talk = Talk(catalog, list(self.flows.values()), answers)
        self.person = Person(handover, self.talk)  # bot/handover: None without customer service
        self.guardian = Guardian(family, self.talk)  # requests waiting in a guardian's chat
        self.steps = Steps(self.talk)  # acks, own start words, several answers at once
        self.questions = Questions(self.talk)  # answered before a start, a request, in a step
        self.grants, self.pauses = grants, pauses

    def speak(self, catalog: Catalog) -> None:
        """Answer in another language from the next message on (the simulator's `lang`); the
        family desk's messages to guardians and minors too (they went out in the old one)."""
        self.catalog = self.talk.catalog = catalog
        if self.guardian.desk is not None:
            self.guardian.desk.tell.catalog = catalog

    def route(self, msg: BaseMessage, turn: Turn, session: dict | None) -> dict | None:
        """Decide who answers; returns the session to keep (None drops it)."""
        turn.family = self.guardian.desk  # a minor's bind may ask their guardian in chat
        # a lock met before is said before the first question; read with the session
        turn.pauses = self.pauses.with_known(turn.known) if self.pauses is not None else None
        flow = self.restore(turn, session)
        kind = kind_of(msg)
        if kind == "voice" and getattr(msg, "recognition", None):
            kind, said = "text", msg.recognition  # speech the platform already transcribed
        else:
            said = getattr(msg, "content", "") or ""
        if kind == "event":
            return self.on_event(msg, turn, flow)
        if kind in MEDIA:
            if flow is not None:
                turn.say("need_text", prompt=self.talk.again(flow))
                return flow.session()
            # A picture or a voice without words is not "not understood": say what is read
            idle = "location_idle" if kind == "location" else "media_idle"
            return self.talk.with_menu(turn, idle)
        if kind != "text":
            log.info("unknown message type %r answered with success", kind)
            return session
        return self.on_text(said, turn, flow, session or {})

    def on_text(self, said: str, turn: Turn, flow: Flow | None, session: dict) -> dict | None:
        heard = self.hear(said)
        turn.understood = heard  # for the inspector and `wxbot chat`'s /why
        command = self.catalog.command(heard.text)
        exact = command if command in COMMANDS or command in self.starters else None
        leaving = "cancel" if exact is None and self.leaves(heard) else exact
        routed = self.person.before(said, turn, flow, leaving, session or None)
        if routed is not SERVE:
            return routed
        routed = self.guardian.before(heard, turn, flow, session)
        if routed is not SERVE:
            return routed
        if exact is None and self.guardian.settled(flow):  # the guardian decided while the
            flow.answer(said)  # minor waited: the step reads it first ("还在吗", "好了没");
            return None if flow.done else flow.session()  # commands go their own way
        pending = session.get("pending")
        if pending and pending.get("kind") == "confirm" and flow is None \
                and heard.yes_no is None and heard.choice is None:
            started = self.start_answered(pending["options"], said, heard, turn)
            if started is not NOT_MINE:
                return started
        if pending and pending.get("kind") in ("end", "confirm") and flow is not None \
                and CARRY_ON.fullmatch(heard.text):  # "要结束…吗？…回复“否”继续当前步骤": 继续
            return self.talk.carry_on(turn, flow)  # is that 否, never the 是 it reads as
        if pending and pending.get("kind") == "end" and flow is not None \
                and heard.yes_no is not None:  # 是: end the flow they said they did not want
            return self.cancel(turn, flow) if heard.yes_no else self.talk.carry_on(turn, flow)
        if pending and self.steps.unclear(pending, heard, said, flow, exact):
            return self.steps.ask_again(turn, flow, pending)  # neither yes nor no: ask again
        if pending and (heard.choice is not None or heard.yes_no is not None):
            resolved = self.talk.resolve(pending, heard, turn, flow, self.start)
            if resolved is not NOT_MINE:
                return resolved
        if exact == "menu" and heard.small_talk == "greeting":  # 你好: a hello, then the menu
            return self.greet(turn, flow, session)
        if exact is not None and self.steps.reads_start(flow, exact):  # 亲情服务's menu: "添加
            flow.answer(said)  # 家人", "重置密码" are its picks, read by the step itself
            return None if flow.done else flow.session()
        if exact is not None:  # the other catalog words (是, 其他卡…) are a step's own answers
            return self.on_command(exact, turn, flow)
        if flow is not None:
            return self.in_flow(said, heard, turn, flow)
        return self.idle(heard, turn, session, said)

    def hear(self, said: str) -> Understanding:
        """The language stage's reading, with the slots the sentence gives. A sentence that
        carries answers ("我要绑卡 身份证110105… 张伟 卡号A…") is read for its service
        without them too: numbers and a name are words no example has, and they made a
        plain request only "您是想…吗", after which the answers were asked for again."""
        heard = self.understander.understand(said)
        slots = find_slots(said)
        if slots and heard.act != "start":
            bare = self.understander.understand(without_slots(said, slots.get("name")))
            if bare.act == "start":
                heard = replace(bare, text=heard.text, question=heard.question)
        heard.slots.update(slots)
        return heard

    def on_command(self, command: str, turn: Turn, flow: Flow | None) -> dict | None:
        """The exact words of the contract: cancel, help, menu, a start word."""
        if command == "cancel":
            return self.cancel(turn, flow)
        if command == "help":
            if flow is None:
                return self.talk.with_menu(turn, "help_idle")
            return self.talk.step_help(turn, flow)
        if command == "menu":
            return self.talk.menu(turn, flow)
        if command in self.starters:  # before answering: a start word is never a wrong answer
            return self.start_or_keep(self.starters[command], turn, flow)
        raise ValueError(f"not a command: {command!r}")

    def cancel(self, turn: Turn, flow: Flow | None) -> dict | None:
        """取消 ends the flow; a bind waiting for the guardian withdraws its request first."""
        said = self.guardian.cancelled(flow)
        if said == ENDED:
            return None
        return self.talk.with_menu(turn, said or ("cancelled" if flow else "nothing_to_cancel"))

    def in_flow(self, said: str, heard: Understanding, turn: Turn, flow: Flow) -> dict | None:
        """An answer to the step, unless the sentence plainly means something else."""
        sure = heard.act == "start" and not heard.slots
        if sure and heard.intent == "cancel":
            return self.cancel(turn, flow)
        if sure and heard.intent == "human":
            return self.person.request(turn, flow)
        if sure and heard.intent == "help":
            return self.talk.step_help(turn, flow)
        if self.redone(heard, flow):  # "上一步 身份证输错了" at the name step: not a name
            turn.say("redo", title=self.catalog.text(flow.title))
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
        if self.steps.own_start(heard, flow):  # "我要绑卡" while binding: carry on
            return self.steps.already(turn, flow)
        if FOREIGN_ID.search(heard.text) and "id" not in heard.slots \
                and flow.specs[flow.state].get("role") in ("id", "guardian"):  # "only passport"
            turn.say("step.foreign_id")  # was "not an ID number" on a loop
            turn.say("answer.back", prompt=self.talk.again(flow))
            return flow.session()
        if self.about_the_step(heard, flow):  # 不记得了 at the name step: not a wrong answer
            return self.talk.unsure(turn, flow)
        switch = self.switched_to(said, heard, flow)  # "算了 我不绑了 我想改密码"
        if switch is not None:
            return self.talk.confirm_switch(turn, flow, switch)
        if self.unwanted(heard, flow):  # "我不想绑了" at the card step: not a wrong card number
            return self.talk.confirm_end(turn, flow)
        if heard.why and not heard.slots:  # "为什么要我的身份证号": what it is for, kept how
            answered = self.questions.why(heard, turn, flow)  # (after a change of mind: "为
            if answered is not None:  # 什么要身份证 算了我不绑了" asks whether to end)
                return answered
        # At a code step its own words count even when the reading is only middling: "能再发
        # 一次吗" is its 重新发送, "号码早停了" its 手机号已停用
        middling = heard.act == "confirm" and heard.intent in STEP_WORDS  # "didnt get anything"
        if heard.intent in STEP_WORDS and not heard.slots and (heard.act == "start" or middling) \
                and flow.specs[flow.state].get("role") == "code":
            said = self.catalog.word(heard.intent)
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
            said = self.catalog.word("yes" if yes else "no")  # 好, 行 -> 是; 不解了 -> 否
        elif yes_no_step and not heard.slots and self.holds_back(said, heard):
            turn.say("confirm.hold")  # "等等我再找找": no hurry; the step asks again below
        step = flow.state
        flow.answer(said)
        self.steps.go_on(flow, turn, said, step)  # "110105… 张伟": the name step too
        return None if flow.done else flow.session()

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
        if flow.state == "ask_confirm" and said and self.first_no(said):
            return False
        about = [name for name, _ in heard.candidates]  # at an offer (是/其他卡/否), "不是这张，
        if heard.act == "negated" and flow.name in about[:2] \
                and flow.state == "ask_confirm":  # 我要挂失孩子的卡" is no 否: asked again
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

    @staticmethod
    def leaves(heard: Understanding) -> bool:
        """A sentence whose nearest meaning is 取消 ("算了不用了 取消", "不等了 取消吧"): while
        queued for a person it leaves the queue as the word itself does, or the agent took
        them anyway (a new user's run). Elsewhere the sentence is read as before."""
        return bool(heard.candidates) and heard.candidates[0][0] == "cancel" \
            and heard.act in ("start", "confirm", "negated") and not heard.slots

    def switched_to(self, said: str, heard: Understanding, flow: Flow) -> type[Flow] | None:
        """A change of mind in one message: a clause takes back the service in progress
        (算了, 不绑了, nvm) and another asks for a different one ("算了 我不绑了 我想改密码",
        "actually nvm, i want to bind it instead"). Read whole, the message is a negation and
        was the step's wrong answer; read clause by clause, it is the other service, asked
        first as any switch is. None when it is not such a message (most are one clause)."""
        clauses = split(said)  # the language stage's clauses: English words are spaced
        if heard.slots or len(clauses) < 2 or len(clauses) > MAX_CLAUSES:
            return None
        read = [self.understander.understand(c) for c in clauses]
        dropped = any(h.act == "negated" or (h.act == "start" and h.intent == "cancel")
                      for h in read)
        wanted = [h.intent for h in read if h.act in ("start", "confirm")
                  and h.intent in self.starters and h.intent != flow.name]
        return self.starters[wanted[-1]] if dropped and wanted else None

    @staticmethod
    def unwanted(heard: Understanding, flow: Flow) -> bool:
        """The service in progress, negated ("我不想绑了", "不想挂失了"): they changed their mind.
        Asked once before ending (a sentence, not 取消); a yes/no step reads its own 不."""
        negated = heard.act == "negated" and not heard.slots and heard.yes_no is None
        about = [name for name, _ in heard.candidates]  # "算了，不绑了": cancel, bind_card;
        # "算了不挂了 我再找找": cancel, human, report_loss (at most three candidates)
        return negated and flow.name in about and about[0] in (flow.name, "cancel") \
            and flow.specs[flow.state].get("role") != "confirm"

    def idle(self, heard: Understanding, turn: Turn, session: dict, said: str = "") -> dict | None:
        """No flow: start, answer, ask, or say what the bot can do — in that order; small talk
        (谢谢, 再见, 好的, 你好呀) first, answered in kind."""
        intent = heard.intent
        if heard.small_talk is not None and intent in (None, "menu"):
            if heard.small_talk == "greeting":
                return self.greet(turn, None, session)
            return self.talk.small_talk(heard.small_talk, turn, session.get("misses", 0))
        if heard.choice is not None and not heard.slots:  # "5" with no list pending (the menu
            return self.talk.with_menu(turn, "pick.none")  # seen yesterday): the menu, to pick
            # from; never a guess at which list it was (a "did you mean" list numbers others)
        if intent in self.starters and (heard.act == "start"
                                        or (heard.act == "confirm" and heard.question)):
            # a question near a service may be our card's topic no service touches
            # ("社保卡余额怎么查" near 我的社保卡): where to ask, before a start or "您是想…吗"
            answered = self.questions.before_start(heard, turn)
            if answered is not False:
                return answered
            if heard.act == "confirm" and not asks_for_it(heard):
                return self.talk.confirm_start(turn, self.starters[intent])
            if heard.howto:
                turn.say("howto", title=self.catalog.text(self.starters[intent].title))
            others = [self.catalog.text(self.starters[o].title) for o in heard.also
                      if o in self.starters]
            if others:  # "社保卡丢了，密码也忘了": the loss first, the reset told to follow
                turn.say("also_after", title=self.catalog.text(self.starters[intent].title),
                         others="”“".join(others) if self.catalog.lang != "en"
                         else '", "'.join(others))
            return self.start(self.starters[intent], turn, given=(said, heard))
        if heard.act == "negated" and not heard.question:  # never a start: say what was not
            # done, offer the menu; "验证码能告诉别人不" asks (its 不 is the spoken yes-or-no)
            meant = [c for c, _ in heard.candidates if c in self.starters][:1]
            if meant:
                turn.say("negated", title=self.catalog.text(self.starters[meant[0]].title))
            else:
                turn.say("confirm.declined")
            return None
        if heard.act in ("start", "confirm") and intent == "phone_lost":  # a code step's word:
            return self.talk.with_menu(turn, "phone_lost_idle")  # what the phone is for here
        if intent == "resend" and heard.act == "start" \
                and (heard.reason == "exact" or CODES.search(heard.text)):  # "验证码没收到"
            turn.say("resend_idle")  # after a flow ended; not "whats my card number again"
            return None
        if intent == "resend":  # only near it ("社保卡过期了还能用吗": 过期 is a code's word):
            heard = replace(heard, intent=None, act="none", candidates=tuple(  # no code to
                pair for pair in heard.candidates if pair[0] != "resend"))  # resend, no miss
        if TAKEN.search(heard.text) and intent not in self.starters:  # "我的卡被别人绑了":
            turn.say("card_taken")  # what to do at once, before any answer or guess
            return None
        if heard.reason == "exact" and intent in COMMANDS:  # "菜单在哪" asks for the menu
            return self.on_command(intent, turn, None)
        if intent == "human" and heard.act == "confirm" and heard.confidence >= HANDOVER_AT \
                and not ABOUT_AGENTS.search(heard.text):  # "what are the customer service hours"
            return self.person.request(turn, None)
        if heard.complaint and heard.act == "none":  # "你们这啥破玩意 弄半天弄不好": an
            misses = session.get("misses", 0) + 1  # apology and a person, not "答不上来"
            return self.talk.not_understood(heard, turn, misses, [])
        if heard.slots and heard.act == "none" and not heard.question \
                and not near_a_service(heard):  # "我的身份证号是110…" with no service: pick
            return self.talk.with_menu(turn, "slots_idle")  # one first ("卡号…丢了" is near)
        if heard.act == "confirm" and intent in self.starters and not heard.question \
                and asks_for_it(heard) and leads(heard):  # "…社保卡也在里面快点挂失": asked
            return self.start(self.starters[intent], turn, given=(said, heard))  # for, hurried
        if heard.question or heard.act in ("fact", "none", "confirm"):
            answered = self.talk.answer(heard, turn, choices=heard.act != "confirm",
                                        misses=session.get("misses", 0),
                                        about=offer_of(session.get("pending")))
            if answered is not False:  # "社保卡能干什么" is about the card, not the menu
                return answered
        if heard.act == "confirm" and intent in self.starters:
            return self.talk.confirm_start(turn, self.starters[intent])
        if heard.act == "start" and intent in COMMANDS:
            return self.on_command(intent, turn, None)
        if heard.act == "start" and intent == "human":
            return self.person.request(turn, None)
        answered = self.questions.request(heard, turn)  # "补卡": no service, an answer
        if answered is not False:
            return answered
        if heard.yes_no is not None and heard.act == "none":  # nothing asked: "否" is fine as
            if not heard.yes_no:  # it is; "是" says no question waits (the one it answered
                return self.talk.small_talk("ack", turn)  # has ended), never "没有听懂"
            return self.talk.with_menu(turn, "nothing_to_answer")
        if heard.slots and not heard.candidates:  # "110105…" typed with no service under way:
            return self.talk.with_menu(turn, "slots_idle")  # what to do first, no miss
        return self.talk.not_understood(heard, turn, session.get("misses", 0) + 1,
                                        [c for c, _ in heard.candidates if c in self.starters])

    def look_up(self, flow_cls: type[Flow], turn: Turn, flow: Flow) -> dict:
        """"看看我的社保卡" or "我想查一下审核进度" in the middle of a flow: the lookup's own reply
        (what it says at idle), then the step asked again. It only reads, so nothing given so
        far is thrown away and nothing needs asking first, as a knowledge question mid-flow is
        answered and the step re-asked. (The exact start words and menu clicks keep the
        contract: they end the flow and say so.)"""
        flow_cls(turn).start()  # a single final state: it says its answer and is done
        turn.say("answer.back", prompt=self.talk.again(flow))
        return flow.session()

    def greet(self, turn: Turn, flow: Flow | None, session: dict) -> dict | None:
        """你好 / hello: a hello before the menu (a flow in progress keeps its step)."""
        if flow is not None:
            return self.talk.small_talk_in_step("greeting", turn, flow)
        return self.talk.small_talk("greeting", turn, session.get("misses", 0))

    def on_event(self, msg: BaseMessage, turn: Turn, flow: Flow | None) -> dict | None:
        event = event_of(msg)
        keep = flow.session() if flow else None
        if event in ("subscribe", "subscribe_scan"):
            return self.talk.with_menu(turn, "welcome", flow)
        if event == "unsubscribe":
            return None
        if event in KF_EVENTS:
            return self.person.on_event(msg, turn, flow, keep)
        if event in SUBSCRIBE_EVENTS:  # the platform's bookkeeping: noted, nothing said
            if self.grants is not None:
                self.grants.heard(msg)
            return keep
        if event == "click" and msg.key in self.starters:
            self.person.clicked(turn)  # queued for a person: the button is their choice now
            return self.start_or_keep(self.starters[msg.key], turn, flow)
        if event in ("click", "scan", "scancode_waitmsg"):
            return self.talk.menu(turn, flow)
        if event not in SILENT_EVENTS:
            log.info("unknown event %r answered with success", event)
        return keep

    def start_or_keep(self, flow_cls: type[Flow], turn: Turn, flow: Flow | None) -> dict | None:
        """A start word or menu button: the service it names, ending the one in progress; the
        service in progress itself carries on with what was given (step.already)."""
        if flow is not None and flow.name == flow_cls.name:
            return self.steps.already(turn, flow)
        return self.start(flow_cls, turn, ending=flow)

    def start(self, flow_cls: type[Flow], turn: Turn, ending: Flow | None = None,
              given: tuple[str, Understanding] | None = None) -> dict | None:
        """Start `flow_cls`; a flow still under way (`ending`) ends first, in one line said
        (a bind waiting for the guardian withdraws the request and says so instead).
        `given`: the sentence that started it and what was heard in it, whose holder's slots
        answer the first steps (see take_given)."""
        if ending is not None and self.guardian.cancelled(ending, switching=True) != ENDED:
            turn.say("switched", title=self.catalog.text(ending.title))
        flow = flow_cls(turn)
        said_before = len(turn.out)
        flow.start()
        if given is not None:
            self.take_given(flow, turn, said_before, *given)
        return None if flow.done else flow.session()

    def take_given(self, flow: Flow, turn: Turn, said_before: int, said: str,
                   heard: Understanding) -> None:
        """"我要绑定社保卡，身份证号…" or "忘记密码了，我叫张伟，身份证…": each step from the first
        on whose slot the sentence gave (read confidently: one value of its kind) takes it, as
        if typed at that step, so only what is missing is asked; the first step's own question
        is not said when answered. A sentence about another person ("帮我孩子绑卡，我的身份证
        是…") gives nothing: the ID in it may be the speaker's, not the holder's."""
        if about_someone_else(said):
            return
        while not flow.done and flow.specs[flow.state].get("role") in GIVEN_SLOTS \
                and flow.specs[flow.state]["role"] in heard.slots:
            state = flow.state
            if len(turn.out) > said_before and turn.out[-1] == self.talk.prompt(flow):
                turn.out.pop()  # the step's question, answered at once: not asked
                if len(turn.out) == said_before and not heard.howto:
                    turn.say("howto", title=self.talk.title(flow.name))
            flow.answer(said)
            if flow.state == state:  # not taken (a mismatch, a card bound elsewhere…): asked
                return

    def start_answered(self, options: list[str], said: str, heard: Understanding,
                       turn: Turn) -> Any:
        """"要办理“绑定社保卡”吗？回复“是”开始" answered with the first step's answer ("他的
        身份证是…"): a yes, and that answer read, instead of "没有听懂" and the menu to a person
        who plainly went ahead (found talking to wxbot demo). NOT_MINE when it is no such reply.
        """
        flow_cls = self.flows.get(options[0]) if len(options) == 1 else None
        first = flow_cls.specs[flow_cls.initial].get("role") if flow_cls else None
        if flow_cls is None or first not in OFFER_ANSWERS or first not in heard.slots:
            return NOT_MINE
        said_before = len(turn.out)
        flow = flow_cls(turn)
        flow.start()
        if flow.done or flow.state != flow_cls.initial:
            return None if flow.done else flow.session()  # e.g. a card bound here already
        if turn.out[said_before:] == [self.talk.prompt(flow)]:  # not asked what is answered:
            turn.out[said_before:] = [self.catalog.text("howto", title=self.talk.title(flow.name))]
        flow.answer(said)
        return None if flow.done else flow.session()

    def restore(self, turn: Turn, session: dict | None) -> Flow | None:
        """The flow this session is in, or None (none, or from an older flow definition)."""
        if not session or session.get("flow") not in self.flows:
            return None
        flow_cls = self.flows[session["flow"]]
        if session.get("state") not in flow_cls.specs:
            return None  # a session from an older flow definition: start over
        return flow_cls(turn, session["state"], session.get("slots", {}))


def leads(heard: Understanding) -> bool:
    """Whether the reading's service is LEAD clear of the next one (no close guess)."""
    scores = [score for _, score in heard.candidates]
    return len(scores) < 2 or scores[0] - scores[1] >= LEAD


def near_a_service(heard: Understanding) -> bool:
    """Whether the reading's best service is near enough to be offered (OFFER_NEAR)."""
    return bool(heard.candidates) and heard.candidates[0][1] >= OFFER_NEAR

