"""How a language marks what we answer: a question (not a request) about our card.

Read from the `reading:` section of data/<lang>.yaml once per language; every pattern is
compiled when the knowledge base loads, so answering a line only runs them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
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
    naming one is not about our card unless what is left once it is taken out names ours
    (`ours`: 社保, social security, a card): "is the card like a bank card" does, "银行卡和信用卡
    有什么不同" does not. `plain` tokens say nothing of a topic (what, how, does, numbers) and
    `shared` ones are our nouns that other things share (a dress code, a deck of cards, bind
    a book, a returns policy): a line with a word the entries never use is ours only when its
    best entry holds one of its tokens that is neither (`rests_on_shared`). `services` name a
    service of the bot's own that no entry answers (解绑): the nearest entry (binding) would
    answer the opposite question, so such a line is left to the flows and the menu.
    `neighbours` name a neighbouring topic's own business however close our words come
    (外省医院能结算吗 is medical insurance's, a name change the card office's).
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
    plain: re.Pattern[str]  # whole tokens
    shared: re.Pattern[str]  # whole tokens
    names: re.Pattern[str]  # our card or service by name: 社保卡, social security, 12333
    common: re.Pattern[str]  # whole tokens: everyday words of any topic (possible, because)
    services: re.Pattern[str]  # a service of its own that no entry answers (解绑, unbind)
    neighbours: re.Pattern[str]  # a neighbouring topic's own business (异地就医, a name change)
    everyday: frozenset[str] = frozenset()  # tokens of the language's general everyday list

    @classmethod
    def of(cls, raw: dict[str, Any], everyday: frozenset[str] = frozenset()) -> Reading:
        synonyms = dict(raw["synonyms"])
        said = "|".join(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" if w.isascii()
                        else re.escape(w)  # ASCII as whole words, beside CJK too: 这张shebao卡
                        for w in sorted(synonyms, key=len, reverse=True))  # longest first
        keys = ("fillers", "asks", "troubles", "orders", "anchors", "others", "ours", "weak",
                "plain", "shared", "names", "common", "services", "neighbours")
        return cls(synonyms, re.compile(said),
                   *(re.compile("|".join(raw.get(key) or [NEVER])) for key in keys), everyday)

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
        if self.others.search(folded) and not self.ours.search(self.others.sub(" ", folded)):
            return ""  # 身份证丢了怎么办: a loss, but not of our card
        if self.anchors.search(folded):
            return "strong"
        return "weak" if self.weak.search(folded) else ""

    def rests_on_shared(self, query: Sequence[str], held: Set[str], known: Set[str]) -> bool:
        """Whether the match rests only on words other things share: "what is the dress code".

        True when the query holds a word the entries never use (`known`: their vocabulary)
        and the best entry (`held`: its vocabulary) holds none of the query's tokens but plain
        and shared ones; a line whose words are all known is left to the confidence floor.
        """
        telling = self.telling(query)
        if all(tok in known for tok in telling):
            return False
        return not any(tok in held and not self.shared.fullmatch(tok) for tok in telling)

    def telling(self, query: Sequence[str]) -> list[str]:
        """The query's tokens that say what it is about: not numbers, not plain words."""
        return [tok for tok in query if tok != "0" and not self.plain.fullmatch(tok)]

    def topical(self, query: Sequence[str]) -> list[str]:
        """The telling tokens less everyday words: those that must be the entries' own.

        Everyday words are the general list (data/everyday/, made from general English and
        jieba's dictionary, never from our questions) and the file's own `common:`.
        """
        return [tok for tok in self.telling(query)
                if tok not in self.everyday and not self.common.fullmatch(tok)]

    def is_question(self, folded: str) -> bool:
        if self.asks.search(folded):
            return True
        return bool(self.troubles.search(folded)) and not self.orders.search(folded)
