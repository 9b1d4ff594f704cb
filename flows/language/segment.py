"""Cutting a normalised message into canonical words: jieba for Chinese, words for English.

jieba's own dictionary costs about a second and tens of MB per process, so this uses a jieba
Tokenizer of its own over data/words.txt (the 6,000 most frequent entries of jieba's dictionary,
"word frequency" per line) plus every surface of our data, added as a word. The prefix dictionary
is built in memory (a few ms): no cache file unless the caller names a directory for one.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from flows.language.vocabulary import FACT, HOWTO, NOT, Vocabulary

with warnings.catch_warnings():  # for this import only, whatever -W or pytest says:
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated as an API")
    for kind in (DeprecationWarning, SyntaxWarning):  # its regexes are plain strings: compiling
        warnings.filterwarnings("ignore", "invalid escape sequence", kind)  # without .pyc warns
    import jieba

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
DOMAIN_FREQ = 200_000  # above any general word in words.txt, so our words are cut whole


@dataclass(frozen=True)
class Parse:
    """A message as canonical words, with what else the words said."""

    words: frozenset[str]  # canonical words (fillers dropped, ¬ kept)
    unknown: float  # the weight of words we have never seen
    howto: bool  # a how-to question (怎么 / how do I)
    fact: bool  # a question about a fact (几岁 / how old)
    fixed: bool  # a misspelt English word was read as the word it is closest to


def _tokenizer(words: Path, extra: list[str], cache_dir: str | None) -> jieba.Tokenizer:
    """A jieba Tokenizer of our own, so the default one (and its 1 s dictionary) is never built."""
    tokenizer = jieba.Tokenizer(dictionary=str(words))
    if cache_dir:  # the caller's directory (BOT_DATA_DIR): jieba keeps its prefix cache there
        tokenizer.tmp_dir = cache_dir
        level = jieba.default_logger.level
        jieba.default_logger.setLevel(logging.WARNING)  # it logs each build at DEBUG to stderr
        try:
            tokenizer.initialize()
        finally:
            jieba.default_logger.setLevel(level)
    else:
        with open(words, "rb") as fh:
            tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(fh)
        tokenizer.initialized = True
    for word in extra:
        tokenizer.add_word(word, DOMAIN_FREQ)
    return tokenizer


class Segmenter:
    """Built once: the jieba tokenizer and the phrase table keyed by token sequences."""

    def __init__(self, vocabulary: Vocabulary, words: Path, cache_dir: str | None = None) -> None:
        s = vocabulary.settings
        self.unknown_char = float(s["weights"]["unknown_char"])
        self.unknown_word = float(s["weights"]["unknown_word"])
        self.cutoff = float(s["thresholds"]["spelling"])
        self.alone = frozenset(s.get("alone", ()))
        cjk = [w for w in vocabulary.surfaces if _CJK.search(w)]
        self.tokenizer = _tokenizer(words, cjk, cache_dir)
        self.table: dict[tuple[str, ...], tuple[str, ...]] = {}
        for surface, canonical in vocabulary.surfaces.items():
            key = tuple(self.tokens(surface))
            if key:  # ¬ and the ⟨markers⟩ are canonical only: nobody types them
                self.table[key] = canonical
        self.longest = max(len(key) for key in self.table)
        # content words only: world is not a slip of the filler would; nor is anything a slip of
        # a negator, which must be typed: "went" read as "wont" turned a request into a refusal
        self.english = sorted(k[0] for k, v in self.table.items()
                              if len(k) == 1 and k[0].isascii() and v and NOT not in v)
        # No known English word has a digit, so each digit of a token costs an edit: a token
        # with more than this share of digits (a card number, A12345678) cannot reach the cutoff.
        self.digit_share = 1.0 - self.cutoff if not any(
            c.isdigit() for w in self.english for c in w) else 1.0

    def learn(self, sentences: list[str]) -> None:
        """Words of our own examples that no group names are known words (themselves)."""
        for sentence in sentences:
            for token in self.tokens(sentence):
                self.table.setdefault((token,), (token,))

    def tokens(self, text: str) -> list[str]:
        """Chinese runs are cut by jieba; English words and numbers are words already."""
        out: list[str] = []
        for match in _WORD.finditer(text):
            run = match.group()
            out += self.tokenizer.lcut(run, HMM=False) if _CJK.match(run) else [run]
        return out

    def parse(self, text: str) -> Parse:
        """Longest phrase first, so 解除绑定 is one act (解绑), not 解除 + 绑定 (bind)."""
        tokens, words, unknown, fixed = self.tokens(text), set(), 0.0, False
        i = 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                canonical = self.table.get(tuple(tokens[i : i + size]))
                if canonical is not None:
                    words.update(canonical)
                    i += size
                    break
            else:
                token, i = tokens[i], i + 1
                if token.isdigit():
                    continue  # numbers are slots (ID, card, code), not evidence of an intent
                near = self._spelling(token)
                if near is not None:
                    words.update(near)
                    fixed = True
                else:
                    single = len(token) == 1 and _CJK.match(token)
                    unknown += self.unknown_char if single else self.unknown_word
        howto, fact = HOWTO in words, FACT in words
        words -= {HOWTO, FACT}
        if words - self.alone:  # 你好，我想绑卡: the greeting only opens the sentence
            words -= self.alone
        return Parse(frozenset(words), unknown, howto, fact, fixed)

    def _spelling(self, token: str) -> tuple[str, ...] | None:
        """An unknown English word close enough to a known one (pasword -> password)."""
        if len(token) < 4 or not token.isascii():
            return None
        # The OSA distance to a word without digits is at least the digits' count d, and its
        # normalised similarity at most 1 - d/len(token) (~20 us of fuzzy search per card number).
        if sum(c.isdigit() for c in token) > self.digit_share * len(token):
            return None
        best = process.extractOne(token, self.english, scorer=OSA.normalized_similarity,
                                  score_cutoff=self.cutoff)
        return self.table[(best[0],)] if best else None
