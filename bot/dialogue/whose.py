"""Whose a question is when it is not ours, and the line that tells the person where to ask.

Why a module of its own: the retriever names the topic (`Answer.elsewhere`: pension,
other_cards, about_us…); when the dialogue says it, and which catalog line, is policy of
its own, found by a review and a new-user test, and easier to see here than inside Talk.
No state and no IO: Talk asks it and says the line.
"""

from __future__ import annotations

from flows.catalog import Catalog
from flows.knowledge import NEIGHBOUR
from flows.language import Understanding

# Lines said even when a service's words are near: the neighbours' own business (征信 of our
# card), another card named (银行卡丢了), our card's unanswered topics, who answers ("are
# you a real person?" is near 人工, which its line offers), and the other benefits, whose
# words are never our services' ("withdraw my housing fund" is not lifting a loss report).
SURE_ELSEWHERE = (NEIGHBOUR, "other_cards", "card_account", "card_phone", "card_condition",
                  "electronic_card", "about_us", "other_benefits", "offline", "card_frozen",
                  "other_wechat")
# Lines said in the middle of a step, the step then asked again: the everyday ones only. A
# question at a step that names another office is mostly about the step by the card's other
# names ("医保卡号可以吗？" at the card step, "退休人员的身份证可以吗？"): its help.
ELSEWHERE_IN_STEP = ("daily_life", "offline")  # where to go in person, at any step


# How near a service's words must come to keep the line from being said: "医保卡密码被锁了"
# is 0.585 near 忘记密码, which is offered; "how do i get my pension" only 0.443 near
# 重新发送 (a word's slip), and gets the pension line, not "did you mean: resend".
NEAR = 0.5


def said_at_idle(topic: str, heard: Understanding) -> bool:
    """Whether the line is said, rather than the dialogue's confirmation or offer: not when
    the words are near one of our services ("孩子的医保卡丢了", "医保卡密码被锁了" are our
    card by another name, however medical their words), unless the topic is a sure one."""
    near = any(score >= NEAR for _, score in heard.candidates)
    return heard.act != "confirm" and (not near or topic in SURE_ELSEWHERE)


def said_in_step(topic: str) -> bool:
    return topic in ELSEWHERE_IN_STEP


def key(catalog: Catalog, topic: str) -> str:
    """The topic's own line; the general one for NEIGHBOUR (the neighbours' words alone)."""
    own = f"answer.elsewhere.{topic}"
    return own if topic != NEIGHBOUR and own in catalog.texts else "answer.elsewhere"
