"""A message with no service under way: start one, answer, ask, or say what the bot can do.

Why a module of its own: this is where every free sentence lands that no step is waiting for,
and each kind of sentence has its own rule, tried in the order below (the order is the
policy: small talk before a start, a service asked for before a question near it, a question
before a guess): a hello, a bare number, a service asked for, a refusal, a code step's word
out of place, a card bound by someone else, a person asked for, a complaint, an ID typed with
no service, a hurried request, a knowledge question, then a guess ("您是想…吗") and finally
what the bot can do, numbered. Nothing is a dead end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from bot.dialogue import topic, whose
from bot.dialogue.in_step import LOOKUPS
from bot.dialogue.person import HANDOVER_AT, Person, asks_for_a_person, asks_when_people_answer
from bot.dialogue.questions import Questions
from bot.dialogue.readings import after_found, back_with_it, for_a_child
from bot.dialogue.situations import Situations
from bot.dialogue.talk import NOT_MINE, Talk, offer_of
from bot.dialogue.wording import (
    ABOUT_AGENTS,
    AGENT_QUIET,
    CODES,
    COMMANDS,
    DONE_ASKED,
    LOCK_ASKED,
    OTHERS_CARD,
    OWN_CARD,
    RETRY,
    STILL_WRONG,
    TAKEN,
    WHAT_NOW,
)
from flows.base import Flow, Turn
from flows.knowledge import OVER_SERVICES
from flows.knowledge.routing import asks_for_it
from flows.language import Understanding, normalise
from flows.language.clauses import split
from flows.language.slot_names import read_name
from flows.language.slots import about_someone_else

# A middling reading of a request asked for in so many words ("帮我…", "快点挂失") starts its
# service when no other service is this near: "…社保卡也在里面快点挂失" (0.67, lift 0.54)
LEAD = 0.1
# A refusal names the service it refuses only this near ("我不想绑卡了"); else a plain "好的"
NAMED_NO = 0.5
CARD = re.compile(r"卡|\bcard", re.IGNORECASE)  # a card named, whoever's
SHORT_ASK = 30  # characters: "is it done? does he need to do anything" still asks only that
# A candidate service this near is worth offering ("我的卡号A12345678丢了": 挂失), so a number
# typed at idle beside it is no bare number ("我的身份证号是110…" is)
OFFER_NEAR = 0.3


class Idle:
    """Built once per app by the Conversation, with its parts and two of its moves (start a
    service, run a contract command) passed in; holds no per-message state."""

    def __init__(self, talk: Talk, questions: Questions, person: Person,
                 starters: dict[str, type[Flow]], start: Callable[..., dict | None],
                 command: Callable[[str, Turn, Flow | None], dict | None]) -> None:
        self.talk, self.questions, self.person = talk, questions, person
        self.starters, self.start, self.command = starters, start, command
        self.situations = Situations(talk, start)

    def route(self, heard: Understanding, turn: Turn, session: dict, said: str = ""
              ) -> dict | None:
        """No flow: start, answer, ask, or say what the bot can do — in that order; small talk
        (谢谢, 再见, 好的, 你好呀) first, answered in kind."""
        if session.get("lapsed") in self.talk.flows:  # "ok found it. 赵敏" after binding
            heard = back_with_it(heard, session["lapsed"])  # lapsed: its answer, too late
            if heard.reason == "found_back":
                said = after_found(said) or said
        intent = heard.intent
        now = turn.clock.now()  # what was just talked about, for a follow-up (topic.py)
        after, done = topic.of(session, now), topic.done(session, now)
        if heard.small_talk is not None and intent in (None, "menu"):
            return self.talk.small_talk(heard.small_talk, turn, session.get("misses", 0))
        if done in self.talk.flows and DONE_ASKED.search(heard.text) and not heard.slots \
                and len(heard.text) <= SHORT_ASK and not about_someone_else(heard.text) \
                and not STILL_WRONG.search(heard.text):  # "is it done?" right after it was
            # (not "那我儿子的卡绑好了吗", nor "密码改好了吗 怎么还是登不上")
            turn.say("after.done", title=self.talk.title(done))  # (was the how-to again)
            return None
        met = self.situations.meet(heard, turn, after, done)  # a death, a card found, a
        if met is not NOT_MINE:  # lock, a freeze, a passport…: the person's story first
            return met
        if after is not None and after[0] == "services" and after[1].endswith(".code_locked") \
                and (LOCK_ASKED.search(heard.text) or RETRY.search(heard.text)) \
                and not heard.slots \
                and not asks_for_a_person(heard):  # "怎么办 我被锁了吗" (转人工: a person),
            name = after[1].split(".")[0]  # "can someone unlock it now?" right after a lock:
            turn.say("after.locked", title=self.talk.title(name))  # the lock, not a reset
            return None  # started nor a loss report lifted
        top = heard.candidates[0][0] if heard.candidates else None
        if top in LOOKUPS and OTHERS_CARD.search(heard.text) and not heard.slots \
                and not OWN_CARD.search(heard.text):  # "帮我查一下
            return self.talk.with_menu(turn, "others_card")  # 李娜的社保卡号 她是我邻居"
        if intent == "my_card" and heard.act in ("start", "confirm") and "family" in \
                self.talk.flows and about_someone_else(heard.text) and CARD.search(heard.text) \
                and not OWN_CARD.search(heard.text):  # "看看他的卡", "whats his card status":
            return self.start(self.talk.flows["family"], turn)  # a child's card is shown in
            # 亲情服务 (it showed the parent's own card)
        if intent == "forgot_password" and heard.act in ("start", "confirm") and done == "family" \
                and for_a_child(heard.text) and not heard.slots:  # "帮她改个密码" right
            return self.start(self.talk.flows["family"], turn, given=(said, heard))  # after
            # adding her: the member's reset in 亲情服务 (it started the holder's own)
        if heard.choice is not None and not heard.slots:  # "5" with no list pending (the menu
            return self.talk.with_menu(turn, "pick.none")  # seen yesterday): the menu, to pick
            # from; never a guess at which list it was (a "did you mean" list numbers others)
        if heard.complaint and intent in self.starters and heard.act in ("start", "confirm") \
                and not heard.question:  # "你们这破系统 绑个卡绑了三天都没绑上 气死我了": an
            turn.say("complaint_offer")  # apology and a person first; a request made in so
            if heard.act == "start" and asks_for_it(heard):  # many words ("气死我了 卡丢了 快帮
                return self.start(self.starters[intent], turn, given=(said, heard))  # 我挂失")
            return self.talk.confirm_start(turn, self.starters[intent])  # starts, else offered
        if intent in self.starters and (heard.act == "start"
                                        or (heard.act == "confirm" and heard.question)):
            # a question near a service may be our card's topic no service touches
            # ("社保卡余额怎么查" near 我的社保卡): where to ask, before a start or "您是想…吗"
            answered = self.questions.before_start(heard, turn, after, done)
            if answered is not False:
                return answered
            if heard.act == "confirm" and not asks_for_it(heard):
                return self.talk.confirm_start(turn, self.starters[intent])
            if heard.howto:
                turn.say("howto", title=self.talk.catalog.text(self.starters[intent].title))
            others = [self.talk.catalog.text(self.starters[o].title) for o in heard.also
                      if o in self.starters]
            if others:  # "社保卡丢了，密码也忘了": the loss first, the reset told to follow
                turn.say("also_after", title=self.talk.catalog.text(self.starters[intent].title),
                         others="”“".join(others) if self.talk.catalog.lang != "en"
                         else '", "'.join(others))
            return self.start(self.starters[intent], turn, given=(said, heard))
        if AGENT_QUIET.search(heard.text):  # "刚才客服咋不说话了", "why did the agent not
            return self.talk.with_menu(turn, "human.gone")  # answer me": no "好的，不办理"
        if heard.act == "negated" and not heard.question:  # never a start: say what was not
            # done, offer the menu; "验证码能告诉别人不" asks (its 不 is the spoken yes-or-no)
            meant = [c for c, score in heard.candidates  # named only when surely meant:
                     if c in self.starters and score >= NAMED_NO][:1]  # "那我先不解了" was
            # "好的，不办理“解除挂失”", a service never mentioned (解 is unbinding's too)
            if heard.complaint and not meant:  # "this stupid bot, i tried for an hour and
                misses = session.get("misses", 0) + 1  # it never works": an apology, not
                return self.talk.not_understood(heard, turn, misses, [])  # "OK, not done"
            if meant:
                turn.say("negated", title=self.talk.catalog.text(self.starters[meant[0]].title))
            else:
                turn.say("confirm.declined")
            return None
        if heard.act in ("start", "confirm") and intent == "phone_lost":  # a code step's word:
            found = self.talk.found(heard)  # "原来那个微信号登不上了 咋解绑": 号 of an account
            if found.elsewhere in OVER_SERVICES:  # (the topic's words), not of a phone
                return self.talk.with_menu(turn, whose.key(self.talk.catalog, found.elsewhere))
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
            return self.command(intent, turn, None)
        if heard.act == "start" and asks_for_a_person(heard):  # "can i talk to a human pls":
            return self.person.request(turn, None)  # a question, but no knowledge one
        if asks_when_people_answer(heard):  # "人工客服几点有人": the hours, not "答不上来"
            self.person.hours(turn)
            return None
        if intent == "human" and heard.act == "confirm" and heard.confidence >= HANDOVER_AT \
                and not ABOUT_AGENTS.search(heard.text):  # "what are the customer service hours"
            return self.person.request(turn, None)  # ("hello?? anyone there i need a human")
        if heard.act == "fact" and asks_for_a_person(heard):  # a fact for its "not": "i want
            return self.person.request(turn, None)  # to talk to a human being not a robot"
        if heard.complaint and heard.act == "none":  # "你们这啥破玩意 弄半天弄不好": an
            misses = session.get("misses", 0) + 1  # apology and a person, not "答不上来"
            return self.talk.not_understood(heard, turn, misses, [])
        lapsed = session.get("lapsed")  # a service just ended for silence (the engine said so)
        if lapsed in self.talk.flows and heard.act == "none" and not heard.question \
                and (heard.slots or read_name(said)):  # "赵敏",
            turn.say("expired.restart", title=self.talk.title(lapsed))  # "A12345678": the
            return self.talk.pending(None, "confirm", [lapsed])  # step's answer, too late
        if heard.slots and heard.act == "none" and not heard.question \
                and not near_a_service(heard):  # "我的身份证号是110…" with no service: pick
            return self.talk.with_menu(turn, "slots_idle")  # one first ("卡号…丢了" is near)
        if heard.act == "confirm" and intent in self.starters and not heard.question \
                and asks_for_it(heard) and leads(heard):  # "…社保卡也在里面快点挂失": asked
            return self.start(self.starters[intent], turn, given=(said, heard))  # for, hurried
        if heard.intent is None and not heard.slots and asks_what_now(said, heard):  # "那咋
            return self.talk.with_menu(turn, "what_now")  # 整" after a refusal: the ways on
        if heard.question or heard.act in ("fact", "none", "confirm"):
            answered = self.talk.answer(heard, turn, choices=heard.act != "confirm",
                                        misses=session.get("misses", 0),
                                        about=offer_of(session.get("pending")),
                                        after=after, done=done)
            if answered is not False:  # "社保卡能干什么" is about the card, not the menu
                return answered
        if heard.act == "confirm" and intent in self.starters:
            return self.talk.confirm_start(turn, self.starters[intent])
        if heard.act == "start" and intent in COMMANDS:
            return self.command(intent, turn, None)
        if heard.act == "start" and intent == "human":
            return self.person.request(turn, None)
        answered = self.questions.request(heard, turn, after)  # "补卡": no service, an answer
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


def leads(heard: Understanding) -> bool:
    """Whether the reading's service is LEAD clear of the next one (no close guess)."""
    scores = [score for _, score in heard.candidates]
    return len(scores) < 2 or scores[0] - scores[1] >= LEAD


def near_a_service(heard: Understanding) -> bool:
    """Whether the reading's best service is near enough to be offered (OFFER_NEAR)."""
    return bool(heard.candidates) and heard.candidates[0][1] >= OFFER_NEAR


def asks_what_now(said: str, heard: Understanding) -> bool:
    """The whole message asks "what now?" ("那咋整", "so what do i do"), or its last clause
    does after a statement ("我没有手机号啊 那咋整"); not a question about something
    ("银行卡丢了怎么办", "我那个卡刷不了了咋整" are their topics')."""
    if WHAT_NOW.fullmatch(heard.text):
        return True
    clauses = split(said)
    return len(clauses) > 1 and clauses[-1].startswith("那") \
        and WHAT_NOW.fullmatch(normalise(clauses[-1]).text) is not None
