"""A person's name out of what was typed: "我叫张伟", "姓名：张伟", "my name is Zhang Wei".

Why wrappers and a shape rather than a list of names: the name on record is the backend's, never
ours, so a step can only tell "this looks like a name" from "this is a sentence". A name is 2-6
Han characters (or parts joined by "·", as many minority names are) with none of the characters
that only sentences hold, or 1-4 Latin words that are not everyday English (and, with no wrapper
word around them, are pinyin). Anything else is not a name, and the step asks again instead of
calling it a mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from flows.language.slot_numbers import normalized

WORDS = Path(__file__).parent / "slot_data" / "words.yaml"
_DOTS = str.maketrans(dict.fromkeys("•・･∙⋅●.．", "·"))
_HAN = re.compile(r"[\u4e00-\u9fff]{2,6}|[\u4e00-\u9fff]{1,12}(?:·[\u4e00-\u9fff]{1,12}){1,3}")
_LATIN = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?: [A-Za-z][A-Za-z'’\-]*){0,3}")
_CLAUSES = re.compile(r"[,，。!！;；?？、:：()（）【】\[\]0-9]+")
_EDGES = " \t\r\n。.!！,，、~～:：;；?？\"'“”‘’()（）【】[]<>《》"


@dataclass(frozen=True)
class _Words:
    wrapper: re.Pattern[str]  # a wrapper word, then the rest of the clause: the name
    opens: re.Pattern[str]  # a character a wrapper word begins with (same case rules)
    trailing: tuple[str, ...]
    not_in_name: frozenset[str]
    not_names: frozenset[str]
    pinyin: frozenset[str]  # syllables: an unwrapped Latin name must be made of them
    surnames: tuple[str, ...]  # a bare name among other answers must open with one


def _alternation(words: list[str]) -> str:
    """Longest first, so "我的名字是" wins over "名字"; Latin words end at a word's end."""
    def one(word: str) -> str:
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        return rf"\b{escaped}(?=[\s:：,，]|$)" if word.isascii() else escaped
    return "|".join(one(w) for w in sorted(words, key=len, reverse=True))


@cache
def words() -> _Words:
    """The wrapper words, read and compiled on first use and then shared."""
    with open(WORDS, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    data = doc["name"]
    pattern = (rf"(?:{_alternation(data['anywhere'])}|(?:^|(?<=[\s,，。.!！;；]))"
               rf"(?:{_alternation(data['leading'])}))[\s:：,，]*(?P<rest>[^,，。!！;；?？\n]+)")
    # Most messages hold no character a wrapper word begins with (an ID, a card, a code): one
    # class lookup per character settles them, where the alternation tried every word at every
    # position (~40 us for an ID number). Same flags, so the same case rules as the wrapper.
    firsts = sorted({w[0] for w in (*data["anywhere"], *data["leading"])})
    opens = re.compile("[" + "".join(re.escape(c) for c in firsts) + "]", re.IGNORECASE)
    return _Words(re.compile(pattern, re.IGNORECASE), opens, tuple(data["trailing"]),
                  frozenset(data["not_in_name"]), frozenset(data["not_names"]),
                  frozenset(doc["pinyin"].split()), tuple(doc["surnames"].split()))


def _pinyin(word: str, syllables: frozenset[str], most: int = 3) -> bool:
    """`word` is one to `most` pinyin syllables ("zhang", "ouyang"), so it may be a name."""
    if not word:
        return True
    return most > 0 and any(word[:cut] in syllables and _pinyin(word[cut:], syllables, most - 1)
                            for cut in range(1, min(len(word), 6) + 1))


NAME_MOST = 4  # characters in a Chinese name at most (a compound surname and two)


def among_answers(word: str) -> bool:
    """A bare word typed beside an ID or a card number ("挂失 110105… 张伟") is the name only
    when it is name-shaped and opens with a common surname: 上海, 着急, 挂失 are words."""
    w = words()
    return 2 <= len(word) <= NAME_MOST and bool(_HAN.fullmatch(word)) \
        and word.startswith(w.surnames) and not w.not_in_name & set(word) \
        and word not in w.not_names  # 谢谢 opens with 谢


def is_pinyin(name: str) -> bool:
    """A name in Latin letters whose every word is one to three pinyin syllables ("zhang
    wei", "Li Na"): a Chinese name typed without its characters, not a foreign one."""
    parts = name.casefold().split()
    return bool(parts) and name.isascii() and all(_pinyin(p, words().pinyin) for p in parts)


def _shaped(candidate: str, wrapped: bool) -> str | None:
    """The name itself when `candidate` is name-shaped, else None."""
    w = words()
    text = candidate.strip(_EDGES).translate(_DOTS)
    for tail in w.trailing:  # "张伟吧" -> "张伟"; only after a wrapper, where a sentence goes on
        if wrapped and text.casefold().endswith(tail) and len(text) > len(tail) + 1:
            text = text[: -len(tail)].strip(_EDGES)
    han = "".join(text.split())
    if _HAN.fullmatch(han):
        return None if w.not_in_name & set(han) or han in w.not_names else han
    latin = " ".join(text.split())
    if not _LATIN.fullmatch(latin):
        return None
    parts = latin.casefold().split()
    if w.not_names & set(parts):
        return None
    pinyin = all(_pinyin(p, w.pinyin) for p in parts)
    if not wrapped and (len(parts) < 2 or not pinyin):
        return None
    if not pinyin and not all(p[:1].isupper() for p in latin.split()):
        return None  # "…how do i know this is legit": after a wrapper, a foreign name is
    return latin  # capitalised ("my name is Imran Khan"), an English word is not


# words that describe a character of a name as people spell it out on the phone: "三个石头那个
# 磊", "木子李", "娜是女字旁", "早晨的晨", "弓长张", "耳东陈"
_SPELLING = re.compile(r"的|字|旁|那个|头|底|横|竖|撇|捺|点|木子|弓长|耳东|口天|立早|古月|言午"
                       r"|双木|人可|三个|两个|一个")
_PARTS = re.compile(r"[\s,，、]+")


def _spelled_out(plain: str) -> str | None:
    """A name followed by how its characters are written ("吴磊 三个石头那个磊", "打错了 是陈晨
    早晨的晨"): every part after it names one of its characters in a description. Read
    whole, the message was no name, and the step asked again (or started over)."""
    parts = [part for part in _PARTS.split(plain) if part]
    for at, part in enumerate(parts[:-1]):
        name = read_name(part) if _HAN.fullmatch(part.lstrip("是叫")) else None
        rest = parts[at + 1:]
        if name and all(_SPELLING.search(r) and set(r) & set(name) for r in rest):
            return name
    return None


def read_name(text: str, bare: bool = True) -> str | None:
    """The name a message gives: after a wrapper word when there is one, else (`bare`: at a
    step that asks for a name, where "查询进度" is not a service but four characters) the whole
    text, else the one clause of it that is a name ("张伟，110105…", "好的，张伟"); two are None."""
    plain = normalized(text)
    spelled = _spelled_out(plain)
    if spelled is not None:
        return spelled
    w = words()
    found = w.wrapper.search(plain) if w.opens.search(plain) else None
    if found:
        name = _shaped(found.group("rest"), wrapped=True)
        if name is not None or not bare:
            return name
    if not bare:
        return None
    whole = _shaped(plain, wrapped=False)
    if whole is not None:
        return whole
    names = {_shaped(clause, wrapped=False) for clause in _CLAUSES.split(plain)} - {None}
    return names.pop() if len(names) == 1 else None
