"""Each step treated as a polished service treats it: nothing typed in passing costs a try.

Why a module of its own: these are the dialogue's manners around a step, not any flow's rules.
- "好的", "嗯", "ok", "收到" at a step that asks for an ID, a name, a code… is an
  acknowledgement, not a wrong answer: the step is asked again, briefly, and no try is used (a
  step that reads such a word itself - a yes/no question, a wait - keeps it: `reads_ack`).
- "110105… 张伟" at the ID step fills the name step too: each next step whose slot the same
  message plainly holds takes it, and only what is still missing is asked.
- The running service's own start word ("绑定社保卡" while binding) keeps it and what was
  given; another service's word still ends it, as the contract says.
- A yes/no question of the dialogue's own (switch? end? start?) met by a reply that is neither
  is asked again with its two answers, not read as a no or as the step's answer.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue.talk import Talk, offer_of
from flows.base import Flow, Turn
from flows.knowledge import UNRELATED
from flows.language import Understanding
from flows.language.slots import read_slot

CHAINED = ("id", "name", "card")  # the holder's slots one message may give several of
FREE = ("text", "reason")  # steps whose answer is the words themselves
YES_NO = {"confirm": "confirm.switch_again", "end": "confirm.end_again"}


class Steps:
    """Built once per app with the dialogue's Talk; holds no per-message state."""

    def __init__(self, talk: Talk) -> None:
        self.talk = talk

    def acknowledged(self, heard: Understanding, flow: Flow) -> bool:
        """A bare acknowledgement at a step that does not read one itself."""
        return heard.small_talk == "ack" and not heard.slots \
            and not flow.specs[flow.state].get("reads_ack")

    def ack(self, turn: Turn, flow: Flow) -> dict:
        """"好的" at the ID step: the step again, in brief; no try used."""
        turn.say("step.ack", prompt=self.talk.again(flow))
        return flow.session()

    def already(self, turn: Turn, flow: Flow) -> dict:
        """The running service's own start word: it carries on, nothing given is lost. At its
        first question nothing was given, so nothing is said to be kept."""
        key = "step.already_first" if flow.state == flow.initial else "step.already"
        turn.say(key, title=self.talk.title(flow.name), prompt=self.talk.again(flow))
        return flow.session()

    @staticmethod
    def own_start(heard: Understanding, flow: Flow) -> bool:
        """"我要绑定社保卡" while binding: the service in progress, asked for again. A step that
        reads free words (亲情服务's "我要添加家人" is its pick) reads them itself."""
        return heard.intent == flow.name and heard.act == "start" and not heard.slots \
            and not heard.question and flow.specs[flow.state].get("role") not in FREE

    @staticmethod
    def reads_start(flow: Flow | None, start: str) -> bool:
        """A step reading free words takes a start word that is its own pick: the flow's own
        ("添加家人" at 亲情服务's menu) or one it names as its own (`own_starts`: "重置密码"
        there is the member's reset, not the holder's own, which ended the service)."""
        if flow is None or flow.specs[flow.state].get("role") not in FREE:
            return False
        return start == flow.name or start in getattr(flow, "own_starts", ())

    def go_on(self, flow: Flow, turn: Turn, said: str, answered: str) -> None:
        """After `answered` took its slot from `said`, each next holder's step whose slot the
        same message plainly holds ("110105… 张伟": the name) takes it as if typed there; the
        question of a step answered at once is not said. A step that does not take it (a
        name that does not match) says why and is asked, as when typed."""
        while not flow.done and flow.state != answered \
                and flow.specs[answered].get("role") in CHAINED:
            role = flow.specs[flow.state].get("role")
            if role not in CHAINED or read_slot(role, said) is None:
                return
            # The flow said the full prompt on entering (a chained step is never brief)
            if turn.out and turn.out[-1] == self.talk.prompt(flow):
                turn.out.pop()  # the step's question, answered in the same message
            answered = flow.state
            flow.answer(said)

    def unclear(self, pending: dict, heard: Understanding, said: str, flow: Flow | None,
                exact: str | None, after: tuple[str, str] | None = None) -> bool:
        """A reply to a pending yes/no question that is neither yes nor no, nor anything else
        the bot reads (a command, a service, a pick, the step's own answer, a question it can
        answer): it is asked again rather than taken as a no or as a wrong answer. `after`:
        what was just answered (bot/dialogue/topic.py), whose follow-up is read too: "要报警
        吗" after the scam answer's offer to report the card lost is that answer's question."""
        offer = flow is None and pending.get("kind") == "confirm"
        if pending.get("kind") not in YES_NO or not self.neither(
                heard, said, flow, exact, offer=offer,
                about=offer_of(pending) if offer else None):
            return False
        if offer and after is not None and self.talk.answers is not None:
            return self.talk.answers.follow_up(heard, *after).kind != "one"  # "什么意思？"
            # is asked the offer again, never a list of what people ask next
        return True

    def neither(self, heard: Understanding, said: str, flow: Flow | None,
                exact: str | None, offer: bool = False, about: str | None = None) -> bool:
        """Nothing the bot reads in the reply: no yes or no, no pick, no command or service,
        no answer to the step in progress, no thanks or hello, no question it can answer.
        For an `offer` (a service offered, none running), a line the knowledge base can
        say whose it is (a topic, not UNRELATED) counts as read too: "whats the weather
        today" or "社保卡有效期多久" after "需要现在办理…吗？" drops the offer and is answered,
        where asking "是或否" again trapped the person in the offer; "等等" is still asked again."""
        if exact is not None or heard.yes_no is not None or heard.choice is not None \
                or heard.slots or heard.intent is not None or heard.consent is not None \
                or heard.small_talk in ("thanks", "greeting", "bye") or heard.complaint:
            return False  # a complaint is read too ("i want to file a complaint about your
        role = flow.specs[flow.state].get("role") if flow is not None else None  # staff")
        if role is not None and read_slot(role, said) is not None:
            return False  # an answer to the step after all: the question is dropped
        if self.talk.answers is not None and (heard.question or offer):
            found = self.talk.found(heard, about or (flow.name if flow is not None else None))
            whose = found.elsewhere not in ("", UNRELATED)  # "什么意思？" names nothing
            return found.kind == "none" and not (offer and whose)
        return True

    def ask_again(self, turn: Turn, flow: Flow | None, pending: dict) -> Any:
        """The pending yes/no question again, naming both answers; it stays pending."""
        options = pending.get("options", [])
        title = self.talk.title(options[0]) if options else ""
        if flow is None:
            turn.say("confirm.start_again", title=title)
        else:
            turn.say(YES_NO[pending["kind"]], title=title, current=self.talk.title(flow.name))
        return self.talk.pending(flow, pending["kind"], options)
