"""A person when the bot is not enough: the dialogue's side of the platform's hand-over.

The state lives in bot/handover (the store's KV, shared by every instance); here is what the
follower hears at each point. A transfer answers with the platform's transfer reply, which
carries no text: what the follower should read then goes through the customer-service API
(`turn.via_api`). Without customer service configured, the hotline is the person offered.
"""

from __future__ import annotations

from typing import Any

from wechatpy.messages import BaseMessage

from bot.dialogue.talk import Talk
from bot.dialogue.wording import ABOUT_AGENTS, AGENT_HOURS, ASKS_FOR, PERSON, REPORTED
from bot.protocol.kf import kf_event
from flows.base import Flow, Turn
from flows.language import Understanding

SERVE = object()  # before(): nothing to do with a person, route the message as usual
# A person asked for this surely, even in a middling reading ("can i talk to a real person pls
# this bot is useless", "get me a person"), is handed over at idle rather than asked "您是想…":
# a hand-over changes no card and "取消" leaves the queue; "我再找找" (0.62) is no such ask.
HANDOVER_AT = 0.65


class Person:
    """Built once per app; `handover` is None when the account has no customer service."""

    def __init__(self, handover: Any, talk: Talk) -> None:
        self.handover, self.talk = handover, talk

    def before(self, said: str, turn: Turn, flow: Flow | None, command: str | None,
               session: dict | None) -> Any:
        """Route a text by the follower's hand-over state (SERVE: as usual)."""
        if self.handover is None:
            return SERVE
        route = self.handover.before_message(turn.openid, turn.known)
        if route == "transfer":  # still queued: this message joins the queue too
            if command == "cancel" and self.handover.stop_waiting(turn.openid):
                return self.stopped_waiting(turn, flow)  # 取消: the one way out by text
            turn.transfer = ""
            if self.handover.where_they_stand_due(turn.openid):
                turn.say("human.waiting")
            return session
        if route == "note":
            if command is not None:  # 取消, 菜单 or a service instead of a message for later
                self.handover.cancel(turn.openid)
                return SERVE
            self.handover.leave(turn.openid, said)
            turn.say("human.left_message")
            return flow.session() if flow is not None else None
        if route == "back":  # the platform's 30-minute idle return: no event marks it
            self.welcome_back(turn, flow)
        return SERVE

    def clicked(self, turn: Turn) -> None:
        """A menu button while queued: they chose the bot after all; the wait ends, said once,
        so the flow the button starts hears its answers (not the queue)."""
        if self.handover is not None and self.handover.stop_waiting(turn.openid):
            turn.say("human.wait_cancelled")

    def stopped_waiting(self, turn: Turn, flow: Flow | None) -> dict | None:
        """取消 while queued: no more waiting; a flow in progress carries on where it was."""
        turn.say("human.wait_cancelled")
        if flow is None:
            turn.say("human.wait_cancelled_idle")
            return None
        turn.say("human.flow_resumed", flow=self.talk.title(flow.name))
        turn.out.append(self.talk.again(flow))
        return flow.session()

    def request(self, turn: Turn, flow: Flow | None) -> dict | None:
        """转人工: transfer when someone can answer, else say why and offer to take a message."""
        keep = flow.session() if flow is not None else None
        if self.handover is None:
            turn.say("human.hotline")
            return keep
        decision = self.handover.request(turn.openid)
        turn.say(decision.says, hours=self.handover.hours.setting)
        if decision.transfers:
            turn.transfer = ""
        return keep

    def hours(self, turn: Turn) -> None:
        """"人工客服几点有人": when a person answers here (BOT_SERVICE_HOURS, or always), and
        how to ask for one; the hotline where the account has no customer service."""
        if self.handover is None:
            turn.say("human.hotline")
        elif self.handover.hours.setting:
            turn.say("human.hours", hours=self.handover.hours.setting)
        else:
            turn.say("human.hours_always")

    def on_event(self, msg: BaseMessage, turn: Turn, flow: Flow | None,
                 session: dict | None) -> dict | None:
        """kf_create/close/switch_session: the state moves. An agent taking them is said (the
        platform says nothing until the agent types); one who had left the queue is let go
        (`turn.release`: the outbox asks the platform to end that session); a close means the
        bot is back. An event's answer is not shown: what is said goes through the API."""
        found = kf_event(msg)
        keep = flow.session() if flow is not None else None
        if found is None or self.handover is None:
            return keep
        meaning = self.handover.on_event(found.openid, found.event, found.account)
        turn.via_api = True
        if meaning == "joined":
            turn.say("human.joined")
        elif meaning == "release":  # if the platform will not let go, they are told after all
            turn.release = (found.account, self.talk.catalog.text("human.joined"))
        elif meaning == "back":
            self.welcome_back(turn, flow)
        return keep

    def welcome_back(self, turn: Turn, flow: Flow | None) -> None:
        """The bot serves again: the flow in progress resumes, or is said to have ended."""
        turn.say("human.back")
        if flow is not None:  # an expired one the engine has said already ("已超过…")
            turn.say("human.flow_resumed", flow=self.talk.title(flow.name))
            turn.out.append(self.talk.again(flow))


def asks_for_a_person(heard: Understanding) -> bool:
    """A person asked for: surely, middling (HANDOVER_AT), or as the best reading with a
    person named ("i want to talk to a human being not a robot", read as a fact for its
    "not"). At a step it was the step's help, "reply cancel to stop"; at idle "没有听懂"."""
    if heard.slots or not heard.candidates or heard.candidates[0][0] != "human" \
            or heard.act == "negated" or ABOUT_AGENTS.search(heard.text):
        return False  # "不用转人工 我自己来", "人工客服几点下班"
    if heard.act == "start":
        return True
    if heard.question and not ASKS_FOR.search(heard.text):  # "do i need to talk to
        return False  # someone at the bank too?" asks about it; "can i just talk to
    return heard.confidence >= HANDOVER_AT or PERSON.search(heard.text) is not None  # …"


def asks_when_people_answer(heard: Understanding) -> bool:
    """"人工客服几点有人", "what are the customer service hours": the person's hours asked."""
    return heard.act != "negated" and not heard.slots and heard.question \
        and AGENT_HOURS.search(heard.text) is not None and not REPORTED.search(heard.text)
