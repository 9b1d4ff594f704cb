"""Okapi BM25 over token lists, with scores made comparable across queries.

Raw BM25 grows with the query's length, so one threshold cannot tell a confident match
from a weak one. Each score is divided by the sum of the query tokens' idf: about 1.0 when
every query token occurs once in the document at average length, 0 when none does, and a
token the base never saw counts at the highest idf, so off-topic words pull the score down.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

K1 = 1.2  # term-frequency saturation (the usual 1.2-2.0; documents here are short)
B = 0.75  # length normalisation (the usual value)


class BM25:
    """An index over fixed documents, built once; `scores` reads it and allocates little."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self.tfs = [Counter(doc) for doc in docs]
        self.lengths = [len(doc) for doc in docs]
        n = len(docs)
        self.avg = (sum(self.lengths) / n) if n else 1.0
        df = Counter(tok for tf in self.tfs for tok in tf)
        self.idf = {tok: self._idf(n, count) for tok, count in df.items()}
        self.unseen = self._idf(n, 0)

    @staticmethod
    def _idf(n: int, df: int) -> float:
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def coverage(self, query: Sequence[str]) -> list[float]:
        """Per document, the share of the query's idf that the document holds at all.

        Unlike the BM25 score it ignores how often a token recurs, so a few common domain
        words (社保卡, card) repeated across an entry's phrasings cannot pass for a match:
        it is the retriever's confidence, while BM25 orders the entries.
        """
        terms = set(query)
        weights = {tok: self.idf.get(tok, self.unseen) for tok in terms}
        mass = sum(weights.values())
        if not mass:
            return [0.0] * len(self.tfs)
        return [sum(w for tok, w in weights.items() if tok in tf) / mass for tf in self.tfs]

    def scores(self, query: Sequence[str]) -> list[float]:
        """One normalised score per document, in document order."""
        terms = set(query)
        mass = sum(self.idf.get(tok, self.unseen) for tok in terms)
        if not mass:
            return [0.0] * len(self.tfs)
        out = []
        for tf, length in zip(self.tfs, self.lengths, strict=True):
            norm = self.k1 * (1.0 - self.b + self.b * length / self.avg)
            total = 0.0
            for tok in terms:
                f = tf.get(tok)
                if f:
                    total += self.idf[tok] * f * (self.k1 + 1.0) / (f + norm)
            out.append(total / mass)
        return out
