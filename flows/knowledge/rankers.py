"""The rankings measured for the retriever: each scores every entry for a tokenized question.

A ranking is built once from the entries' tokenized phrasings and returns, per entry, a
score in about [0, 1]. `bm25` (the default, see retriever.py for the figures) pools all
phrasings of an entry into one document, so a question may draw words from several; the
others are kept so the comparison can be run again (`python -m flows.knowledge.compare`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from flows.knowledge.bm25 import BM25

Phrasings = Sequence[Sequence[Sequence[str]]]  # per entry, per phrasing, its tokens
Ranking = Callable[[Sequence[str]], list[float]]


def bm25(entries: Phrasings) -> Ranking:
    """BM25 with one document per entry: all its phrasings' tokens together."""
    index = BM25([[tok for phrasing in phrasings for tok in phrasing] for phrasings in entries])
    return index.scores


def bm25_each(entries: Phrasings) -> Ranking:
    """BM25 with one document per phrasing; an entry scores its best phrasing."""
    owner = [i for i, phrasings in enumerate(entries) for _ in phrasings]
    index = BM25([phrasing for phrasings in entries for phrasing in phrasings])

    def scores(query: Sequence[str]) -> list[float]:
        best = [0.0] * len(entries)
        for i, score in zip(owner, index.scores(query), strict=True):
            best[i] = max(best[i], score)
        return best

    return scores


def fuzz(entries: Phrasings) -> Ranking:
    """rapidfuzz token_set_ratio against each phrasing (as tokens), best phrasing per entry."""
    from rapidfuzz import fuzz as rf

    owner = [i for i, phrasings in enumerate(entries) for _ in phrasings]
    choices = [" ".join(phrasing) for phrasings in entries for phrasing in phrasings]

    def scores(query: Sequence[str]) -> list[float]:
        said = " ".join(query)
        row = [rf.token_set_ratio(said, choice) for choice in choices]
        best = [0.0] * len(entries)
        for i, score in zip(owner, row, strict=True):
            best[i] = max(best[i], float(score) / 100.0)
        return best

    return scores


def blend(entries: Phrasings) -> Ranking:
    """The mean of `bm25` and `fuzz`: BM25's word weights, fuzz's tolerance of order."""
    first, second = bm25(entries), fuzz(entries)

    def scores(query: Sequence[str]) -> list[float]:
        return [(a + b) / 2 for a, b in zip(first(query), second(query), strict=True)]

    return scores


DICE = 2.0  # the Dice part's weight, chosen on dev from 1, 2, 3 (98.9, 99.2, 98.7 % right)


def bm25_dice(entries: Phrasings) -> Ranking:
    """`bm25`, plus the best Dice overlap with one phrasing: of two entries that both hold
    the question's words, the one with a phrasing close to the whole question wins."""
    pooled = bm25(entries)
    sets = [[frozenset(phrasing) for phrasing in phrasings] for phrasings in entries]

    def scores(query: Sequence[str]) -> list[float]:
        said = frozenset(query)
        dice = [max((2 * len(said & each) / (len(said) + len(each)) for each in phrasings
                     if each or said), default=0.0) for phrasings in sets]
        return [a + DICE * b for a, b in zip(pooled(query), dice, strict=True)]

    return scores


RANKINGS: Mapping[str, Callable[[Phrasings], Ranking]] = MappingProxyType({
    "bm25": bm25, "bm25_each": bm25_each, "fuzz": fuzz, "blend": blend,
    "bm25_dice": bm25_dice})
