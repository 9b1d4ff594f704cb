"""What one message means: the language stage's output, read by the dialogue, the knowledge
routing and the clause rules alike (kept apart from the Understander so those can name it
without importing the machinery that makes it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Understanding:
    """What one message means. `intent` is set only for start and confirm."""

    text: str  # normalised
    question: bool
    intent: str | None  # e.g. "bind_card", or None
    confidence: float  # 0..1
    reason: str  # "exact" | "sentence" | "fuzzy" | "pinyin" | "negated" | "none" | "clause"
    # (one clause of a story said it) | "after_refusal" (said after a clause refusing another)
    # | "after_fact" (a request after a statement about a fact: "不要钱就好，那我想绑一下")
    act: str  # "start" | "confirm" (ask first) | "negated" | "fact" | "none"
    howto: bool  # a how-to question that starts the service
    candidates: tuple[tuple[str, float], ...]  # closest service intents, best first, at most 3
    choice: int | None  # a bare pick: "2", "二", "②", "第2个" -> 2
    yes_no: bool | None
    slots: dict[str, str] = field(default_factory=dict)  # filled by the integrator's slot reader
    # The whole message says the person does not know or remember what was asked (我不知道,
    # 不记得了, "no idea"): in a step it is about the step's thing, whatever `intent` guesses.
    unsure: bool = False
    # The message finds fault with the service ("你们这个太难用了", "this is useless"): an
    # apology and a person are owed, not "没有听懂" (the dialogue's not-understood path).
    complaint: bool = False
    # The message asks why something is asked, or whether giving it is safe ("为什么要我的身份证
    # 号", "why do you need my id", "这样安全吗"): inside a step, about the step's thing.
    why: bool = False
    # The message agrees (True) or refuses (False) in so many words, alone or in a short
    # sentence ("好的，我同意", "不行，我拒绝"; negation wins): a consent asked of this follower is
    # answered by it whenever it came. `yes_no` says the same then.
    consent: bool | None = None
    # The whole message is small talk of this kind: "greeting", "thanks", "bye" or "ack"
    # (flows/language/small_talk.py). Thanks, goodbyes and acks ask for no service; a
    # greeting still opens the menu. A yes or no word in it ("好的谢谢") sets `yes_no` too.
    small_talk: str | None = None
    # The other services the message's clauses ask for, after `intent` ("社保卡丢了，密码也忘了"
    # starts the loss report; the reset is told to come after it)
    also: tuple[str, ...] = ()
