"""How a language marks what we answer: a question (not a request) about our card.

Read from the `reading:` section of data/<lang>.yaml once per language; every pattern is
compiled when the knowledge base loads, so answering a line only runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

NEVER = "(?!)"  # the pattern of a key the file leaves out: it matches nothing


@dataclass(frozen=True)
class Reading:
    """How this language marks a question, so a bare request ("绑定社保卡") is left to the flows.

    `synonyms` fold colloquial forms (咋 -> 怎么) before matching; `fillers` are dropped so
    that they neither match nor dilute; `asks` and `troubles` are regexes of question words
    and of reported trouble ("密码忘了"); `orders` marks a request ("report my card lost",
    "卡丢了帮我挂失"), which a reported trouble does not turn into a question. `anchors` are
    the words every question we answer holds one of (卡, 密码, 挂失, rules, guardian…): a
    line without any is about something else however many of its other words match, which
    lets the confidence floor stay low for the oddly worded questions that are ours.
    `weak` anchors are common verbs of ours (reset, lost, recover): a line holding only
    those is ours only when the retriever knows all its other words ("reset my router" is
    not). `others` name another card or account (身份证, 银行卡, a WeChat password): a line
    naming one is not about our card unless it names ours too (`ours`: 社保, social security).
    """

    synonyms: dict[str, str]
    said: re.Pattern[str]  # any synonym; ASCII ones as whole words ("son" is not in "reason")
    fillers: re.Pattern[str]
    asks: re.Pattern[str]
    troubles: re.Pattern[str]
    orders: re.Pattern[str]
    anchors: re.Pattern[str]
    others: re.Pattern[str]
    ours: re.Pattern[str]
    weak: re.Pattern[str]

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Reading:
        synonyms = dict(raw["synonyms"])
        said = "|".join(rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w)
                        for w in sorted(synonyms, key=len, reverse=True))  # longest first
        keys = ("fillers", "asks", "troubles", "orders", "anchors", "others", "ours", "weak")
        return cls(synonyms, re.compile(said),
                   *(re.compile("|".join(raw.get(key) or [NEVER])) for key in keys))

    def fold(self, text: str) -> str:
        """Synonyms replaced until none is left (找不着了 -> 找不到了 -> 丢了), at most 3 rounds."""
        for _ in range(3):
            folded = self.said.sub(lambda m: self.synonyms[m.group()], text)
            if folded == text:
                break
            text = folded
        return text

    def anchored(self, folded: str) -> str:
        """"strong" (names the card, a password…), "weak" (only reset, lost…) or "" (not ours)."""
        if self.others.search(folded) and not self.ours.search(folded):
            return ""  # 身份证丢了怎么办: a loss, but not of our card
        if self.anchors.search(folded):
            return "strong"
        return "weak" if self.weak.search(folded) else ""

    def is_question(self, folded: str) -> bool:
        if self.asks.search(folded):
            return True
        return bool(self.troubles.search(folded)) and not self.orders.search(folded)
