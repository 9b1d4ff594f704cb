"""When a question is answered rather than the service it names started: one rule, read by
the dialogue (bot/dialogue/questions.py) and counted by the knowledge report (`started`).

Pure, like the rest of flows/knowledge: an Understanding and the retriever's Answer in, a
yes or no out.
"""

from __future__ import annotations

import re

from flows.knowledge.retriever import Answer
from flows.language import Understanding

# Our card's topics no service of ours touches: said where to ask even when the language
# stage reads a service's start ("社保卡余额怎么查" is not 我的社保卡, which shows no balance).
# Not card_account: "我绑的是哪张卡" is 我的社保卡's own question.
UNSERVED = ("electronic_card", "card_condition", "card_frozen", "other_wechat")
# The loss services: another card's name takes their start words back ("i lost my id card":
# its line says whose card that is, and to reply 挂失 if it is ours after all); our card's
# unserved topics never do ("电子社保卡丢了" is a loss of the card, however it is called).
LOSSES = ("report_loss", "lift_loss")
# neighbouring offices' topics: a lookup asked of them ("帮我查下社保交了几年") is no 我的社保卡
# (its reply, "no card bound here, reply 绑定", read as if binding would show them)
NEIGHBOURS = ("contributions", "pension", "medical_insurance", "other_benefits")
# A question that asks for the service ("能帮我绑一下社保卡吗", "can you help me reset my
# password") is a request however an entry's words match it: the service starts.
# Asking whether it can be done here ("can i bind my card here", "在这能挂失吗") asks for it too.
REQUESTS = re.compile(r"帮我|帮忙|请帮|替我|给我(办|挂|解|绑|改|重置)"
                      r"|\b(can|could|would) you\b|\bhelp me\b"
                      r"|\bplease\b|\b(can|could) i\b.{0,40}\b(here|in this (chat|account))\b"
                      r"|(在这|在这里|在这儿|这里|这儿|这个号|本服务号)(上)?(能|可以|能不能)")


# A question about what would happen ("那卡要是找到了咋办" right after a loss report, "what if
# i find it"): an entry that answers it is said; the service is not started on a supposition.
SUPPOSED = re.compile(r"要是|如果|万一|假如|假设|\b(what if|if|in case)\b", re.IGNORECASE)
# Whether it can be done at all ("那我自己能挂失吗" right after binding, "孩子的卡能挂失吗"): a
# question of ability an entry answers is answered, then offered; never a card changed on it
ABLE = re.compile(r"(能|可以)[^吗]{0,8}吗$|能不能|可不可以|\bcan (i|we|my|a|the)\b", re.IGNORECASE)

# Services that only show what is on record: a sure reading of one ("我的卡状态正常吗", "我绑的
# 卡是哪张来着") is answered best by showing it, whatever an entry's words match.
SHOWS = ("my_card", "progress")
SURE_SHOW = 0.8  # a start reading near sure: "不知道我绑的是哪张卡 查一下" (0.81)


def said_first(heard: Understanding, answer: Answer) -> bool:
    """Whether a service's start is met with where to ask instead (`answer.elsewhere`): a
    question only ("社保卡余额怎么查"); a request ("绑定电子社保卡", "电子社保卡丢了") starts."""
    loss = heard.intent in LOSSES
    if answer.kind == "none" and heard.intent in SHOWS and answer.elsewhere in NEIGHBOURS:
        return True  # "帮我查下社保交了几年": a lookup of what no service here shows
    return answer.kind == "none" and answer.asked and (
        (answer.elsewhere in UNSERVED and not loss) or (answer.elsewhere == "other_cards" and loss))


# A loss report hurried along is asked for ("…社保卡也在里面快点挂失"); never in a question, nor
# for a service that is no emergency ("快点，解绑太慢了" complains). Looking something up asks
# for the services that show it
# ("…还没结果 查下进度"), not for one that changes a card ("查一下我能不能解绑" asks).
# no card at all yet ("我还没有社保卡", "i never got a card"): no service on a card starts
NO_CARD = re.compile(r"(还)?没(有)?(办|领)?(过)?社保卡|还没(有)?卡|没办过卡"
                     r"|\b(never (got|had|received) (one|a card|my card)|don'?t have a card"
                     r"|do not have a card|no card yet)\b", re.IGNORECASE)
HURRIED = re.compile(r"快点|赶紧|赶快|\b(asap|quickly)\b")
LOOK_UP = re.compile(r"查一?下|给我查|帮我查")


def asks_for_it(heard: Understanding) -> bool:
    """The words ask for the service itself ("能帮我绑一下吗", "can i bind my card here")."""
    return REQUESTS.search(heard.text) is not None \
        or (heard.intent == "report_loss" and not heard.question
            and HURRIED.search(heard.text) is not None) \
        or (heard.intent in SHOWS and LOOK_UP.search(heard.text) is not None)


def starts(heard: Understanding, answer: Answer) -> bool:
    """Whether the dialogue starts the service the language stage read (`heard`) rather than
    answer the question or say where to ask: the rule Questions.before_start follows, and
    the knowledge report counts with. A start no entry answers, or that the service's own
    how-to entry answers ("怎么绑定社保卡"), starts it."""
    if heard.act not in ("start", "confirm") or said_first(heard, answer):
        return False
    if NO_CARD.search(heard.text) and answer.kind != "none":  # "我还没有社保卡，能在这绑吗":
        return False  # how to get one first; the binding would ask for a card number
    if asks_for_it(heard):  # "这里可以绑社保卡吗" asks for it, however middling the reading
        return True
    if answer.kind == "one" and SUPPOSED.search(heard.text):
        return False  # "卡要是找到了咋办": answered, nothing lifted on a supposition
    if answer.kind == "one" and heard.question and heard.intent in LOSSES \
            and ABLE.search(heard.text):  # "那我自己能挂失吗": can it, answered and offered
        return False
    if heard.intent in SHOWS and heard.act == "start" and heard.confidence >= SURE_SHOW:
        return True
    if heard.reason in ("after_refusal", "after_fact") and heard.act == "start":  # "原来卡
        return True  # 没丢，解一下挂失", "不要钱就好，那我想绑一下": a last clause asks for it; no
        # question is read so (the clause rules leave those): its 丢, 要钱 ask nothing
    if heard.also and heard.act == "start":  # "社保卡丢了，密码也忘了": services asked
        return True  # for, one after another; the other's entry is no answer to them
    if heard.act != "start":
        return False
    entry = answer.entries[0] if answer.kind == "one" else None
    return entry is None or (entry.howto and entry.service == heard.intent)
