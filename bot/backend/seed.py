"""Reading, checking and loading the YAML seed (docs/architecture.md, "Seed").

A bad seed fails with a SeedError naming the record, never half-loads. Hashing passwords is
the slow part of a reset, so a prepared seed is cached per content: resetting to the
same seed again (as every test does) reuses the salted hashes instead of re-deriving them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.backend.hashing import hash_password
from flows.ids import is_valid_id

STATUSES = ("active", "lost", "frozen")
RELATIONS = ("father", "mother", "guardian")


class SeedError(ValueError):
    """The seed file is unreadable or breaks the contract; the message says where."""


@dataclass(frozen=True)
class PreparedSeed:
    people: tuple[tuple[str, str, str | None], ...]
    cards: tuple[tuple[str, str, str, str, str | None], ...]  # number, holder, status, hash, openid
    guardianships: tuple[tuple[str, str, str], ...]


def read_seed(source: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    """The raw seed from a YAML file or an already parsed mapping."""
    if isinstance(source, Mapping):
        return source
    try:
        data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: a NUL in the path
        raise SeedError(f"cannot read seed {source}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise SeedError(f"seed {source} is not a mapping of people/cards/guardianships")
    return data


def prepare(source: str | Path | Mapping[str, Any]) -> PreparedSeed:
    """Validate a seed and hash its passwords (cached by content)."""
    raw = read_seed(source)
    try:
        key = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError) as exc:
        raise SeedError(f"seed is not plain data: {exc}") from exc
    return _prepare(key)


@lru_cache(maxsize=16)
def _prepare(key: str) -> PreparedSeed:
    raw = json.loads(key)
    people, ids = [], set()
    for i, p in enumerate(_records(raw, "people")):
        id_number, name = _text(p, "id_number", "people", i), _text(p, "name", "people", i)
        phone = p.get("phone")
        if not is_valid_id(id_number, date.max) or id_number in ids:
            raise SeedError(f"people[{i}]: invalid or duplicate id_number {id_number!r}")
        if phone is not None and not isinstance(phone, str | int):
            raise SeedError(f"people[{i}]: phone must be a string or null")
        ids.add(id_number)
        people.append((id_number, name, None if phone is None else str(phone)))
    cards, numbers, openids = [], set(), set()
    for i, c in enumerate(_records(raw, "cards")):
        number, holder = _text(c, "card_number", "cards", i), _text(c, "holder", "cards", i)
        password, status = _text(c, "password", "cards", i), c.get("status", "active")
        openid = c.get("bound_openid")
        if holder not in ids or number in numbers or status not in STATUSES:
            raise SeedError(f"cards[{i}]: unknown holder, duplicate number or bad status")
        if openid is not None and (not isinstance(openid, str) or openid in openids):
            raise SeedError(f"cards[{i}]: bound_openid must be a unique string")
        numbers.add(number)
        openids.add(openid)
        cards.append((number, holder, status, hash_password(password), openid))
    links = []
    for i, g in enumerate(_records(raw, "guardianships")):
        minor = _text(g, "minor", "guardianships", i)
        guardian = _text(g, "guardian", "guardianships", i)
        relation = g.get("relation")
        if minor not in ids or guardian not in ids or relation not in RELATIONS:
            raise SeedError(f"guardianships[{i}]: unknown person or relation {relation!r}")
        links.append((minor, guardian, relation))
    return PreparedSeed(tuple(people), tuple(cards), tuple(links))


def _records(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = raw.get(key) or []
    if not isinstance(items, list) or not all(isinstance(x, Mapping) for x in items):
        raise SeedError(f"{key}: expected a list of mappings")
    return items


def _text(record: Mapping[str, Any], field: str, where: str, i: int) -> str:
    value = record.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YAML reads unquoted digits as numbers
    if not isinstance(value, str) or not value:
        raise SeedError(f"{where}[{i}]: {field} must be a non-empty string")
    return value


def load(conn: sqlite3.Connection, seed: PreparedSeed) -> None:
    """Insert a prepared seed (inside the caller's transaction, into emptied tables)."""
    conn.executemany("INSERT INTO people VALUES (?, ?, ?)", seed.people)
    conn.executemany(
        "INSERT INTO cards (card_number, holder, status, password_hash, bound_openid)"
        " VALUES (?, ?, ?, ?, ?)",
        seed.cards,
    )
    conn.executemany("INSERT INTO guardianships VALUES (?, ?, ?)", seed.guardianships)
