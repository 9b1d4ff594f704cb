"""What the language stage makes of one text, as people and tools are shown it (masked).

Shared by `wxbot understand`, `wxbot chat`'s /why and the simulator page's inspector, so all
three show exactly what a follower's message meets in the bot: the same Understander, slot
reader and knowledge retriever, built once per process.
"""

from __future__ import annotations

from dataclasses import asdict

from flows.catalog import DEFAULT_LANG
from flows.ids import mask_card, mask_id

SAYS = 60  # characters of an answer shown: enough to see which entry and language it is

MASKS = {"id": mask_id, "guardian": mask_id, "card": mask_card,
         "code": lambda v: "*" * len(v), "password": lambda v: "*" * len(v)}


def masked(slots: dict[str, str]) -> dict[str, str]:
    """Slots as the bot would show them: nothing personal in full."""
    return {role: MASKS.get(role, str)(value) for role, value in slots.items()}


def explain(text: str, lang: str = DEFAULT_LANG) -> dict:
    """The whole reading of one text: intent, confidence, reason, act, slots, answer (its
    opening as a bot speaking `lang` says it, or whose question it is when not ours)."""
    from bot.dialogue.answers import Answers
    from flows.language import Understander
    from flows.language.slots import find_slots

    heard = Understander.shared().understand(text)
    shown = asdict(heard)
    shown["slots"] = masked(find_slots(text))
    shown["candidates"] = [list(c) for c in heard.candidates]
    answers = Answers()
    found = answers.answer(heard)
    shown["answer"] = {"kind": found.kind, "entries": [e.id for e in found.entries],
                       "score": round(found.score, 3)}
    if found.kind == "one":
        said = answers.entry(found.entries[0].id, lang).answer
        shown["answer"]["says"] = said if len(said) <= SAYS else said[:SAYS] + "…"
    if found.elsewhere:
        shown["answer"]["elsewhere"] = found.elsewhere
    return shown
