"""What the dialogue says besides the flows: the numbered menu, choices, confirmations, answers.

Every numbered list or yes/no question said here is also written into the session as the one
pending choice, so the follower's next "2" or "是" means what they just read. A reply never
shows two numbered lists: each function below says at most one and returns the session that
remembers it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.dialogue import topic, whose
from bot.dialogue.wording import FEAR, GIVEN, PLAIN_YES, THANKS, UNDERSTOOD
from flows.base import Flow, Turn
from flows.catalog import Catalog
from flows.family import minor_holder
from flows.knowledge import Answer, Entry
from flows.language import Understanding
from flows.port import BackendError, Card

NOT_MINE = object()  # resolve(): this message does not answer the pending choice
# the knowledge entry after which fear is met with calm words (answer.scared): the scam answer
SCAM_ANSWER = "personal_info"
KB = "kb:"  # an option that is a knowledge answer, not a service
MISSES_BEFORE_PERSON = 2  # "not understood" twice in a row: a person is offered too
# A step asked again in brief where its prompt says more than the question: a code step's
# prompt says "验证码已发送至…", which read again announces a new code that never went out.
AGAIN = {"code": "common.ask_code_brief"}
Start = Callable[..., "dict | None"]


class Talk:
    """Says the dialogue's own lines in the catalog's language; holds no per-message state."""

    def __init__(self, catalog: Catalog, flows: list[type[Flow]], answers: Any = None) -> None:
        self.catalog, self.answers = catalog, answers
        self.flows = {f.name: f for f in flows}
        self.services = [f.name for f in flows]  # menu order

    # -- the menu ------------------------------------------------------------------------
    def offered(self, turn: Turn) -> list[str]:
        """The services this follower's menu lists: family services are a guardian's, so a
        follower whose bound card is a minor's is not offered them."""
        if "family" in self.flows and minor_holder(turn):
            return [name for name in self.services if name != "family"]
        return self.services

    def menu_text(self, services: list[str] | None = None) -> str:
        items = [self.catalog.text("menu.item", n=n, title=self.title(name),
                                   blurb=self.catalog.text(f"menu.{name}"))
                 for n, name in enumerate(services or self.services, 1)]
        return "\n".join([self.catalog.text("menu.head"), *items, self.catalog.text("menu.foot")])

    def with_menu(self, turn: Turn, key: str, flow: Flow | None = None) -> dict | None:
        """Say `key` with the numbered menu in it; the menu becomes the pending choice (only
        when the text really shows it: "已取消…回复“菜单”" offers no numbers to pick)."""
        text = self.catalog.texts.get(key, "")
        services = self.offered(turn) if "{menu}" in text else self.services
        turn.say(key, menu=self.menu_text(services))
        if "{menu}" not in text:
            return flow.session() if flow is not None else None
        return self.pending(flow, "pick", services)

    def menu(self, turn: Turn, flow: Flow | None) -> dict | None:
        """`菜单`: the menu, and a flow in progress keeps its step."""
        return self.with_menu(turn, "menu", flow)

    # -- choices and confirmations -------------------------------------------------------
    def confirm_start(self, turn: Turn, flow_cls: type[Flow]) -> dict:
        turn.say("confirm.start", title=self.title(flow_cls.name))
        return self.pending(None, "confirm", [flow_cls.name])

    def confirm_switch(self, turn: Turn, flow: Flow, flow_cls: type[Flow]) -> dict:
        """A sentence that looks like another service: ask before dropping the answers given."""
        turn.say("confirm.switch", current=self.title(flow.name), title=self.title(flow_cls.name))
        return self.pending(flow, "confirm", [flow_cls.name])

    def confirm_end(self, turn: Turn, flow: Flow) -> dict:
        """"我不想绑了" in the middle: end it? (是 ends it as 取消 does, 否 carries on)."""
        turn.say("confirm.end", title=self.title(flow.name))
        return self.pending(flow, "end", [flow.name])

    def carry_on(self, turn: Turn, flow: Flow) -> dict:
        """否 to a question about the flow in progress: its step, asked again."""
        turn.say("confirm.continue", title=self.title(flow.name), prompt=self.again(flow))
        return flow.session()

    def resolve(self, pending: dict, heard: Understanding, turn: Turn, flow: Flow | None,
                start: Start) -> Any:
        """The follower's pick or 是/否 for the pending choice (NOT_MINE when it is neither)."""
        options = pending.get("options", [])
        if pending.get("kind") == "confirm":
            if heard.yes_no is None or (flow is None and UNDERSTOOD.search(heard.text)
                                        and not PLAIN_YES.search(heard.text)) \
                    or (heard.small_talk == "thanks" and not THANKS.sub("", heard.text).strip()):
                return NOT_MINE  # "好的明白了 谢谢" to an answer's offer, a bare "谢谢" to "您是
                # 想办理“解绑社保卡”吗": thanks, not yes (it started the unbinding)
            if heard.yes_no:
                return self.take(options[0], turn, flow, start)
            if flow is not None:
                turn.say("confirm.continue", title=self.title(flow.name), prompt=self.again(flow))
                return flow.session()
            turn.say("confirm.declined")
            return None
        if heard.choice is None:
            if heard.yes_no and len(options) == 1:
                return self.take(options[0], turn, flow, start)
            if heard.yes_no and pending.get("kind") == "pick" and len(options) <= 3 \
                    and (heard.small_talk is None or PLAIN_YES.search(heard.text)):  # "是",
                # "yes" to "您是不是想：1 … 2 …" (not the menu; "好的" there is thanks)
                turn.say("pick.range", n=len(options))  # was "没有等您回答是或否的问题",
                return self.offer(turn, flow, options)  # just after a question was asked
            return NOT_MINE
        if not 1 <= heard.choice <= len(options):
            turn.say("pick.range", n=len(options))
            return self.offer(turn, flow, options)
        return self.take(options[heard.choice - 1], turn, flow, start)

    def take(self, option: str, turn: Turn, flow: Flow | None, start: Start) -> dict | None:
        if option.startswith(KB):
            return self.say_answer(option.removeprefix(KB), turn, flow)
        if flow is not None and flow.name == option:
            turn.say("confirm.continue", title=self.title(flow.name), prompt=self.again(flow))
            return flow.session()
        return start(self.flows[option], turn, ending=flow)

    def offer(self, turn: Turn, flow: Flow | None, options: list[str],
              key: str = "pick.list") -> dict | None:
        """A short numbered list of services or answers ("您是不是想：1 … 2 …"; questions the
        base answers under their own head, "您想了解的是哪一个？", never both heads at once)."""
        items = [self.catalog.text("pick.item", n=n, title=self.label(o))
                 for n, o in enumerate(options, 1)]
        turn.say(key, items="\n".join(items))
        return self.pending(flow, "pick", options)

    def explain_item(self, pending: dict, n: int, turn: Turn, flow: Flow | None) -> Any:
        """"6是干啥的" with a numbered list of services shown: that line explained, and the
        list kept, so "6" next still picks it (it was "这个问题我答不上来"). NOT_MINE for a
        number the list does not have, or a list of answers (their label is the question)."""
        options = pending.get("options", [])
        if not 1 <= n <= len(options) or options[n - 1].startswith(KB):
            return NOT_MINE
        name = options[n - 1]
        turn.say("pick.explain", n=n, title=self.title(name),
                 blurb=self.catalog.text(f"menu.{name}"))
        return self.pending(flow, pending.get("kind", "pick"), options)

    # -- when the words were not a service -----------------------------------------------
    def not_understood(self, heard: Understanding, turn: Turn, misses: int,
                       closest: list[str]) -> dict | None:
        """Never a dead end: the closest services, or the menu; a person after two misses.
        A complaint ("你们这个太难用了") is owed an apology and a person at once."""
        if heard.complaint:
            return self.with_menu(turn, "complaint")
        if len(closest) == 1 and heard.act != "fact":  # one guess is a yes/no question,
            session = self.confirm_start(turn, self.flows[closest[0]])  # which an ID typed
            # next also answers (a one-item "您是不是想：1." wanted its number, and the ID
            # after it met "nothing is in progress")
        elif closest:
            turn.say("fact_unknown" if heard.act == "fact" else "not_sure")  # never "没有听懂"
            # before a right guess ("您是不是想：1. 绑定社保卡"): the two read as a contradiction
            session = self.offer(turn, None, closest[:3])
        else:
            session = self.with_menu(turn, "default")
        if misses >= MISSES_BEFORE_PERSON:
            turn.say("offer_person")
        return {**(session or {}), "misses": misses}

    # -- small talk ------------------------------------------------------------------------
    def small_talk(self, kind: str, turn: Turn, misses: int = 0) -> dict | None:
        """Thanks, a goodbye or a bare "好的" at idle: a short reply in kind, not "没有听懂" and
        the menu; a greeting says hello before the menu. None of them is a miss: the misses
        so far are kept as they were, so "谢谢" twice never brings the offer of a person."""
        if kind == "greeting":
            session = self.with_menu(turn, "small_talk.greeting")
        else:
            turn.say(f"small_talk.{kind}")
            session = None
        return {**(session or {}), "misses": misses} if misses else session

    def small_talk_in_step(self, kind: str, turn: Turn, flow: Flow) -> dict:
        """"谢谢" at a step is not its answer (nor a wrong one): a reply, then the step again;
        a greeting there is the menu with a hello, as 你好 is, and the step kept."""
        if kind == "greeting":
            return self.with_menu(turn, "small_talk.greeting", flow) or flow.session()
        turn.say("small_talk.thanks_step", prompt=self.again(flow))
        return flow.session()

    def answer(self, heard: Understanding, turn: Turn, choices: bool = True,
               misses: int = 0, about: str | None = None,
               after: tuple[str, str] | None = None, done: str | None = None) -> Any:
        """A knowledge answer for a question (False when there is none to give); close
        candidates become a numbered choice unless `choices` is off. `misses`: the misses in
        a row so far, kept through a reply that is not one (whose question it is). `about`:
        the service just offered, which a follow-up may lean on ("那我这个当妈的要干啥");
        `after`: the answer or service just talked about (bot/dialogue/topic.py), which a
        short question the base cannot place alone leans on ("那要多久" after a loss report);
        `done`: the service that just ended, not offered again."""
        if self.answers is None or (heard.act == "negated" and not heard.question):
            return False
        found = self.found(heard, about)
        if found.kind == "none" and after is not None:
            follow = self.answers.follow_up(heard, *after, None if about else found)
            if follow.kind == "none":  # "我已经告诉他了" right after the scam answer: its own
                follow = self.told(heard, after)  # case, told (its offer is for it)
            if follow.kind != "none":  # "然后呢": what people ask next, by number
                return self.say_found(follow, turn, head="answer.next", done=done,
                                      part=self.part(heard, follow, after))
        said = self.say_found(found, turn, choices, done=done,
                              part=self.part(heard, found, after))
        if said is not False:
            return said
        if found.elsewhere:  # 医保报销比例, 征信, 今天天气: understood, and not ours to answer
            return self.elsewhere(found.elsewhere, heard, turn, misses)
        return False

    def told(self, heard: Understanding, after: tuple[str, str]) -> Answer:
        """The scam answer again, when the line right after it tells the case its offer is for
        (`offer_if`: "i already gave them the code", which was "did not understand" or "您是想
        办理“我的社保卡”吗") or fear ("说不配合就抓我"); a "none" answer otherwise."""
        if after == ("answers", SCAM_ANSWER):  # the scam answer's own cases only: after
            entry = self.answers.entry(SCAM_ANSWER, self.catalog.lang)  # another answer a
            if (entry.offer_if is not None and entry.offer_if.search(heard.text)) \
                    or FEAR.search(heard.text):  # statement would get it whole again
                return Answer("one", (entry,), 1.0, "told what its offer is for")
        return Answer("none", (), 0.0)

    def part(self, heard: Understanding, found: Answer,
             after: tuple[str, str] | None) -> str | None:
        """The sentence of the answer just given that a follow-up asks about again ("要报警
        吗" after the scam answer: what to do once a code is given away), or None: the
        whole answer said twice in a row read as the bot not listening."""
        if found.kind != "one" or after != ("answers", found.entries[0].id):
            return None
        entry_id, lang = found.entries[0].id, self.catalog.lang
        sentence = self.answers.sentence(heard, entry_id, lang)
        if sentence is None and GIVEN.search(heard.text):  # "我已经把验证码告诉他了 他说…我好
            sentence = self.answers.sentence_saying(entry_id, lang, GIVEN)  # 怕": what to do
        if entry_id == SCAM_ANSWER and FEAR.search(heard.text) \
                and not GIVEN.search(heard.text):  # "说不配合就抓我 我好怕"
            return self.catalog.text("answer.scared")  # (given away: what to do at once)
        if sentence is None and heard.question \
                and not self.answers.names_topic(heard, entry_id, lang):
            return self.catalog.text("answer.said")  # "how long?": not the whole again
        return sentence

    def found(self, heard: Understanding, about: str | None = None) -> Answer:
        """The knowledge base's answer; `about` names a service (a flow) the question may
        lean on: the one in progress, or the one just offered (Retriever.answer_in)."""
        if about is None:
            return self.answers.answer(heard)
        return self.answers.answer_in(heard, self.title(about))

    def say_found(self, found: Answer, turn: Turn, choices: bool = True,
                  head: str = "answer.which", done: str | None = None,
                  part: str | None = None) -> Any:
        """One entry's answer (its service offered unless it is `done`, the one that just
        ended; only `part` of it when given), or close ones as a numbered choice under
        `head` unless `choices` is off; False when the retriever found neither."""
        if found.kind == "one":
            return self.say_answer(found.entries[0].id, turn, None, ids(found.more), done,
                                   part)
        if found.kind == "choices" and choices:
            return self.offer(turn, None, [KB + e.id for e in found.entries], head)
        return False

    def step_help(self, turn: Turn, flow: Flow) -> dict:
        """The step's help ("当前步骤说明：…"); the step stays as it was."""
        turn.say("help_step", help=self.catalog.text(flow.help_key(), **flow.slots))
        return flow.session()

    def elsewhere(self, topic: str, heard: Understanding, turn: Turn,
                  misses: int = 0) -> dict | None | bool:
        """Whose the question is, so the person knows where to ask (pensions: 12333; a bank
        card: its bank), instead of "没有听懂", which reads as if they typed nonsense; not a
        miss, and the misses so far are kept, as small talk keeps them. False when the
        words are near one of our services (bot/dialogue/whose.py says when)."""
        if not whose.said_at_idle(topic, heard):
            return False
        session = self.with_menu(turn, whose.key(self.catalog, topic))
        return {**(session or {}), "misses": misses} if misses else session

    def say_answer(self, entry_id: str, turn: Turn, flow: Flow | None,
                   more: tuple[str, ...] = (), done: str | None = None,
                   part: str | None = None) -> dict | None:
        """The entry in the bot's language, and those of `more` (the message's other questions:
        "几岁能绑卡？补办要多少钱？" is owed both); the first one's related service is offered
        (not `done`, the one that just ended: "补卡要带啥" after a loss report), a flow
        re-asked. At idle the answer becomes the topic a follow-up leans on."""
        entry = self.answers.entry(entry_id, self.catalog.lang)
        turn.say("answer.text", answer=part or entry.answer)
        for other in more:
            turn.say("answer.text", answer=self.answers.entry(other, self.catalog.lang).answer)
        if flow is not None:
            turn.say("answer.back", prompt=self.again(flow))
            return flow.session()
        session = None
        if entry.service == "bind_card" and bound_here(turn):
            turn.say("answer.bound")  # offering to bind a card already bound reads as odd
        elif entry.service in self.flows and entry.service != done and offered(entry, turn):
            own = f"answer.offer.{entry.service}"  # lifting is offered only to a card found
            turn.say(own if own in self.catalog.texts else "answer.offer",
                     title=self.title(entry.service))
            session = self.pending(None, "confirm", [entry.service])
        return topic.answered(session, entry_id, turn)

    def unsure(self, turn: Turn, flow: Flow) -> dict:
        """"我不知道" at a step: where to find what is asked, once, and how to stop; not a try."""
        turn.say("unsure_step", help=self.catalog.text(flow.help_key(), **flow.slots))
        return flow.session()

    # -- small helpers ---------------------------------------------------------------------
    def title(self, name: str) -> str:
        return self.catalog.text(self.flows[name].title)

    def label(self, option: str) -> str:
        if option.startswith(KB):
            return self.answers.label(option.removeprefix(KB), self.catalog.lang)
        return self.title(option)

    def prompt(self, flow: Flow) -> str:
        """The step's full question, as the flow says it on entering the step: what the "was
        it already said this turn?" checks compare with (Steps.go_on, Conversation.take_given
        and start_answered). A step asked again says `again` instead."""
        key = flow.specs[flow.state].get("prompt")
        return self.catalog.text(key, **flow.values()) if key else ""

    def again(self, flow: Flow) -> str:
        """The step's question asked again after something said in passing (an answer, 谢谢,
        否, a picture…): in brief where the prompt says more than the question (AGAIN, by
        what the step asks for), else the prompt itself."""
        spec = flow.specs[flow.state]
        key = AGAIN.get(spec.get("role", "")) or spec.get("prompt")
        return self.catalog.text(key, **flow.values()) if key else ""

    @staticmethod
    def pending(flow: Flow | None, kind: str, options: list[str]) -> dict:
        """The session that keeps the flow (if any) and the one pending choice just offered."""
        session = flow.session() if flow is not None else {}
        return {**session, "pending": {"kind": kind, "options": list(options)}}


