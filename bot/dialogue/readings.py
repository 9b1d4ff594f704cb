"""What a line at a step means besides the step's answer: a yes or a no, a hold, a change
of mind, another card, a slip mended, a code asked for.

Why a module of its own: these readings grew inside the step router (in_step.py) until it was
four hundred lines that mixed "what did they mean" with "what do we do". Here they only read:
each takes the language stage's understanding, the flow and the words typed and answers a
question about them (`said_yes_no`, `switched_to`, `takes_back`…); none says anything to the
person, changes a flow or touches the backend, so each can be checked on a sentence alone
(no method takes a turn: tests/test_layers.py pins it).
in_step.py decides, in its order, what each reading leads to. The words these rules read are
wording.py's regexes and the few below, which belong to one reading each.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.dialogue.wording import (
    CHILD_MEANT,
    CODES,
    DOUBT,
    FIRST_NO,
    FIRST_YES,
    FOUND_BACK,
    HOLD,
    HUM,
    JUST_ASKING,
    NO_PHONE,
    NOT_A_CHILD,
    NOT_LOST,
    PHONE,
    PHONE_FINE,
    REDO_ID,
    THANKS,
    WAIT,
    starts_over,
)
from flows.base import Flow
from flows.language import Understander, Understanding, normalise
from flows.language.clauses import split
from flows.language.slot_names import read_name
from flows.language.slots import about_someone_else

MAX_CLAUSES = 4  # longer messages are stories, read whole
# services whose bare verb reads as another's: 不解了 while unbinding is read 解挂 (lifting)
SAME_VERB = {"unbind": "lift_loss", "lift_loss": "unbind"}
# "i want to X not Y": a wish, then what it is not (read whole, the "not" negates all of it)
CONTRAST = re.compile(r"\b(want|wanna|need|meant|mean)\b.{1,30}\bnot\b", re.IGNORECASE)
NEGATED_WISH = re.compile(r"\b(don'?t|do not|doesn'?t|never)\s+(want|wanna|need|mean)",
                          re.IGNORECASE)
# the take-back's own word under the negation: "我没说要取消" keeps the service
CANCEL_SAID = re.compile(r"取消|退出|结束|\b(cancel|quit|stop)\b", re.IGNORECASE)
TYPO = re.compile(r"错|不好意思|\b(sorry|oops|typo)\b", re.IGNORECASE)  # a word on a slip


LOSS_SERVICES = ("report_loss", "lift_loss")  # where a card found is the loss's news


class Readings:
    """Built once per app with the language stage, which a few readings ask again clause by
    clause ("算了 我不绑了 我想改密码" is two clauses and two wishes); no per-message state."""

    def __init__(self, understander: Understander, starters: dict[str, type[Flow]]) -> None:
        self.understander, self.starters = understander, starters

    @staticmethod
    def redone(heard: Understanding, flow: Flow) -> bool:
        """The person wants to fill the service in again ("上一步", "身份证输错了", "go back"):
        there is no way to mend one earlier answer, so it starts over, which they are told."""
        return not heard.slots and starts_over(heard.text, flow.specs[flow.state].get("role"))

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
                    and SAME_VERB.get(flow.name) in about)  # lifting's): a no; so is "不解
                or (heard.act == "negated" and about[:1] == [SAME_VERB.get(flow.name)])):  # 了"
            # alone, read as not lifting
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

    def drops_own(self, said: str, flow: Flow) -> bool:
        """A clause that refuses the service in progress by name, as a statement ("我不是要挂失
        啊", "我卡没丢"): the change of mind beside it goes before what the step would take of
        the rest. Not a question ("不绑不行吗" asks whether it may be skipped)."""
        if NOT_LOST.search(said) and flow.name in LOSS_SERVICES:
            return True
        for clause in split(said):
            heard = self.understander.understand(clause)
            top = heard.candidates[0][0] if heard.candidates else None
            if heard.act == "negated" and not heard.question and flow.name in (heard.intent, top):
                return True
        return False

    @staticmethod
    def doubts_code(heard: Understanding, flow: Flow) -> bool:
        """A code typed at a code step with a doubt or a hold beside it ("my son is reading it
        out to me, 1 2 3 4 5 6? no wait"): not the code yet. Checked, it would cost a try."""
        return flow.specs[flow.state].get("role") == "code" and "code" in heard.slots \
            and (DOUBT.search(heard.text) is not None or HOLD.search(heard.text) is not None)

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
        dropped = any(h.act == "negated" or (h.act in ("start", "confirm")  # "哦不对 还是
                                             and h.intent == "cancel")  # 先绑卡吧": its 不对
                      or (h.act == "none" and h.yes_no is False)  # is a middling 取消; "what?
                      for h in read)  # no. i want to BIND my card": a bare no
        wanted = [h.intent for h in read if h.act in ("start", "confirm")
                  and h.intent in self.starters and h.intent != flow.name]
        return self.starters[wanted[-1]] if dropped and wanted else None

    @staticmethod
    def waits(heard: Understanding) -> bool:
        """Gone to fetch what the step asks ("稍等我去拿身份证", "hold on, getting my card"):
        no number typed, so nothing to read as the step's answer or as a wrong one."""
        return not heard.slots and WAIT.search(heard.text) is not None \
            and not any(c.isdigit() for c in heard.text)

    @staticmethod
    def phone(heard: Understanding) -> str | None:
        """What a line at the proof step says of the phone: "gone" ("i cant get sms my phone
        is gone", "手机也被偷了"), "fine" ("手机没丢 发验证码吧", "号码没变"), else None (卡丢了
        alone says nothing of the phone)."""
        if PHONE_FINE.search(heard.text):
            return "fine"
        return "gone" if NO_PHONE.search(heard.text) and PHONE.search(heard.text) else None

    @staticmethod
    def means_another_card(said: str, heard: Understanding, flow: Flow) -> bool:
        """At an offer of the card bound here (是 / 其他卡 / 否), another card meant in words:
        another ID typed, or a sentence about a child's or family member's card. Both were
        "请回复“是”、“其他卡”或“否”" again. A question names the card's owner by kin: "will
        someone be able to use my money?" asks about a thief, and chose another card."""
        if "other_word" not in flow.specs[flow.state] or heard.yes_no is not None:
            return False
        other_id = "id" in heard.slots and heard.slots["id"] != flow.slots.get("id")
        return other_id or (about_someone_else(said, kin_only=heard.question)
                            and not heard.slots)  # a question names whose card by kin

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
        return Readings.code_will_do(heard, flow) and not heard.slots \
            and CODES.search(heard.text) is not None and not heard.question \
            and heard.act != "negated" and not any(c.isdigit() for c in heard.text)

    def unwanted(self, heard: Understanding, flow: Flow) -> bool:
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
            others = [name for name in about  # is either's); "不是 我是问问 先不办": cancel
                      if name in self.starters and name != flow.name]  # and no service
            return about[:1] == ["cancel"] and (SAME_VERB.get(flow.name) in about or (
                not others and not CANCEL_SAID.search(heard.text)))  # "我没说要取消"
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

    @staticmethod
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


def back_with_it(heard: Understanding, service: str | None) -> Understanding:
    """"ok found it. 赵敏", "ok she found it" back from fetching what a step of `service`
    asked (a card, a phone): no card found again after a loss report, so not lifting one
    (it started 解除挂失, after a lapse too); read as the line's other words alone."""
    if heard.intent != "lift_loss" or service in LOSS_SERVICES \
            or not FOUND_BACK.search(heard.text):
        return heard
    return replace(heard, intent=None, act="none", candidates=(), reason="found_back")


def for_a_child(text: str) -> bool:
    """Whether a line in 亲情服务's reach means a child's password or card ("帮他改个密码",
    "帮孩子重置密码"), not one's own or an adult's ("我自己的密码忘了", "帮我妈改个密码")."""
    return CHILD_MEANT.search(text) is not None and NOT_A_CHILD.search(text) is None


def after_found(said: str) -> str:
    """What a line back from fetching says besides it ("ok found it. 赵敏" -> "赵敏"); "" when
    nothing else."""
    return FOUND_BACK.sub("", said, count=1).strip(" ,.，。!！~")
