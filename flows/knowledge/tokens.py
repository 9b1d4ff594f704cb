"""Tokenizers for the retriever (its normaliser is the language stage's normal form).

The default needs no dictionary: Chinese is cut into characters and their bigrams (robust
to words no dictionary knows, like 绑卡 or 解挂), other text into lower-case words with a
crude suffix strip, and every number into one token `0`, so "17岁" and "18岁" share one.
`jieba_tokenizer` is here for the measurement in retriever.py.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

WORDS = Path(__file__).parent / "data" / "words.txt"
_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z]+(?:'[a-z]+)?|[0-9]+")
_SUFFIXES = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def _stem(word: str) -> str:
    word = word.removesuffix("'s").replace("'", "")
    for suffix, into in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + into
            break
    return word[:-1] if len(word) >= 5 and word.endswith("e") else word  # replace ~ replacing


def _run_tokens(run: str, cjk: Callable[[str], list[str]]) -> list[str]:
    if run[0].isdigit():
        return ["0"]
    if "a" <= run[0] <= "z":
        return [_stem(run)]
    return cjk(run)


def bigrams(run: str) -> list[str]:
    """Overlapping character pairs; a lone character stands for itself."""
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def unibigrams(run: str) -> list[str]:
    """Characters and their pairs: characters survive words split by a filler or a typo."""
    return [*run, *bigrams(run)] if len(run) > 1 else [run]


def tokenize(text: str) -> list[str]:
    """Characters and bigrams for Chinese, stemmed words for the rest, `0` for any number."""
    return [tok for run in _RUNS.findall(text) for tok in _run_tokens(run, unibigrams)]


def tokenize_bigrams(text: str) -> list[str]:
    """As `tokenize` without single characters (measured against it in retriever.py)."""
    return [tok for run in _RUNS.findall(text) for tok in _run_tokens(run, bigrams)]


@cache
def _jieba(path: Path) -> object:
    """A jieba Tokenizer on the shipped word list only: jieba's own 20 MB dictionary costs ~1 s.

    The prefix dictionary is built straight from the file, which skips jieba's cache file in
    the temp directory (no writes) and its log lines.
    """
    with warnings.catch_warnings():  # jieba 0.42 imports pkg_resources, which warns
        warnings.simplefilter("ignore")
        import jieba
    tok = jieba.Tokenizer(str(path))
    with open(path, "rb") as fh:
        tok.FREQ, tok.total = tok.gen_pfdict(fh)
    tok.initialized = True
    return tok


def jieba_tokenizer(path: Path = WORDS, hmm: bool = False) -> Callable[[str], list[str]]:
    """A tokenize(text) that cuts Chinese with jieba on our domain words (built once per path)."""
    tok = _jieba(path)

    def cut(run: str) -> list[str]:
        return [w for w in tok.cut(run, HMM=hmm) if w.strip()]  # type: ignore[attr-defined]

    def tokenize_jieba(text: str) -> list[str]:
        return [t for run in _RUNS.findall(text) for t in _run_tokens(run, cut)]

    return tokenize_jieba
