"""Number-shaped things in a sentence: ID numbers, card numbers, 6-digit codes, phone numbers.

Why a scanner of its own: people type "110105 19900101 1232", "验证码是 123 456", "卡号是A12345678"
or "my phone is 13800138000 and the code 123456", and a 6-digit run inside an ID number or a
phone number is not a code. So digits are first grouped into whole tokens (groups joined by a
space or a dash), each token is named by its length, and only then do steps pick their kind.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# letters glued before (a card's "A"), digit groups joined by one short run of spaces or
# dashes, and an ID number's closing X; never inside a longer run of digits
_TOKEN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]*)([0-9]+(?:[\s\-–—]{1,3}[0-9]+)*)"
                    r"(?:[\s\-–—]?([Xx])(?![A-Za-z]))?(?![0-9])")
_GROUP = re.compile(r"[0-9]+")
# a card number's letter typed apart from its digits ("卡号A 1234 5678"): joined before the
# scan; only one capital standing alone before eight digits, and not "I", so "a 123456",
# "OK 1234 5678" and "I 1234 5678" are not read as cards
_SPACED_CARD = re.compile(r"(?<![A-Za-z0-9])([A-HJ-Z])[ \t]+(?=[0-9]{4}[\s\-]?[0-9]{4}(?![0-9]))")
KINDS = ("id", "card", "code", "phone", "other")


class Found(NamedTuple):
    kind: str  # one of KINDS
    value: str  # canonical: digits, an ID's X upper-case, a card upper-case


# Numbers read out to a phone's voice input come as characters ("一一零一零五…"); a run of
# six or more is a number (a code at the least), never a word, so it is read as digits.
# Grouped as they are said ("三幺零幺零四 幺九八三 零八零八 零七幺四"), each group of two or more
# is read so when the groups next to each other hold six or more in all.
_SPOKEN = re.compile(r"[零〇一二三四五六七八九幺]{6,}"
                     r"|[零〇一二三四五六七八九幺]{2,}(?:[ \t]+[零〇一二三四五六七八九幺]{2,})+")
_DIGIT_OF = str.maketrans("零〇一二三四五六七八九幺", "001234567891")


def spoken_digits(text: str) -> str:
    """Runs of six or more numerals written as characters ("一一零一零五…"), or groups of
    them parted by spaces adding up to six or more, as digits."""
    return _SPOKEN.sub(lambda run: run.group().translate(_DIGIT_OF)
                       if sum(c.isalpha() for c in run.group()) >= 6 else run.group(), text)


def normalized(text: str) -> str:
    """Full-width digits, letters and spaces as ASCII (NFKC), so one scanner reads both;
    spoken runs of digits as digits."""
    return spoken_digits(unicodedata.normalize("NFKC", text))


def _named(prefix: str, digits: str, x: str | None) -> Found:
    """What a token is, by its shape alone; the step decides what it wanted."""
    n = len(digits)
    if x:
        return Found("id", digits + "X") if n == 17 else Found("other", digits + "X")
    if 1 <= len(prefix) <= 2 and 6 <= n <= 10:
        return Found("card", prefix.upper() + digits)
    if n == 18:
        return Found("id", digits)
    if n == 6:
        return Found("code", digits)
    if n == 11 and digits.startswith("1"):
        return Found("phone", digits)
    if n == 9:
        return Found("card", digits)  # some regions' card numbers are 9 digits, no letter
    return Found("other", digits)


def scan(text: str) -> list[Found]:
    """Every number-shaped token, in order. Groups that only add up to nothing known
    ("123456 13800138000") are read one by one when each is long enough to stand alone."""
    found: list[Found] = []
    for match in _TOKEN.finditer(_SPACED_CARD.sub(r"\1", normalized(text))):
        prefix, joined, x = match.group(1), match.group(2), match.group(3)
        groups = _GROUP.findall(joined)
        whole = _named(prefix, "".join(groups), x)
        if whole.kind != "other" or len(groups) == 1 or min(map(len, groups)) < 6:
            found.append(whole)
            continue
        last = len(groups) - 1
        found.extend(_named(prefix if i == 0 else "", g, x if i == last else None)
                     for i, g in enumerate(groups))
    return found


def numbers_out(text: str) -> str:
    """The text with every number-shaped token (and a card's letter) taken out: what is
    left of "我要绑卡 身份证110105… 卡号A12345678" says what is wanted."""
    return _TOKEN.sub(" ", _SPACED_CARD.sub(r"\1", normalized(text)))


def of_kind(text: str, kind: str) -> list[str]:
    """The distinct values of one kind, in order of appearance."""
    return list(dict.fromkeys(f.value for f in scan(text) if f.kind == kind))
