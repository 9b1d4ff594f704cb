"""Same-sound slips of pinyin input (帮定 for 绑定, 蜜码 for 密码), put right before matching again.

The readings come from pypinyin's character table (pinyin_dict.json in its package). Importing
`pypinyin` itself also loads its phrase dictionary (about 50 MB and 150 ms per process) that we
never use, so the table is read on its own, once, and only the characters that sound like a
syllable of our words are kept.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from collections import defaultdict
from pathlib import Path

_HAN = range(0x3400, 0xA000)


def _table() -> dict[str, str]:
    """pypinyin's character table, code point (as text) -> 'bǎng,páng', without importing it."""
    spec = importlib.util.find_spec("pypinyin")  # finds the package; does not run it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypinyin is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _toneless(readings: str) -> frozenset[str]:
    """'bǎng,páng' -> {'bang', 'pang'} (tone marks dropped; ü kept as v, as people type it)."""
    plain = unicodedata.normalize("NFD", readings.replace("ü", "v"))
    return frozenset("".join(c for c in plain if not unicodedata.combining(c)).split(","))


class Sounds:
    """Our Chinese words by sound, and the readings of each character that may stand in for them."""

    def __init__(self, words: list[str]) -> None:
        raw = _table()
        ours = [w for w in words if len(w) >= 2 and all(ord(c) in _HAN for c in w)]
        reading = {c: _toneless(raw[str(ord(c))]) for w in ours for c in w if str(ord(c)) in raw}
        syllables = set().union(*reading.values()) if reading else set()
        heard: dict[str, frozenset[str]] = {}  # 'bǎng,páng' -> our syllables in it, once each
        self.readings: dict[str, frozenset[str]] = {}
        for code, value in raw.items():
            if value not in heard:
                heard[value] = _toneless(value) & syllables
            if heard[value] and int(code) in _HAN:
                self.readings[chr(int(code))] = heard[value]
        self.known = frozenset(words)
        self.by_start: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in ours:
            if all(c in self.readings for c in word):
                for syllable in self.readings[word[0]]:
                    self.by_start[(len(word), syllable)].append(word)
        self.by_start = dict(self.by_start)
        self.longest = max((len(w) for w in ours), default=0)
        # Per character, the readings one of our words starts with, sorted once (not per window);
        # a character with none cannot begin a slip. With our words' first characters, that is
        # where a replacement can begin: any other character is kept without trying a window
        # (an ID number's 18 digits tried ~90 windows a message, for nothing).
        first = {syllable for _, syllable in self.by_start}
        orders: dict[frozenset[str], tuple[str, ...]] = {}
        self.ordered: dict[str, tuple[str, ...]] = {}
        for char, readings in self.readings.items():
            if readings & first:
                if readings not in orders:
                    orders[readings] = tuple(sorted(readings & first))
                self.ordered[char] = orders[readings]
        self.starts = frozenset(w[0] for w in words if len(w) >= 2) | frozenset(self.ordered)

    def correct(self, text: str) -> str:
        """`text` with each same-sound slip of one of our words replaced by the word."""
        out, i = [], 0
        while i < len(text):
            if text[i] not in self.starts:
                out.append(text[i])
                i += 1
                continue
            for size in range(min(self.longest, len(text) - i), 1, -1):
                window = text[i : i + size]
                word = window if window in self.known else self._heard(window)
                if word:
                    out.append(word)
                    i += size
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def _heard(self, window: str) -> str | None:
        for syllable in self.ordered.get(window[0], ()):
            for word in self.by_start.get((len(window), syllable), ()):
                differ = sum(a != b for a, b in zip(window, word, strict=True))
                if 1 <= differ <= max(1, len(word) // 2) and all(
                    self.readings.get(a, frozenset()) & self.readings[b]
                    for a, b in zip(window, word, strict=True)
                ):
                    return word
        return None
