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

from bot.dialogue import topic
from bot.dialogue.guardian import ENDED, Guardian
from bot.dialogue.idle import Idle
from bot.dialogue.in_step import InStep
from bot.dialogue.person import SERVE, Person
from bot.dialogue.questions import Questions
from bot.dialogue.readings import for_a_child
from bot.dialogue.steps import Steps
from bot.dialogue.talk import NOT_MINE, Talk
from bot.dialogue.wording import CARRY_ON, COMMANDS, ITEM_ASKED, OWN_CARD
from bot.protocol import event_of, kind_of
from bot.protocol.kf import KF_EVENTS
from bot.protocol.subscribe import SUBSCRIBE_EVENTS
from flows.base import Flow, Turn
from flows.catalog import Catalog
from flows.language import Understander, Understanding
from flows.language.slots import about_someone_else, find_slots, read_slot, without_slots
from flows.reading import said_back

log = logging.getLogger(__name__)
SILENT_EVENTS = {"view", "location", "templatesendjobfinish", "masssendjobfinish",
                 "view_miniprogram", "scancode_push", "pic_sysphoto", "pic_photo_or_album",
                 "pic_weixin", "location_select"}
MEDIA = {"image", "voice", "video", "shortvideo", "location", "link", "file"}
# What a first step may take from the reply to "办理…吗？回复“是”开始": its answer is a yes.
OFFER_ANSWERS = ("id", "card")
# The holder's slots that the sentence starting a service may already give (never a code, a
# password or a guardian's ID: those are asked at their own step).
GIVEN_SLOTS = ("id", "name", "card")


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
        self.guardian = Guardian(family, self.talk, understander)  # requests waiting in a
        # guardian's chat
        self.steps = Steps(self.talk)  # acks, own start words, several answers at once
        self.questions = Questions(self.talk)  # answered before a start, a request, in a step
        self.grants, self.pauses = grants, pauses
        # the two places a free sentence lands: a step waiting for it, or none (idle)
        self.in_step = InStep(understander, self.talk, self.steps, self.questions, self.person,
                              self.starters, start=self.start, cancel=self.cancel)
        self.idle = Idle(self.talk, self.questions, self.person, self.starters,
                         start=self.start, command=self.on_command)

    def speak(self, catalog: Catalog) -> None:
        """Answer in another language from the next message on (the simulator's `lang`); the
        family desk's messages to guardians and minors too (they went out in the old one)."""
        self.catalog = self.talk.catalog = catalog
        if self.guardian.desk is not None:
            self.guardian.desk.tell.catalog = catalog

    def route(self, msg: BaseMessage, turn: Turn, session: dict | None) -> dict | None:
        """Decide who answers; returns the session to keep (None drops it), with what was
        just talked about (bot/dialogue/topic.py) for a follow-up to lean on."""
        kept = self.dispatch(msg, turn, session)
        if kind_of(msg) == "event" and event_of(msg) == "unsubscribe":
            return kept  # one who left keeps nothing, not even what was just said
        return topic.keep(turn, session, kept, self.flows)

    def dispatch(self, msg: BaseMessage, turn: Turn, session: dict | None) -> dict | None:
        """Who answers: an event, media, or text (a step, a command, a pending choice, idle)."""
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
        routed = self.guardian.before(heard, turn, flow, session, said)
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
        asked = ITEM_ASKED.match(heard.text) if pending and pending.get("kind") == "pick" \
            else None  # "6是干啥的" with the menu shown
        if asked is not None:
            explained = self.talk.explain_item(pending, int(asked.group(1) or asked.group(2)),
                                               turn, flow)
            if explained is not NOT_MINE:
                return explained
        if pending and self.steps.unclear(pending, heard, said, flow, exact,
                                          topic.of(session, turn.clock.now())):
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
        if exact is None and heard.act == "start" and heard.intent is not None \
                and not heard.slots and self.steps.reads_start(flow, heard.intent) \
                and (heard.intent == flow.name or for_a_child(said)):  # in a
            flow.answer(said)  # sentence too: "帮他改个密码" there is the member's reset (it
            return None if flow.done else flow.session()  # offered the holder's own instead)
        if exact is not None:  # the other catalog words (是, 其他卡…) are a step's own answers
            return self.on_command(exact, turn, flow)
        if flow is not None:
            return self.in_step.route(said, heard, turn, flow)
        return self.guardian.keep_asking(pending, self.idle.route(heard, turn, session, said),
                                         turn)

    def hear(self, said: str) -> Understanding:
        """The language stage's reading, with the slots the sentence gives. A sentence that
        carries answers ("我要绑卡 身份证110105… 张伟 卡号A…") is read for its service
        without them too: numbers and a name are words no example has, and they made a
        plain request only "您是想…吗", after which the answers were asked for again."""
        heard = self.understander.understand(said)
        slots = find_slots(said)
        if slots and heard.act != "start":
            bare = self.understander.understand(without_slots(said, slots.get("name")))
            if bare.act == "start" or (bare.act == "confirm" and heard.act == "none"):
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

    @staticmethod
    def leaves(heard: Understanding) -> bool:
        """A sentence whose nearest meaning is 取消 ("算了不用了 取消", "不等了 取消吧"): while
        queued for a person it leaves the queue as the word itself does, or the agent took
        them anyway (a new user's run). Elsewhere the sentence is read as before."""
        return bool(heard.candidates) and heard.candidates[0][0] == "cancel" \
            and heard.act in ("start", "confirm", "negated") and not heard.slots

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
        是…") gives nothing: the ID in it may be the speaker's, not the holder's. A flow whose
        first step is a menu of actions (`answered_by`: 亲情服务) takes the sentence's pick."""
        answered_by = getattr(flow, "answered_by", None)  # a menu the sentence picks at
        if flow.state == type(flow).initial and answered_by is not None and answered_by(said):
            self.unask(turn, flow, said_before)
            flow.answer(said)
            return
        spec = flow.specs[flow.state]
        if "other_word" in spec and about_someone_else(said, kin_only=True) \
                and not OWN_CARD.search(said):  # "儿子的卡丢了
            self.unask(turn, flow, said_before)  # 帮他挂失": not the card bound here (offered
            flow.answer(self.catalog.word(spec["other_word"]))  # first, it was the parent's)
            return
        if about_someone_else(said):
            return
        while not flow.done and flow.specs[flow.state].get("role") in GIVEN_SLOTS \
                and flow.specs[flow.state]["role"] in heard.slots:
            state = flow.state
            if self.unask(turn, flow, said_before):  # the step's question, answered at once
                if len(turn.out) == said_before and not heard.howto:
                    turn.say("howto", title=self.talk.title(flow.name))
            given = said  # a name run into the next detail by voice ("我叫郑洁身份证号是…"),
            if flow.specs[state]["role"] == "name" and read_slot("name", said) is None:
                said_back(turn, "name", heard.slots["name"])  # which only the sentence's
                given = heard.slots["name"]  # reading found: as read there, said back
            flow.answer(given)
            if flow.state == state:  # not taken (a mismatch, a card bound elsewhere…): asked
                return

    def unask(self, turn: Turn, flow: Flow, said_before: int) -> bool:
        """Take back the step's question just said, when the sentence that started the
        service answers it at once; whether there was one to take back."""
        if len(turn.out) > said_before and turn.out[-1] == self.talk.prompt(flow):
            turn.out.pop()
            return True
        return False

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
