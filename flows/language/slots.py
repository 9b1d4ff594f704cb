"""Answers wrapped in words: the slot a step asks for, read out of the sentence around it.

Why: "我叫张伟" at the name step is the name 张伟, not a wrong name, and "卡号是A12345678" is a
card number. Each step reads its slot here; the value comes back canonical (an ID's X and a
card upper-case, digits only for codes and passwords) with `dug` saying whether it had to be
taken out of a longer message, so the step can say what it read. Nothing found, or two
different candidates, is None: the step asks again rather than judging text it did not read.
Pure: no IO per message; the wrapper words are read once (slot_names.words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.catalog import Catalog
from flows.ids import fold
from flows.language.slot_names import among_answers, read_name
from flows.language.slot_numbers import numbers_out, of_kind, scan

NUMBER_KIND = {"id": "id", "guardian": "id", "card": "card", "code": "code",
               "password": "code", "confirm": "code"}
# answers typed together part at commas, and at spaces between Chinese words (Latin names hold
# spaces: "name li na")
_PARTS = re.compile(r"[,，。;；、]+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_COMMANDS = Catalog()  # read once; its words are never a name
_EXACT = {"id": re.compile(r"[0-9]{17}[0-9X]"), "card": re.compile(r"(?=.*[0-9])[A-Z0-9]{4,20}"),
          "code": re.compile(r"[0-9]{6}")}


# Words that say a sentence is about another person's card ("帮我孩子绑卡，我的身份证是…"): an
# ID or name in it may be the speaker's, not the holder's, so a service started by it keeps none.
SOMEONE_ELSE = ("孩子", "儿子", "女儿", "小孩", "子女", "宝宝", "家人", "家里人", "娃", "闺女",
                "老人", "父亲", "母亲", "爸", "妈", "爷爷", "奶奶", "外公", "外婆",
                "老公", "老婆", "丈夫", "妻子", "爱人", "他", "她", "别人", "他人",
                "家长", "监护人", "代办", "代为", "替", "child", "son", "daughter", "kid",
                "mother", "father", "mum", "mom", "dad", "parent", "wife", "husband",
                "someone", "somebody", "him", "her", "his", "guardian", "sons", "daughters",
                "kids")
_OTHER_EN = re.compile(r"\b(?:" + "|".join(w for w in SOMEONE_ELSE if w.isascii()) + r")\b", re.I)
KIN = tuple(w for w in SOMEONE_ELSE if w not in ("他", "她", "别人", "他人", "someone",
                                                  "somebody", "him", "her", "his"))
_KIN_EN = re.compile(r"\b(?:" + "|".join(w for w in KIN if w.isascii()) + r")\b", re.I)


@dataclass(frozen=True)
class Slot:
    value: str  # canonical: ID upper-case X, card upper-case, code/password digits, name as written
    dug: bool  # taken out of a longer message: the step then says what it read


def _exact(kind: str, text: str) -> str | None:
    """The whole message is the answer as today's exact readers take it (folded, upper-case)."""
    if any(len(part) >= 2 and part.isalpha() for part in text.split()):
        return None  # "oops A12345678": a word beside the number, which is dug out instead
    folded = fold(text).upper()
    return folded if folded.isascii() and _EXACT[kind].fullmatch(folded) else None


def candidates(role: str, text: str) -> list[str]:
    """Every distinct value of the role's shape in the message (two IDs: two entries)."""
    if role == "name":  # among the answers typed together, else wrapped or alone
        name = _name_among(text) if scan(text) else read_name(text)
        return [name] if name else []
    kind = NUMBER_KIND.get(role)
    if kind is None:  # reason, text: the whole message is the answer
        whole = " ".join(text.split())
        return [whole] if whole else []
    exact = _exact(kind, text)
    return [exact] if exact else of_kind(text, kind)


def read_slot(role: str, text: str) -> Slot | None:
    """The one value of the step's role in the message, or None (nothing there, or ambiguous)."""
    found = candidates(role, text)
    if len(found) != 1:
        return None
    value = found[0]
    return Slot(value, dug=fold(value).upper() != fold(text).upper())


