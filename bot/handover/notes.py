"""Messages left for a person outside office hours or with nobody online.

The agent console lists them and an agent answers later. Kept as one JSON list in the
store's KV (every instance sees it), changed under the KV's `add` mutex, capped so a flood
cannot grow it without end.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from bot.clock import Clock
from bot.store.kv import KV

KEY, LOCK = "handover:notes", "handover:notes:lock"
KEEP = 30 * 86400  # seconds the list lives after its last change
MOST = 200  # notes kept; the oldest go first
MAX_TEXT = 600  # characters of one note
LOCK_TTL, LOCK_WAIT = 2.0, 1.0  # seconds the mutex lives / one writer waits for it


@dataclass(frozen=True)
class Note:
    id: int
    openid: str
    text: str
    at: float
    answered: bool = False


class Notes:
    def __init__(self, kv: KV, clock: Clock) -> None:
        self.kv, self.clock = kv, clock

    def all(self) -> list[Note]:
        """Oldest first."""
        return [Note(**n) for n in json.loads(self.kv.get(KEY) or "[]")]

    def leave(self, openid: str, text: str) -> Note:
        def add(notes: list[Note]) -> tuple[list[Note], Note]:
            note = Note(max((n.id for n in notes), default=0) + 1, openid,
                        text.strip()[:MAX_TEXT], self.clock.now())
            return [*notes, note][-MOST:], note
        return self._change(add)

    def answer(self, note_id: int) -> Note | None:
        """Mark one answered (the console calls this once the agent's reply went out)."""
        def mark(notes: list[Note]) -> tuple[list[Note], Note | None]:
            done = [Note(**{**asdict(n), "answered": True}) if n.id == note_id else n
                    for n in notes]
            return done, next((n for n in done if n.id == note_id), None)
        return self._change(mark)

    def clear(self) -> None:
        """Every note gone: the simulator's reset starts the console empty."""
        self._change(lambda _notes: ([], None))

    def _change(self, change):  # noqa: ANN001, ANN202 - private; typed at its two callers
        token = f"{time.monotonic_ns()}"
        deadline = time.monotonic() + LOCK_WAIT
        while not self.kv.add(LOCK, token, LOCK_TTL):
            if time.monotonic() > deadline:
                raise TimeoutError("the notes are being changed by another instance")
            time.sleep(0.01)
        try:
            notes, result = change(self.all())
            self.kv.set(KEY, json.dumps([asdict(n) for n in notes], ensure_ascii=False), KEEP)
            return result
        finally:
            self.kv.delete(LOCK, token)
