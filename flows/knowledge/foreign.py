"""Whose words a question uses: the foreign-word rule, kept apart from the ranking.

A line can hold enough of the card's words to reach an entry and still ask something that
entry never speaks of ("will losing my card hurt my credit score" reaches the loss report).
Each entry's own words are its phrasings', its answer's, its topic words and the question
set's dev lines labelled with it (`KnowledgeBase.examples`); a line holding FOREIGN topical
words its best entry never uses, and at least FOREIGN_SHARE of its topical words, is not that
entry's question. `python -m flows.knowledge.crossval` measures the rule on lines it never
read; the runner-up's words were tried as the best entry's too, and cost right answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from flows.knowledge.base import KnowledgeBase

FOREIGN = 2  # a line holding this many topical words its best entry never uses is not its question
FOREIGN_SHARE = 0.25  # ... when they are this share of its topical words (a long story has more)
_WORDS = re.compile(r"[a-z]{3,}|[\u3400-\u9fff]+")  # the words of a regex pattern


def pattern_words(pattern: str) -> str:
    """A regex's literal words as one text: "\\bcards?|social secur" -> "card social secur"."""
    return " ".join(_WORDS.findall(re.sub(r"\\[a-z]", " ", pattern)))


class EntryWords:
    """The words each entry of a knowledge base is known to speak of, built once."""

    def __init__(self, kb: KnowledgeBase, words: Callable[[str], list[str]],
                 share: float = FOREIGN_SHARE) -> None:
        self.kb, self.share = kb, share
        topics = [kb.topics.get(entry.id) for entry in kb]
        self.own = [frozenset(tok for text in (*entry.questions, entry.answer,
                                               pattern_words(topic.pattern) if topic else "",
                                               *kb.examples.get(entry.id, ()))
                              for tok in words(text))
                    for entry, topic in zip(kb, topics, strict=True)]
        # the card's and the service's own names, and what most entries say, are everyone's:
        # 'social security' is no entry's foreign word, whichever entries happen to say it
        names = pattern_words(kb.reading.names.pattern + "|" + kb.reading.ours.pattern)
        self.everyones = frozenset(words(names)) | frozenset(
            tok for tok in set().union(*self.own)
            if 2 * sum(tok in own for own in self.own) >= len(self.own))

    def foreign(self, text: str, raw: Sequence[str], query: Sequence[str], i: int) -> list[str]:
        """The topical words of `query` (`raw` as typed, before slips were mended; `text`
        the line they were cut from) that entry `i` never uses; [] below the share.

        A word counts as the entry's in the form typed or as mended: "regulation" is an
        example's word before the slip-mender reads it as "relation". Chinese is checked by
        character, and the characters that stand together count as one word: 退休 is one
        word beside 社保卡密码忘了, still the forgotten password's question; "what year were
        cards first issued" holds two (year, first) that the binding age's entry never
        speaks of. Characters are the default tokenizer's: with another the rule sees
        English only.
        """
        own = self.everyones | self.own[i]
        said = {tok for tok in self.kb.reading.topical(query) if tok.isascii() or len(tok) == 1}
        typed = dict(zip(query, raw, strict=True))
        topical = {tok for tok in said if tok not in own and typed.get(tok, tok) not in own}
        chars = {tok for tok in topical if not tok.isascii()}
        words, run = {tok for tok in topical if tok.isascii()}, ""
        for char in text + " ":
            if char in chars:
                run += char
            elif run:
                words.add(run)
                run = ""
        return sorted(words) if len(words) >= self.share * len(said) else []