def ambiguous(role: str, text: str) -> bool:
    """More than one different candidate: the step says "just one, please" and asks again."""
    return len(candidates(role, text)) > 1


def find_slots(text: str) -> dict[str, str]:
    """Every slot-shaped thing in a free sentence, each kind only when it is unambiguous; a
    name after a wrapper word ("我叫张伟"), or alone beside an ID or a card number: a bare
    "查询进度" is a service, not a name."""
    by_kind: dict[str, dict[str, None]] = {}
    for token in scan(text):  # once, not once per kind: the same tokens, grouped
        by_kind.setdefault(token.kind, {})[token.value] = None
    found: dict[str, str] = {}
    for kind in ("id", "card", "code", "phone"):
        values = by_kind.get(kind, {})
        if len(values) == 1:
            found[kind] = next(iter(values))
    name = read_name(text, bare=False)
    if name is None and found:  # answers typed together: "绑卡 3101… 李娜 卡号A…"
        name = _name_among(text)
    if name is None and found:  # run together by voice: "…我叫郑洁身份证号是五一零…"
        run = _NAME_RUN.search(text)
        name = run.group(2) if run else None
    return {**found, "name": name} if name else found


def _name_among(text: str) -> str | None:
    """The one name among answers typed together, parted by spaces or commas once the
    numbers are out ("我是李娜 310104… 卡号A…", "身份证110105… 张伟 卡号A…"): beside an ID
    or a card number a lone name-shaped word is the holder's name; two are None."""
    names = set()
    rest = _SCRIPTS.sub(" , ", numbers_out(text))  # "bind my card pls 何静": English beside
    for part in map(str.strip, _PARTS.split(rest)):  # the name is no part of it
        if _COMMANDS.command(part):  # 挂失, 查询进度: the bot's own words
            continue
        name = read_name(part, bare=False)
        if name is None and among_answers(part):
            name = part
        if name:
            names.add(name)
    return names.pop() if len(names) == 1 else None


# a space between an English word and Chinese characters: where an English request ends and
# a name begins ("bind my card pls 440305… 何静")
_SCRIPTS = re.compile(r"(?<=[a-zA-Z])\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+(?=[a-zA-Z])")
# a name said as one's own right before the next detail's word, no space between (voice)
_NAME_RUN = re.compile(r"(我叫|名字是|名字叫|姓名是?)([\u4e00-\u9fff]{2,3})"
                       r"(?=身份证|证件|卡号|社保卡号)")
# the words that announce a detail, and a name said as one's own, once the numbers are out
_ANNOUNCED = re.compile(r"(我叫|名字是|名字叫|姓名是?)[\u4e00-\u9fff]{2,3}(?=身份证|证件|卡号|$|\s)"
                        r"|(身份证号?码?|证件号码?|社保卡号|卡号)(是|为)?[:：]?\s*$"
                        r"|(身份证号?码?|证件号码?|社保卡号|卡号)(是|为)?[:：]?(?=\s)")


def without_slots(text: str, name: str | None = None) -> str:
    """What the sentence asks once its answers are taken out: the numbers, and the name
    (`name`, as find_slots read it; read here when not given). Matched alone, the words
    say the service as surely as "我要绑卡" does ("我要绑卡 身份证… 张伟 卡号…")."""
    rest = numbers_out(text)
    name = name or read_name(text, bare=False) or _name_among(text)
    rest = rest.replace(name, " ") if name and name in rest else rest
    return _ANNOUNCED.sub(" ", rest)  # "…我叫郑洁身份证号是": the words that bring them


def about_someone_else(text: str, kin_only: bool = False) -> bool:
    """The sentence names another person (孩子, 我妈, "my son"…): its slots may not be the
    holder's, so what it gives is not put into the holder's steps. `kin_only`: a family
    member or guardian by name, not a stranger nor a bare pronoun ("will someone be able to
    use my money?" names the thief, not whose card is meant)."""
    words = KIN if kin_only else SOMEONE_ELSE
    return any(w in text for w in words if not w.isascii()) or bool(
        (_KIN_EN if kin_only else _OTHER_EN).search(text))
