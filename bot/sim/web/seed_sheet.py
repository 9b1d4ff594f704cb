"""The seed as the simulator page shows it: made-up people to type, with their role and cards.

The simulator page is a development tool over the seeded mock backend, so its cheat sheet shows
the seed's (invented) numbers in full: they are what a developer types into the chat. Phones
are masked anyway, the way the SMS panel names them.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from bot.backend.seed import SeedError, read_seed
from bot.parts import Bot
from flows.ids import age_on, mask_phone

_cache: dict[tuple[str, float, str], list[dict[str, Any]]] = {}
_lock = threading.Lock()


def _people(raw: Any, today: Any) -> list[dict[str, Any]]:
    people = {str(p.get("id_number")): p for p in raw.get("people") or [] if isinstance(p, dict)}
    cards: dict[str, list[dict[str, Any]]] = {}
    for card in raw.get("cards") or []:
        cards.setdefault(str(card.get("holder")), []).append(
            {"card_number": str(card.get("card_number")), "status": card.get("status"),
             "bound": bool(card.get("bound_openid"))})
    guardians: dict[str, list[dict[str, str]]] = {}
    wards: dict[str, list[str]] = {}
    for link in raw.get("guardianships") or []:
        minor, guardian = str(link.get("minor")), str(link.get("guardian"))
        name = str((people.get(guardian) or {}).get("name", ""))
        relation = str(link.get("relation"))
        guardians.setdefault(minor, []).append({"name": name, "relation": relation})
        wards.setdefault(guardian, []).append(str((people.get(minor) or {}).get("name", "")))
    shown = []
    for id_number, person in people.items():
        try:
            age = age_on(id_number, today)
        except ValueError:
            continue
        phone = str(person.get("phone") or "")
        shown.append({"name": str(person.get("name")), "id_number": id_number, "age": age,
                      "adult": age >= 18, "phone": phone,
                      "phone_masked": mask_phone(phone) if phone else "",
                      "cards": cards.get(id_number, []), "guardians": guardians.get(id_number, []),
                      "wards": wards.get(id_number, [])})
    return shown


def seed_people(bot: Bot) -> list[dict[str, Any]]:
    """The seed's people (cached per file version and day); [] when the seed cannot be read."""
    path, today = str(bot.config.get("BOT_BACKEND_SEED") or ""), bot.clock.today()
    try:
        key = (path, os.stat(path).st_mtime, today.isoformat())
    except (OSError, ValueError):
        return []
    with _lock:
        if key not in _cache:
            try:
                raw = read_seed(path)
            except SeedError:
                return []
            _cache.clear()
            _cache[key] = _people(raw, today)
        return _cache[key]
