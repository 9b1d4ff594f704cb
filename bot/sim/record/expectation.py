"""Expectations from recorded replies: only what stays the same when the people change.

A reply is the catalog's texts joined by blank lines. Each part is matched against the catalog's
templates; the literal text around the `{fields}` is stable by construction (masked numbers,
names, codes and reference ids all come in through fields), so a key phrase is taken from it.
Parts that match no template (an older catalog) fall back to their first line with every
number, masked value and reference id cut out.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from functools import cache

from flows.catalog import Catalog

MAX_PHRASE = 30
MAX_PHRASES = 2
VOLATILE = re.compile(r"\S*\*\S*|R\d{8}-\d+|\d+(?:[:.-]\d+)*|[A-Za-z]\d{4,}")
EDGES = " \t，。！？、：；,.!?:;（）()「」“”\"'·-"


@cache
def _templates(lang: str) -> list[tuple[re.Pattern[str], list[str]]]:
    """Each catalog text as (a regex matching any filling of it, its literal pieces)."""
    found = []
    for text in Catalog(lang).texts.values():
        parsed = list(string.Formatter().parse(text))
        pieces = [literal for literal, *_ in parsed]
        if sum(len(p.strip()) for p in pieces) >= 2:
            pattern = "".join(re.escape(literal) + ("(?:.*?)" if name is not None else "")
                              for literal, name, *_ in parsed)
            found.append((re.compile(pattern, re.DOTALL), pieces))
    return found


@cache
def _kept_prefix(lang: str) -> str:
    """How a reply starts that carries an earlier one the platform's API did not take."""
    return Catalog(lang).texts["kept_reply"].split("{", 1)[0].strip() or "\0"


def _short(line: str) -> str:
    """At most MAX_PHRASE characters, ending at a clause where one ends late enough."""
    if len(line) <= MAX_PHRASE:
        return line
    cut = line[:MAX_PHRASE]
    end = max(cut.rfind(mark) for mark in "。！？；，")
    return cut[:end] if end >= 8 else cut


def _first_good(lines: Iterable[str], personal: Iterable[str]) -> str | None:
    avoid = [p for p in personal if p]
    for line in lines:
        phrase = _short(line.strip(EDGES)).strip(EDGES)
        if len(phrase) >= 4 and not any(p in phrase for p in avoid):
            return phrase
    return None


def _from_template(part: str, lang: str, personal: Iterable[str]) -> str | None:
    best: list[str] | None = None
    for pattern, pieces in _templates(lang):
        if pattern.fullmatch(part) and (best is None or _size(pieces) > _size(best)):
            best = pieces
    if best is None:
        return None
    return _first_good((line for piece in best for line in piece.split("\n")), personal)


def _size(pieces: list[str]) -> int:
    return sum(len(p.strip()) for p in pieces)


def _heuristic(part: str, personal: Iterable[str]) -> str | None:
    avoid = [re.escape(p) for p in personal if p]
    cut = re.compile("|".join([VOLATILE.pattern, *avoid]))
    segments = [seg for line in part.split("\n") for seg in cut.split(line)]
    return _first_good(sorted(segments, key=lambda s: -len(s.strip(EDGES))), [])


def expectation(reply: str | None, lang: str, personal: Iterable[str] = ()) -> str | list | dict:
    """What a replay must find in the reply: "" for no reply, else one or two key phrases."""
    if not reply:
        return ""
    personal = list(personal)
    phrases: list[str] = []
    parts = [p for p in reply.split("\n\n") if p.strip()]
    if reply.startswith(_kept_prefix(lang)):  # an earlier owed reply the API could not send:
        parts = parts[-1:]  # on replay it goes through, so only this turn's own end is sure
    for part in [parts[0], parts[-1]] if len(parts) > 1 else parts:
        phrase = _from_template(part, lang, personal) or _heuristic(part, personal)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        return {"not": ""}  # some reply, though nothing in it is stable
    return phrases[0] if len(phrases) == 1 else phrases[:MAX_PHRASES]
