"""Small talk: a whole message that greets, thanks, says goodbye or just acknowledges.

People close a chat the way they close any talk ("谢谢", "不用了，谢谢", "好的再见", "thanks, bye").
Read as a service request, such a line is "not understood", the whole menu, and after two of them
an offer of a person: the bot then answers politeness with a complaint. This reads the line as
what it is, so the dialogue can answer it in kind and count it as no miss.

The words are data (`small_talk:` in data/*.yaml): every word of the message must be one of them
(Chinese cut longest word first, English word by word, phrases of up to four words) and
one of them must not be `neutral`. Anything else is no small talk ("谢谢，我想绑卡" is read as
usual). The kind is the one that decides the reply: a goodbye over thanks over a greeting over
a bare acknowledgement ("谢谢，再见" is a goodbye, "好的谢谢" thanks).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

KINDS = ("bye", "thanks", "greeting", "ack")  # the one that decides the reply comes first
NEUTRAL = "neutral"  # words that only pad ("谢谢你" = 谢谢 + 你; "thanks a lot")
_PARTS = re.compile(r"[,.;:!?、。…~]+")  # spaces part English words, not the chunks
_WORDS_IN_A_PHRASE = 4  # English phrases are tried longest first up to "have a nice day"


def read_small_talk(text: str, words: Mapping[str, str], longest: int) -> list[str] | None:
    """The words of a whole (normalised) small-talk message, or None when it is not one.

    `words` maps a surface to its kind (KINDS or NEUTRAL); `longest` is the longest Chinese
    surface's length (worked out once by the caller: this runs on every message)."""
    said: list[str] = []
    for chunk in filter(None, _PARTS.split(text)):
        if chunk.isascii():
            tokens = chunk.split()
            at = 0
            while at < len(tokens):
                for size in range(min(_WORDS_IN_A_PHRASE, len(tokens) - at), 0, -1):
                    if " ".join(tokens[at:at + size]) in words:
                        break
                else:
                    return None
                said.append(" ".join(tokens[at:at + size]))
                at += size
            continue
        chunk, at = chunk.replace(" ", ""), 0
        while at < len(chunk):
            for size in range(min(longest, len(chunk) - at), 0, -1):
                if chunk[at:at + size] in words:
                    break
            else:
                return None
            said.append(chunk[at:at + size])
            at += size
    if not any(words[w] != NEUTRAL for w in said):
        return None
    return said


def kind_of(said: list[str], words: Mapping[str, str]) -> str:
    """The kind that decides the reply (KINDS order) among the words said."""
    kinds = {words[w] for w in said}
    return next(kind for kind in KINDS if kind in kinds)


def polarity(said: list[str], words: Mapping[str, str], yes: frozenset[str],
             no: frozenset[str]) -> bool | None:
    """A small-talk line that holds a yes or no word answers a yes/no question with it:
    "好的谢谢" agrees, "不用了，谢谢" declines ("要办理…吗？" offered just before). A no wins;
    a goodbye with a yes ("好的再见") is leaving, not agreeing to start something."""
    if any(w in no for w in said):
        return False
    if any(w in yes for w in said) and kind_of(said, words) != "bye":
        return True
    return None


def small_talk_longest(words: Mapping[str, str]) -> int:
    """The longest surface's length, for the longest-first cut of Chinese."""
    return max(map(len, words), default=0)
