"""One normal form for every message, so every reader (intents, slots, dialogue) sees one text.

Phones and voice input add what carries no meaning: full-width forms, stray spaces, a closing
。or ！, an emoji. Those go; what people mean stays. The one exception is a trailing question
mark, which is kept as a flag (`question`) because "绑定社保卡？" asks rather than orders.
Normalising never empties a message: "？" alone is still the help word it always was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

TRADITIONAL = Path(__file__).parent / "data" / "traditional.txt"

_CJK = (r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
        r"\uff00-\uffef")
_EMOJI = r"\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d"
# What voice input and phones put around a message: punctuation, quotes, brackets, emoji.
_EDGE = r"\s.,!?;:~…\-—_·、。，！？；：～\"'“”‘’()（）\[\]【】「」《》<>*#" + _EMOJI
_TRIM = re.compile(f"^[{_EDGE}]+|[{_EDGE}]+$")
_SPACES = re.compile(r"\s+")
_GAP = re.compile(f"(?<=[{_CJK}]) (?=.)|(?<=.) (?=[{_CJK}])|(?<=\\d) (?=\\d)")
_INVISIBLE = MappingProxyType({  # zero-width marks go; phones turn I'd into I’d
    **dict.fromkeys(map(ord, "\u200b\u200c\u200e\u200f\u2060\ufeff")),
    ord("’"): "'", ord("‘"): "'",
})
_TRAILING_ASK = re.compile(r"[?]+[^?\w]*$")
# or after a word, anywhere: "是绑到我微信上还是孩子微信上？孩子没手机" asks; a leading ？ is noise
_INNER_ASK = re.compile(r"\w[^?]*[?]")
# a clause that ends in 吗 before another ("孩子生日能当密码吗 好记", "改好了…能用了吗 还是锁着")
_CLAUSE_ASK = re.compile(r"[\u4e00-\u9fff]吗[\s,，.。!！~～]+\S")  # not 么: 那么，这么
# Words that make a sentence a question even without its question mark (voice drops it);
# a trailing 不 after two characters is the spoken yes-or-no ("挂了还能用不", "收费不").
_ASKING = re.compile(
    r"(吗|呢|么)$|[^\s不没]{2}不$|怎么|怎样|如何|什么|啥|为什么|为啥|哪|几|多少|多久|多大|谁|能不能|可不可以|是不是|有没有|行不行|好不好|对不对|要不要|用不用|会不会|能否|可否|中不中|得不得"
    r"|\b(how|what|why|where|when|which|who|can i|could i|do i|is it|are there|does|are you"
    r"|do you|is this)\b"
)


@dataclass(frozen=True)
class Normalised:
    """The normal form and whether the message asked something."""

    text: str  # normalised form (casefolded, trimmed, never empty for non-blank input)
    question: bool  # the message asked something (trailing ?/？/吗/呢, or a question word)


def _fold(text: str) -> str:
    """NFKC, then casefold, then NFKC again: casefolding can leave a non-NFKC sequence behind."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


@cache
def _simplified_table() -> Mapping[int, str]:
    """Traditional -> simplified by character (data/traditional.txt), read once a process."""
    pairs = (line.split() for line in TRADITIONAL.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#"))
    return MappingProxyType({ord(t): s for t, s in pairs})


def simplified(text: str) -> str:
    """`text` with traditional characters written simplified ("驗證碼" -> "验证码", "吳磊" ->
    "吴磊"): people on traditional keyboards (Hong Kong, Taiwan, some older phones) type the
    same words, and every reader here knows them simplified."""
    return text.translate(_simplified_table())


def normalise(text: str) -> Normalised:
    """The normal form of `text`; blank input stays blank, anything else stays non-empty.
    Traditional characters are read simplified (`simplified`)."""
    folded = _SPACES.sub(" ", _fold(simplified(text.translate(_INVISIBLE)))).strip()
    asked = bool(_TRAILING_ASK.search(folded) or _INNER_ASK.search(folded)
                 or _CLAUSE_ASK.search(folded))
    trimmed = _GAP.sub("", _TRIM.sub("", folded))
    if not trimmed:  # only punctuation or emoji: that is the message ("？" asks for help)
        return Normalised(_GAP.sub("", folded), asked)
    return Normalised(trimmed, asked or bool(_ASKING.search(trimmed)))
