"""Retrieval: a question in, one confident entry, two or three close ones, or nothing.

Pipeline per question (nothing is built per message): normalise -> the base's synonym
fold -> is it a question at all? -> fillers dropped -> tokenize -> rank -> decide.
A line that is not a question ("绑定社保卡", "report my card lost") or is a flow's exact
start word is never answered: it belongs to the intent stage and the flows.

Measured (FIGURES below): see the module's end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from flows.catalog import Catalog
from flows.knowledge import tokens
from flows.knowledge.base import Entry, KnowledgeBase
from flows.knowledge.bm25 import BM25
from flows.knowledge.rankers import RANKINGS

FLOOR = 0.4    # the best entry must hold this share of the question's words (by idf)
MARGIN = 0.03  # entries ranked within 3 % of the best are "close": offered as a choice
MAX_CHOICES = 3


@dataclass(frozen=True)
class Answer:
    """What the retriever decided; `score` and `reason` are for the inspector ("why")."""

    kind: str  # "one" | "choices" | "none"
    entries: tuple[Entry, ...]
    score: float
    reason: str = ""


class Retriever:
    """One per knowledge base (and tokenizer): the ranking is built in the constructor."""

    def __init__(self, kb: KnowledgeBase, tokenize: Callable[[str], list[str]] | None = None,
                 normalise: Callable[[str], str] | None = None, *,
                 ranking: str = "bm25_dice", floor: float = FLOOR,
                 margin: float = MARGIN) -> None:
        self.kb = kb
        self.floor, self.margin = floor, margin
        self.tokenize = tokenize or tokens.tokenize
        self.normalise = normalise or tokens.normalise
        self.commands = Catalog(kb.lang)  # the flows' exact start words stay theirs
        phrasings = [[self._tokens(self._fold(q)) for q in entry.questions] for entry in kb]
        self.rank = RANKINGS[ranking](phrasings)
        self.index = BM25([[tok for phrasing in each for tok in phrasing] for each in phrasings])

    @classmethod
    def shared(cls, lang: str) -> Retriever:
        """The default retriever of `lang`, built on first use and then shared."""
        return _shared(lang)

    def _fold(self, text: str) -> str:
        return self.kb.reading.fold(self.normalise(text))

    def _tokens(self, folded: str) -> list[str]:
        return self.tokenize(self.kb.reading.fillers.sub(" ", folded))

    def answer(self, text: str) -> Answer:
        folded = self._fold(text)
        if self.commands.command(text) or not self.kb.reading.is_question(folded):
            return Answer("none", (), 0.0, "not a question")
        query = self._tokens(folded)
        if len(set(query)) < 2:  # "在吗" is 在: one token matches anything or nothing
            return Answer("none", (), 0.0, f"too short to tell ({len(set(query))} token)")
        held = self.index.coverage(query)
        ranked = sorted(zip(self.rank(query), range(len(self.kb)), strict=True),
                        key=lambda pair: (-pair[0], pair[1]))  # ties: file order, deterministic
        top, best = ranked[0][0], held[ranked[0][1]]
        close = [self.kb.entries[i] for score, i in ranked[:MAX_CHOICES]
                 if score >= top * (1 - self.margin) and held[i] >= self.floor]
        why = f"holds {best:.0%} of the words; ranking {top:.2f}"
        if best < self.floor or not close:
            return Answer("none", (), best, f"{why} (floor {self.floor:.0%})")
        if len(close) == 1:
            return Answer("one", tuple(close), best, f"{why}, runner-up {ranked[1][0]:.2f}")
        return Answer("choices", tuple(close), best, f"{why}; {len(close)} within "
                                                     f"{self.margin:.0%}")


@cache
def _shared(lang: str) -> Retriever:
    return Retriever(KnowledgeBase.load(lang))
