"""Questions, and requests with no service: answered before a flow starts, or in a step.

Why a module of its own: when a question is answered rather than the service it names
started, and how sure an answer must be in the middle of a step, is policy the dialogue
tuned from a new user's probe and a review; Talk says the lines. The start-or-answer rule
itself is flows/knowledge/routing.py's, so the knowledge report counts with the same one.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue import whose
from bot.dialogue.talk import Talk, ids
from bot.dialogue.wording import DONE, LACK, SAFE, STEP_THINGS, THIS
from flows.base import Flow, Turn
from flows.knowledge import Entry, said_first, starts
from flows.language import Understanding

# A question inside a flow is answered when the answer is clear: at IN_FLOW_SCORE of its
# words held when it names the step's own thing ("身份证号是哪个？" at the ID step is about the
# step, whose help answers it), at IN_FLOW_OTHER otherwise ("外地的社保卡能在北京用吗" there,
# 0.35: answered, then the step). On dev, one answers from 0.35 up are 98 % right (zh) and
# 96 % (en); the band 0.35-0.45 alone 92 % / 91 %, where the step's help answered nothing.
IN_FLOW_SCORE = 0.6
IN_FLOW_OTHER = 0.35
OFFERED = 0.6  # a candidate service this near is offered by number rather than an answer


def answers_in_step(entry: Entry, text: str) -> bool:
    """Whether the entry answers the line inside a step (`in_step_if`, else always)."""
    return entry.in_step_if is None or entry.in_step_if.search(text) is not None


class Questions:
    """Built once per app with the dialogue's Talk; holds no per-message state."""

    def __init__(self, talk: Talk) -> None:
        self.talk = talk

    def request(self, heard: Understanding, turn: Turn,
                after: tuple[str, str] | None = None) -> Any:
        """A request no service of ours runs ("补卡", "i want a replacement card"), about to
        be met with "没有听懂": the knowledge base is asked it as the question it implies,
        so the reissue answer and its offer of 挂失 come instead. The retriever leaves
        requests to the flows (its figures count them as not to be answered); with no flow
        for them, a request that names what an entry answers is better answered than not.
        False when no entry answers it, or a service is near enough to be offered by number
        (a bare "密码" is 0.63 near 忘记密码: its number; "我要补办社保卡" only 0.51 near 绑定).
        Right after that same answer (`after`), only its sentence the line asks about again:
        "我没给他 他还知道我身份证号" after the scam answer was the whole answer once more."""
        if self.talk.answers is None or heard.question or heard.act not in ("none", "fact") \
                or any(score >= OFFERED for _, score in heard.candidates):
            return False
        found = self.talk.answers.answer(heard, asked=True)
        told = found.kind == "one" and found.entries[0].offer_if is not None \
            and found.entries[0].offer_if.search(heard.text) is not None
        if DONE.search(heard.text) and not told:  # "社保卡已经补好了" asks nothing; "i already
            return False  # gave them the code" tells what the scam answer's offer is for
        return self.talk.say_found(found, turn, part=self.talk.part(heard, found, after))

    def before_start(self, heard: Understanding, turn: Turn,
                     after: tuple[str, str] | None = None, done: str | None = None) -> Any:
        """A question the language stage reads as a service's start, answered first when an
        entry other than that service's how-to answers it: "16周岁能自己绑社保卡吗" gets the
        age and then the offer, "社保卡丢了怎么补办" the reissue and then 挂失, where starting
        the flow would leave the question unanswered; our card's topics no service touches
        say where to ask ("社保卡余额怎么查" is not 我的社保卡), as does another card named where
        挂失's words are ("i lost my id card"). False when the service starts ("怎么绑定社保卡":
        the flow is the how-to; "能帮我绑一下社保卡吗" asks for the service itself). The rule
        is flows.knowledge's `starts`, which the knowledge report counts with. A middling
        guess right after an answer or a service (`after`, bot/dialogue/topic.py) yields to
        a follow-up the next entries answer ("那孩子呢" after the binding age); `done`, the
        service that just did its work, is not offered again."""
        if self.talk.answers is None:
            return False
        found = self.talk.answers.answer(heard)
        if found.kind == "none" and heard.act == "confirm" and after is not None:
            follow = self.talk.answers.follow_up(heard, *after, found)  # "那孩子呢" after
            if follow.kind == "one":  # the age: the minor's binding, not a guess at 亲情服务
                return self.talk.say_answer(follow.entries[0].id, turn, None, done=done)
        if said_first(heard, found):
            return self.talk.with_menu(turn, whose.key(self.talk.catalog, found.elsewhere))
        if not starts(heard, found) and found.kind == "one":
            return self.talk.say_answer(found.entries[0].id, turn, None, ids(found.more), done)
        return False

    @staticmethod
    def lacks(heard: Understanding, flow: Flow) -> bool:
        """The person does not know or have the step's own thing, in a sentence naming it
        ("卡没在身上 不记得卡号" at the card step, "forgot my id number" at the ID step); the
        language stage may read its 忘 as 忘记密码, which the step is not about."""
        role = flow.specs[flow.state].get("role", "")
        thing = STEP_THINGS.get(role)
        return role != "password" and thing is not None and thing.search(heard.text) is not None \
            and LACK.search(heard.text) is not None

    def why(self, heard: Understanding, turn: Turn, flow: Flow) -> dict | None:
        """"为什么要我的身份证号", "why do you need my id", "这样安全吗" at a step: what the
        step's thing is for (`why` of its spec, else step.why.<role>) and how what is typed
        is kept, then the step again. None when the why is about something else ("为啥要
        18岁" is bind_age's question): the knowledge base is asked it as usual."""
        spec = flow.specs[flow.state]
        role = spec.get("role", "")
        thing = STEP_THINGS.get(role)
        safety = SAFE.search(heard.text)
        about = (thing is not None and thing.search(heard.text)) \
            or (THIS.search(heard.text) and not safety)  # "is this safe" asks of no thing
        reason = spec.get("why") or f"step.why.{role}"
        if about and reason in self.talk.catalog.texts:
            turn.say(reason)
        elif not safety:
            return None
        turn.say("step.why.private")
        turn.say("answer.back", prompt=self.talk.again(flow))
        return flow.session()

    def in_step(self, heard: Understanding, turn: Turn, flow: Flow) -> dict:
        """A question inside a flow: answered when the bot knows, else the step's help. It
        may lean on the flow for what it is about ("要多久" while reporting a loss)."""
        found = self.talk.found(heard, flow.name) if self.talk.answers is not None else None
        step = STEP_THINGS.get(flow.specs[flow.state].get("role", ""))
        floor = IN_FLOW_SCORE if step is None or step.search(heard.text) else IN_FLOW_OTHER
        if found is not None and found.kind == "one" and found.entries[0].in_step_if \
                is not None and found.entries[0].in_step_if.search(heard.text):
            floor = IN_FLOW_OTHER  # "有个人说是工作人员 让我把这个验证码发给他 可以吗" at the
            # code step names the step's thing, and asks what the scam answer is for
        if found is not None and found.kind == "one" and found.score >= floor \
                and answers_in_step(found.entries[0], heard.text):
            return self.talk.say_answer(found.entries[0].id, turn, flow,
                                        ids(found.more)) or flow.session()
        if found is not None and whose.said_in_step(found.elsewhere):  # 今天天气怎么样？
            turn.say(whose.key(self.talk.catalog, found.elsewhere))
            turn.say("answer.back", prompt=self.talk.again(flow))
            return flow.session()
        return self.talk.step_help(turn, flow)
