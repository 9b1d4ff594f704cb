"""Personal values inside free text -> stand-ins, the same one for the same value everywhere.

A follower may type an ID number in a sentence at a step that asks for nothing ("我要绑卡，身份证
110105…"), or a phone number in a question. Cutting it out (`***`) changed what the bot read,
so the fixture replayed another conversation. Instead each value becomes what its person's
answers became (the seed stand-in's ID number, name, card number), or, for a value no answer
named, a made-up one of the same shape that no seed holds; the same value, the same stand-in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from flows.ids import fold
from flows.language.slot_numbers import spoken_digits

WRONG_NAME = "查无此人"  # a name no seed person has
LOOKS_PERSONAL = re.compile(r"\d{17}[\dXx]|1[3-9]\d{9}|[A-Za-z]\d{8}|\d{6,}")


class FreeText:
    """The stand-ins for values found in free text, and the typed answers' own (`swaps`)."""

    def __init__(self, personal: set[str], counts: Counter[str],
                 person_id: Callable[[str], str]) -> None:
        self.personal, self.counts, self.person_id = personal, counts, person_id
        self.swaps: dict[str, str] = {}  # a typed value (folded) -> its stand-in everywhere

    def scrub(self, text: str) -> str:
        """Values typed as answers elsewhere, and anything shaped like an ID, phone, card or
        code, replaced by their stand-ins; counted, and added to `personal`."""
        text = spoken_digits(text)  # "一一零一零五…" is read as an ID: masked as one (the bot
        # reads the digits the same, so the replay goes as the conversation did)
        known = sorted((p for p in self.personal if len(p) >= 2), key=len, reverse=True)
        pattern = "|".join([LOOKS_PERSONAL.pattern, *map(re.escape, known)])
        found = re.findall(pattern, text)
        if found:
            self.counts["values in free text"] += len(found)
            self.personal.update(found)
        return re.sub(pattern, lambda m: self._stand_in_for(m.group(0)), text)

    def _stand_in_for(self, value: str) -> str:
        folded = fold(value).upper()
        if folded in self.swaps or fold(value) in self.swaps:
            return self.swaps.get(folded) or self.swaps[fold(value)]
        if re.fullmatch(r"\d{17}[\dX]", folded):
            made = self.person_id(folded)  # a recorded person's stand-in, or a stranger
        elif re.fullmatch(r"1[3-9]\d{9}", folded):
            made = f"1990000{len(self.swaps):04d}"  # no seed phone starts 1990000
        elif re.fullmatch(r"[A-Z]\d{8}", folded):
            made = f"X{len(self.swaps) + 1:08d}"  # no seed card starts with X
        elif folded.isdigit():
            made = f"{len(self.swaps) + 1:0{len(folded)}d}"[-len(folded):]
        else:
            made = WRONG_NAME  # a name typed outside its step
        return self.swaps.setdefault(folded, made)
