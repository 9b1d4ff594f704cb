"""The labelled question set (data/questions.yaml), parsed once per process.

Its `dev` part is what tuning reads, and the retriever too: each entry's dev lines widen the
words that entry is known to speak of (`examples`), which is how it tells a question it
answers from one that only shares its words. Its `heldout` part is read by the evaluation
alone, never here: `examples` takes dev lines only (tests/test_knowledge.py pins it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 60 ms instead of 500


@cache
def question_set() -> dict[str, Any]:
    """The labelled lines per language and part, and the targets; parsed once."""
    with open(DATA / "questions.yaml", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)  # a safe loader: SafeLoader or its C twin


def examples(lang: str) -> dict[str, tuple[str, ...]]:
    """The dev lines of `lang` by the entry that answers them; out-of-scope lines left out."""
    return by_entry(question_set()[lang]["dev"])


def by_entry(labelled: Iterable[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """(text, label) lines grouped by the entry that answers them, `none` left out (the
    dev part for the retriever, or crossval's other folds)."""
    grouped: dict[str, list[str]] = {}
    for text, label in labelled:
        if label != "none":
            grouped.setdefault(label, []).append(str(text))
    return {label: tuple(lines) for label, lines in grouped.items()}
