"""What the language stage makes of one text, as people and tools are shown it (masked).

Shared by `wxbot understand`, `wxbot chat`'s /why and the simulator page's inspector, so all
three show exactly what a follower's message meets in the bot: the same Understander, slot
reader and knowledge retriever, built once per process.
"""

from __future__ import annotations

from dataclasses import asdict

from flows.ids import mask_card, mask_id

MASKS = {"id": mask_id, "guardian": mask_id, "card": mask_card,
         "code": lambda v: "*" * len(v), "password": lambda v: "*" * len(v)}


def masked(slots: dict[str, str]) -> dict[str, str]:
    """Slots as the bot would show them: nothing personal in full."""
    return {role: MASKS.get(role, str)(value) for role, value in slots.items()}


def explain(text: str) -> dict:
    """The whole reading of one text: intent, confidence, reason, act, slots, answer."""
    from bot.dialogue.answers import Answers
    from flows.language import Understander
    from flows.language.slots import find_slots

    heard = Understander.shared().understand(text)
    shown = asdict(heard)
    shown["slots"] = masked(find_slots(text))
    shown["candidates"] = [list(c) for c in heard.candidates]
    found = Answers().answer(heard)
    shown["answer"] = {"kind": found.kind, "entries": [e.id for e in found.entries],
                       "score": round(found.score, 3)}
    return shown
