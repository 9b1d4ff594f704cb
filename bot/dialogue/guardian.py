"""A guardian answers consent requests in their own chat, without losing what they were doing.

A request reaches the guardian through the API, outside their turns, so it is a pending
choice that lives in the family desk (bot/family), not in their session. Their 同意/拒绝
(alone or in a sentence: "好的，我同意", "不行，我拒绝", the language stage's `consent`) always
refers to it; a bare number or 是/否 does only when the request is newer than the
last thing the bot said to them (else it answers their own pending choice, as usual). With
several requests waiting, "待确认" lists them and the pick becomes the session's one pending
choice. A flow in progress keeps its step and is resumed in the same reply. Nothing is asked
of the desk unless the message could be such an answer, so other messages cost nothing more.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialogue.idle import NAMED_NO
from bot.dialogue.person import SERVE
from bot.dialogue.readings import MAX_CLAUSES
from bot.dialogue.steps import Steps
from bot.dialogue.talk import Talk
from bot.dialogue.wording import CONSENT_WORDS, DEFERS, WHAT_CAME
from flows.base import Flow, Turn
from flows.ids import mask_card
from flows.language import Understander, Understanding
from flows.language.clauses import split

PICK, ONE = "consent_pick", "consent_one"  # the session's pending kinds this module sets
_WRAP = re.compile(r"^(那就|那|就)+|(吧|了|啊|呗|哈)+$")  # "那就同意吧" is 同意, "行吧" 行
ENDED = "ended"  # cancelled(): the minor's bind ended by its own step, which said so


class Guardian:
    """Built once per app; `desk` is the family desk (None: requests are never asked)."""

    def __init__(self, desk: Any, talk: Talk, understander: Understander) -> None:
        self.desk, self.talk, self.understander = desk, talk, understander
        self.steps = Steps(talk)

    def keep_asking(self, pending: dict | None, kept: dict | None, turn: Turn) -> dict | None:
        """A guardian's question while a request waits for their 同意 / 拒绝 ("这是我儿子吗？
        绑了有什么风险没") is answered, and the request still waits: its 1 / 2 were dropped by
        the answer, and "1" next met "这个序号对应的列表已经用过或过期了". The one request that
        reached them through the API (never shown in this chat) is reminded of alike."""
        if self.desk is None or (kept or {}).get("pending") or (kept or {}).get("flow"):
            return kept
        waiting = self.desk.pending(turn.openid)
        if pending and pending.get("kind") == ONE and waiting:
            turn.say("consent.one_again")
            return {**(kept or {}), "pending": pending}
        if len(waiting) == 1 and not (pending and pending.get("kind") == PICK):  # the one
            turn.say("consent.one_again")  # that reached them through the API, never shown
            return {**(kept or {}), "pending": {"kind": ONE, "options": [waiting[0]["rid"]]}}
        return kept

    def before(self, heard: Understanding, turn: Turn, flow: Flow | None,
               session: dict, said: str = "") -> Any:
        """Answer a request, list them, or SERVE (route the message as usual)."""
        if self.desk is None:
            return SERVE
        command = self.talk.catalog.command(heard.text)
        pending = session.get("pending") or {}
        if command == "pending_requests":
            return self.listing(turn, flow)
        answer = {"consent_yes": True, "consent_no": False}.get(command or "")
        if answer is None:  # "好的，我同意", "不行，我拒绝": the same words in a sentence
            answer = heard.consent
        explicit = answer is not None
        in_words = flow is None and pending.get("kind") in (None, ONE) \
            and not DEFERS.search(said)  # not at their own step, nor "我先问问孩子 好吧"
        if answer is None and command is None and in_words:  # "我儿子要绑卡？那就同意吧", "孙
            answer = self.last_word(said, turn)  # 丽要绑卡？她跟我说过了 嗯 行吧": the answer
            # closes the message; read as a bare 是 / 否 is (the request shown, or newer)
        if answer is None and command is None and (
                CONSENT_WORDS.search(heard.text) or (flow is None and heard.question and (
                    WHAT_CAME.search(heard.text)))) and self.desk.pending(turn.openid):
            return self.listing(turn, flow)  # "我闺女说让我点同意", "这是啥 谁要绑卡"
        if pending.get("kind") == PICK and heard.choice is not None:
            options = pending.get("options", [])
            if 1 <= heard.choice <= len(options):
                return self.show(turn, flow, options[heard.choice - 1])
        if answer is None and heard.act == "negated" and not heard.question and in_words \
                and not _names_another(heard):  # "no i dont want him on wechat yet": a
            answer = False  # refusal in words of one's own, read as a bare 否 is
        if answer is None and heard.choice in (1, 2):
            answer = heard.choice == 1
        elif answer is None and heard.yes_no is not None and heard.choice is None:
            answer = heard.yes_no
        if answer is None and pending.get("kind") == ONE \
                and self.steps.neither(heard, heard.text, flow, command):
            turn.say("consent.one_again")  # "嗯…" to 同意/拒绝: neither, so asked again
            return self.talk.pending(flow, ONE, pending["options"])
        if answer is None:
            return SERVE
        if pending.get("kind") == ONE:
            return self.decide(turn, flow, pending["options"][0], answer)
        since = session.get("at", 0) if session.get("flow") or session.get("pending") else 0
        waiting = [r for r in self.desk.pending(turn.openid)  # (a session keeping only what
                   if explicit or r["asked_at"] >= since]  # was just said is none: topic.py)
        confirming = pending.get("kind") == "confirm" or (
            flow is not None and flow.specs[flow.state].get("role") == "confirm")
        if not waiting and explicit and not confirming:
            turn.say("consent.none")  # a stranger's 同意 decides nothing, and hears so
            return self.resume(turn, flow)
        if not waiting:
            return SERVE  # e.g. 是 for their own pending choice
        if len(waiting) > 1:
            turn.say("consent.which", count=len(waiting))
            return self.listing(turn, flow, waiting)
        return self.decide(turn, flow, waiting[0]["rid"], answer)

    def last_word(self, said: str, turn: Turn) -> bool | None:
        """The consent, or a plain yes or no, that closes a message of two to four clauses
        ("我儿子要绑卡？那就同意吧", "她跟我说过了 嗯 行吧"), the others asking or telling,
        while a request waits for this follower: None otherwise, when another clause answers
        the other way or asks for a service of its own. An answer that opens the message and
        a question after it ("好的，这是什么？", "yes, what is this about?") decide nothing;
        neither does waiting ("我先问问孩子 好吧": DEFERS, read by the caller)."""
        clauses = split(said)
        if not 2 <= len(clauses) <= MAX_CLAUSES:
            return None
        word = self._answers(clauses[-1])
        if word is None or not self.desk.pending(turn.openid):
            return None
        return word if self._only_tell(clauses[:-1], word) else None

    def _answers(self, clause: str) -> bool | None:
        """A clause that is a consent or a plain yes or no ("那就同意吧", "行吧", "no")."""
        read = self.understander.understand(_WRAP.sub("", clause) or clause)
        word = read.consent if read.consent is not None else read.yes_no
        return None if read.slots else word

    def _only_tell(self, clauses: list[str], word: bool) -> bool:
        """The other clauses ask or tell, and none answers the other way or asks for a
        service of its own."""
        for clause in clauses:
            other = self.understander.understand(clause)
            said_other = other.consent if other.consent is not None else other.yes_no
            if said_other is not None and said_other != word:
                return False  # "同意 不过 算了不行"
            if other.act == "start" and not other.question and other.intent != "bind_card":
                return False  # "我要挂失 好的": a request of its own
        return True

    def listing(self, turn: Turn, flow: Flow | None,
                waiting: list[dict] | None = None) -> dict | None:
        """待确认: the requests waiting for this follower, numbered; the pick is pending."""
        waiting = self.desk.pending(turn.openid) if waiting is None else waiting
        if not waiting:
            turn.say("consent.none")
            return self.resume(turn, flow)
        if len(waiting) == 1:
            return self.show(turn, flow, waiting[0]["rid"], waiting[0])
        items = [self.talk.catalog.text("consent.list_item", n=n, **self.named(r))
                 for n, r in enumerate(waiting, 1)]
        turn.say("consent.list", items="\n".join(items))
        return self.talk.pending(flow, PICK, [r["rid"] for r in waiting])

    def show(self, turn: Turn, flow: Flow | None, rid: str,
             request: dict | None = None) -> dict | None:
        """One request, and 同意/拒绝 for it as the pending choice."""
        request = request or next((r for r in self.desk.pending(turn.openid)
                                   if r["rid"] == rid), None)
        if request is None:
            turn.say("consent.none")
            return self.resume(turn, flow)
        turn.say("consent.one", **self.named(request))
        return self.talk.pending(flow, ONE, [rid])

    def decide(self, turn: Turn, flow: Flow | None, rid: str, yes: bool) -> dict | None:
        """The guardian's answer: the decision that holds, said; their flow resumed."""
        request = self.desk.records.get(f"req:{rid}")
        decision, result = self.desk.answer(turn.openid, rid, yes)
        if decision == "stranger" or request is None:
            turn.say("consent.not_yours")
        elif decision in ("yes", "no") and decision == ("yes" if yes else "no"):
            key = "consent.you_refused" if not yes else (
                "consent.you_agreed" if result == "bound" else "consent.you_agreed_not_bound")
            turn.say(key, why=self.desk.tell.why(result), **self.named(request))
        else:
            turn.say("consent.already",
                     state=self.talk.catalog.text(f"consent.state_{decision}"))
        return self.resume(turn, flow)

    def cancelled(self, flow: Flow | None, switching: bool = False) -> str | None:
        """A minor leaving their bind while it waits for the guardian (取消, or another
        service when `switching`): the request is withdrawn (a decision like the guardian's,
        so whichever came first holds; the guardian is told by the desk). The step reads the
        cancel word, so the bind ends by its own transition and says how it ended. Returns
        None when nothing was waiting, ENDED when the flow said it, else a key to say: a 取消
        after the guardian's 同意 is told it came too late (a switch just hears the outcome)."""
        rid = flow.slots.get("request") if flow is not None else None
        if self.desk is None or not rid or flow.state != "await_guardian":
            return None
        if not switching and self.desk.status(rid) == "yes":
            return "consent.cancel_too_late"
        flow.answer(self.talk.catalog.word("cancel"))
        return ENDED

    def settled(self, flow: Flow | None) -> bool:
        """A minor's bind waiting for the guardian, who has decided meanwhile (or the request
        expired, or went to SMS): any message then hears how it ended, before anything else
        ("还在吗" got the waiting step's help after the guardian's 同意 had bound the card)."""
        rid = flow.slots.get("request") if flow is not None else None
        if self.desk is None or not rid or flow.state != "await_guardian":
            return False
        return self.desk.status(rid) != "waiting"

    def resume(self, turn: Turn, flow: Flow | None) -> dict | None:
        if flow is None:
            return None
        turn.say("consent.back", prompt=self.talk.again(flow))
        return flow.session()

    @staticmethod
    def named(request: dict) -> dict[str, str]:
        return {"minor": request["minor_name_masked"], "card": mask_card(request["card_number"])}


def _names_another(heard: Understanding) -> bool:
    """A refusal of a service other than the binding a request is about ("我不想挂失了")."""
    return any(name != "bind_card" and score >= NAMED_NO for name, score in heard.candidates[:1])
