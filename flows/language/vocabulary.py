"""The language data (data/*.yaml and the catalog's start words), read once into one plain value.

Everything the matcher knows is here and nowhere else: the words people use for each idea, the
example sentences of each intent, the sentences that belong to none, and the thresholds. The
exact start words are not copied: they come from flows/messages/*.yaml through flows.catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flows.catalog import LANGS, Catalog
from flows.language.normalise import normalise
from flows.language.small_talk import KINDS as SMALL_TALK_KINDS
from flows.language.small_talk import NEUTRAL as SMALL_TALK_NEUTRAL

DATA = Path(__file__).parent / "data"
NOT, HOWTO, FACT = "¬", "⟨howto⟩", "⟨fact⟩"  # canonical words with a meaning of their own
CONSENT_KINDS = ("agree", "refuse", "negators", "neutral")


@dataclass(frozen=True)
class Vocabulary:
    """Both languages merged: people type either, whatever the bot speaks."""

    surfaces: dict[str, tuple[str, ...]]  # what people type -> canonical words (() = filler)
    examples: dict[str, tuple[str, ...]]  # intent -> example sentences (normalised)
    negatives: tuple[str, ...]  # sentences that are no intent of ours
    exact: dict[str, str]  # normalised catalog start word -> intent
    yes: frozenset[str]
    no: frozenset[str]
    unsure: tuple[str, ...]  # regexes: a whole message saying "I don't know / remember it"
    settings: dict[str, Any]  # thresholds and weights (data/common.yaml)
    complaints: tuple[str, ...] = ()  # regexes: a message finding fault with the service
    why: tuple[str, ...] = ()  # regexes: asking why something is asked, or whether it is safe
    # Words of a sentence that agrees or refuses (同意 / 拒绝): surface -> CONSENT_KINDS
    consent: dict[str, str] = field(default_factory=dict)
    # Words of a whole small-talk message (你好 / 谢谢 / 再见 / 好的): surface -> KINDS or neutral
    small_talk: dict[str, str] = field(default_factory=dict)


def _read(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _surfaces(lang: dict[str, Any], into: dict[str, tuple[str, ...]], where: str) -> None:
    """Add one language's surfaces; a surface meaning two things is a data error, said at start."""
    groups = [(tuple(k.split()), v) for k, v in lang["words"].items()]
    groups += [((), lang["fillers"]), ((HOWTO,), lang["howto"]), ((FACT,), lang["facts"])]
    for canonical, surfaces in groups:
        for surface in [*surfaces, *([" ".join(canonical)] if len(canonical) == 1 else [])]:
            key = normalise(str(surface)).text
            if into.get(key, canonical) != canonical:
                raise ValueError(f"{where}: {key!r} means both {into[key]} and {canonical}")
            into[key] = canonical


def _consent(lang: dict[str, Any], into: dict[str, str], where: str) -> None:
    """Add one language's consent words; a word of two kinds is a data error, said at start."""
    for kind in CONSENT_KINDS:
        for word in (lang.get("consent") or {}).get(kind, []):
            key = normalise(str(word)).text
            if into.get(key, kind) != kind:
                raise ValueError(f"{where}: consent word {key!r} is both {into[key]} and {kind}")
            into[key] = kind


def _small_talk(lang: dict[str, Any], into: dict[str, str], where: str) -> None:
    """Add one language's small-talk words; a word of two kinds is a data error, said at start."""
    for kind, surfaces in (lang.get("small_talk") or {}).items():
        if kind not in (*SMALL_TALK_KINDS, SMALL_TALK_NEUTRAL):
            raise ValueError(f"{where}: small_talk kind {kind!r} is none of {SMALL_TALK_KINDS}")
        for word in surfaces:
            key = normalise(str(word)).text
            if into.get(key, kind) != kind:
                raise ValueError(f"{where}: small-talk word {key!r} is both {into[key]} and {kind}")
            into[key] = kind


def load_vocabulary(data_dir: Path | None = None) -> Vocabulary:
    """Read data_dir (default: the shipped data/) and the catalog's keywords; nothing later."""
    data_dir = data_dir or DATA
    surfaces: dict[str, tuple[str, ...]] = {}
    examples: dict[str, list[str]] = {}
    negatives: list[str] = []
    yes: set[str] = set()
    no: set[str] = set()
    unsure: list[str] = []
    complaints: list[str] = []
    why: list[str] = []
    consent: dict[str, str] = {}
    small_talk: dict[str, str] = {}
    for code in LANGS:
        lang = _read(data_dir / f"{code}.yaml")
        _surfaces(lang, surfaces, f"{data_dir}/{code}.yaml")
        for intent, spec in lang["intents"].items():
            examples.setdefault(intent, []).extend(normalise(e).text for e in spec["examples"])
        negatives += (normalise(n).text for n in lang.get("negatives", []))
        yes.update(normalise(str(w)).text for w in lang["yes"])
        # a yes with an urging word after it ("是的 快点", "行 解吧", "yes hurry") is a yes
        yes.update(normalise(f"{w}{gap}{u}").text for w in lang["yes"]
                   for u in lang.get("urges", ()) for gap in (" ", "，", ", "))
        no.update(normalise(str(w)).text for w in lang["no"])
        unsure += lang.get("unsure", [])
        complaints += lang.get("complaints", [])
        why += lang.get("why", [])
        _consent(lang, consent, f"{data_dir}/{code}.yaml")
        _small_talk(lang, small_talk, f"{data_dir}/{code}.yaml")
    # Only the catalog words of an intent: 是/其他卡 are a step's own answers, never a start.
    exact = {normalise(p).text: key for p, key in Catalog().phrases.items() if key in examples}
    return Vocabulary(
        surfaces=surfaces,
        examples={k: tuple(v) for k, v in examples.items()},
        negatives=tuple(negatives),
        exact=exact,
        yes=frozenset(yes),
        no=frozenset(no),
        unsure=tuple(unsure),
        complaints=tuple(complaints),
        why=tuple(why),
        settings=_read(data_dir / "common.yaml"),
        consent=consent,
        small_talk=small_talk,
    )
