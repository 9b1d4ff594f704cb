"""Answers that are not sentences: a pick from a numbered list, a yes or a no; and the one
kind of sentence that is such an answer: agreeing or refusing in so many words (同意 / 拒绝).

They are read on every message; whether a list or a question is pending is the dialogue's call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

_NUMERALS = MappingProxyType({
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": 10, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5})
_PICK = re.compile(
    r"(?:我)?(?:选|选择|要)?第?(?P<zh>\d{1,2}|[一二两三四五六七八九十])(?:个|号|项|条|种)?(?:吧|啊|呀)?"
    r"|(?:i\s)?(?:(?:option|number|no\.?|choice|pick|choose|take|want|go with)\s?)?(?:the\s?)?"
    r"(?P<en>\d{1,2}|first|second|third|fourth|fifth|one|two|three|four|five)(?:st|nd|rd|th)?"
    r"(?:\s?(?:one|option))?"
)
MOST = 20  # no list of ours is longer; a bigger number is an answer to something else


def read_choice(text: str) -> int | None:
    """The number picked by a whole (normalised) message such as 2, 二, 第2个, 选2, option 2."""
    match = _PICK.fullmatch(text)
    if match is None:
        return None
    said = match.group("zh") or match.group("en")
    number = int(said) if said.isdigit() else _NUMERALS[said]
    return number if 1 <= number <= MOST else None


def read_yes_no(text: str, yes: frozenset[str], no: frozenset[str]) -> bool | None:
    """True / False when the whole message is a yes or a no word of the data."""
    if text in yes:
        return True
    if text in no:
        return False
    return None


_PARTS = re.compile(r"[\s,.;:!?、。…~]+")  # what parts a sentence's words (normalised text)
_VERBS = frozenset({"agree", "refuse"})
_NEGATIVE = frozenset({"refuse", "negators"})


def read_consent(text: str, words: Mapping[str, str], longest: int | None = None) -> bool | None:
    """True / False when the whole (normalised) message agrees or refuses in so many words:
    "好的，我同意", "我同意孩子绑定", "不行，我拒绝", "OK, I agree", "no, I refuse".

    Every word must be one of `words` (surface -> agree | refuse | negators | neutral; Chinese
    cut longest word first, English matched whole) and one an agree or refuse verb; anything
    else is no such sentence (None): "我同意，但我想先挂失" is read as usual. Negation wins: a
    negator or a refuse verb anywhere makes it a refusal (不同意, "I don't agree").
    `longest` is the longest word's length, `consent_longest(words)`: a caller that reads
    every message passes it, worked out once (over ~200 words it was 10 us a message).
    """
    if longest is None:
        longest = consent_longest(words)
    kinds: set[str] = set()
    for chunk in filter(None, _PARTS.split(text)):
        if chunk.isascii():
            kind = words.get(chunk)
            if kind is None:
                return None
            kinds.add(kind)
            continue
        at = 0
        while at < len(chunk):
            for size in range(min(longest, len(chunk) - at), 0, -1):
                kind = words.get(chunk[at:at + size])
                if kind is not None:
                    break
            else:
                return None
            kinds.add(kind)
            at += size
    if not kinds & _VERBS:
        return None
    return not kinds & _NEGATIVE


def consent_longest(words: Mapping[str, str]) -> int:
    """The longest consent word's length, for `read_consent`'s longest-first cut."""
    return max(map(len, words), default=0)
