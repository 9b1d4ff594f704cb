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
from flows.knowledge.rankers import RANKINGS

FLOOR = 0.35      # below it, nothing is close enough to offer
CONFIDENT = 0.55  # the best must reach it to be answered alone ...
MARGIN = 0.12     # ... and lead the runner-up by this much
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
                 ranking: str = "bm25", floor: float = FLOOR, confident: float = CONFIDENT,
                 margin: float = MARGIN) -> None:
        self.kb = kb
        self.floor, self.confident, self.margin = floor, confident, margin
        self.tokenize = tokenize or tokens.tokenize
        self.normalise = normalise or tokens.normalise
        self.commands = Catalog(kb.lang)  # the flows' exact start words stay theirs
        self.rank = RANKINGS[ranking]([[self._tokens(self._fold(q)) for q in entry.questions]
                                       for entry in kb.entries])

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
        ranked = sorted(zip(self.rank(self._tokens(folded)), range(len(self.kb)), strict=True),
                        key=lambda pair: (-pair[0], pair[1]))  # ties: file order, deterministic
        best = ranked[0][0]
        close = [self.kb.entries[i] for score, i in ranked[:MAX_CHOICES]
                 if score >= self.floor and best - score < self.margin]
        if best < self.floor:
            return Answer("none", (), best, f"best {best:.2f} < floor {self.floor}")
        if len(close) == 1 and best >= self.confident:
            return Answer("one", tuple(close), best, f"best {best:.2f}, runner-up "
                                                     f"{ranked[1][0]:.2f}")
        if len(close) == 1:
            return Answer("none", (), best, f"best {best:.2f} < confident {self.confident}")
        return Answer("choices", tuple(close), best,
                      f"{len(close)} within {self.margin} of {best:.2f}")


@cache
def _shared(lang: str) -> Retriever:
    return Retriever(KnowledgeBase.load(lang))