def offered(entry: Entry, turn: Turn) -> bool:
    """Whether the entry's service is offered after it: always, unless the entry offers it
    only to a question saying so (`offer_if`: "换卡要带啥" for a broken chip is no loss)."""
    said = turn.understood.text if turn.understood is not None else ""
    return entry.offer_if is None or entry.offer_if.search(said) is not None


def bound_card(turn: Turn) -> Card | None:
    """The card bound to this follower; None too when the backend cannot say now."""
    try:
        return turn.backend.binding(turn.openid)
    except BackendError:
        return None


def bound_here(turn: Turn) -> bool:
    """Whether this follower already has a card bound here (an answer does not then offer to
    bind one); a backend that cannot say now counts as no, and the offer is made as before."""
    return bound_card(turn) is not None


def offer_of(pending: dict | None) -> str | None:
    """The one service a pending "需要现在办理…吗？" offers (a follow-up question may lean on
    it), else None: no offer, several, or a knowledge answer's."""
    if not pending or pending.get("kind") != "confirm" or len(pending.get("options", [])) != 1:
        return None
    option = pending["options"][0]
    return None if option.startswith(KB) else option


def ids(entries: tuple[Entry, ...]) -> tuple[str, ...]:
    """The ids of a retriever's further entries (Answer.more), as say_answer takes them."""
    return tuple(entry.id for entry in entries)

