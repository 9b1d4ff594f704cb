"""Resident ID numbers (GB 11643-1999) and the masks that keep personal data out of replies.

Pure functions, no IO: the flows validate what users type, the backend validates its seed,
and every module that shows an ID number, phone or card number masks it through here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK = "10X98765432"  # indexed by the weighted sum mod 11
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def check_digit(first17: str) -> str:
    """The 18th character that makes `first17` a well-formed ID number, so typos are caught."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def fold(text: str) -> str:
    """What a user typed as compared: full-width to ASCII (NFKC), every space dropped."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def normalize_id(s: str) -> str:
    """Canonical form of a typed ID number: folded, upper-case X."""
    return fold(s).upper()


def _birth(id_number: str) -> date | None:
    """Birth date encoded in positions 7-14, or None when it is not a real calendar date."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def is_valid_id(s: str, today: date | None = None) -> bool:
    """True for a well-formed 18-character ID: real past birth date and correct check digit."""
    if not isinstance(s, str) or len(s) != 18 or not _SHAPE.fullmatch(s.upper()):
        return False
    born = _birth(s)
    if born is None or born > (today or datetime.now(SHANGHAI).date()):
        return False
    return check_digit(s[:17]) == s[17].upper()


def birth_date(id_number: str) -> date:
    """Birth date inside an ID number, so ages come from the number itself."""
    born = _birth(id_number) if len(id_number) == 18 else None
    if born is None:
        raise ValueError("not an ID number with a valid birth date")
    return born


def age_on(id_or_birthdate: str | date, today: date) -> int:
    """Age in full years on `today`; the birthday itself counts, 29 Feb ages on 1 Mar."""
    born = id_or_birthdate if isinstance(id_or_birthdate, date) else birth_date(id_or_birthdate)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def make_id(region6: str, birth: date, seq3: str | int) -> str:
    """A valid ID number for tests and seeds, so nobody computes check digits by hand."""
    seq = f"{seq3:03d}" if isinstance(seq3, int) else seq3
    first17 = f"{region6}{birth:%Y%m%d}{seq}"
    if len(region6) != 6 or len(seq) != 3:
        raise ValueError("region must be 6 digits and sequence 3 digits")
    return first17 + check_digit(first17)


def _mask(s: str, head: int, tail: int) -> str:
    """Keep `head` and `tail` characters, star the rest; short strings are starred whole."""
    if len(s) <= head + tail:
        return "*" * len(s)
    return s[:head] + "*" * (len(s) - head - tail) + s[len(s) - tail :]


def mask_id(id_number: str) -> str:
    """'110105199001011232' -> '1101**********1232': enough to recognise, not to reuse."""
    return _mask(id_number, 4, 4)


def mask_phone(phone: str) -> str:
    """'13800138000' -> '138****8000', the way Chinese services show phone numbers."""
    return _mask(phone, 3, 4)


def mask_card(card_number: str) -> str:
    """'A12345678' -> 'A****5678': first character and last four."""
    return _mask(card_number, 1, 4)


def mask_name(name: str) -> str:
    """'张伟' -> '张*': the family name is enough to recognise one's own card."""
    return name[:1] + "*" * (len(name) - 1)
