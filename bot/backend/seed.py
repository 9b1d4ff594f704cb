"""Reading, checking and loading the YAML seed (docs/architecture.md, "Seed").

A bad seed fails with a SeedError naming the file, the line and the field, never half-loads:
a person who mistyped one line of a seed is told where, not shown a traceback. `check` runs
the same rules without hashing, so a start or a fixture's load can afford it. Hashing passwords is
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
    """The seed file is unreadable or breaks the contract; the message says where.

    `where` is the record and field (("cards", 0, "status")) when a rule was broken, so the
    line of a file can be looked up for it (`check`).
    """

    def __init__(self, message: str, where: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.where = where


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
    except yaml.MarkedYAMLError as exc:
        raise SeedError(f"{source}: {_yaml_problem(exc)}") from exc
    except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: a NUL in the path
        raise SeedError(f"{source}: cannot be read ({exc})") from exc
    if not isinstance(data, Mapping):
        raise SeedError(f"{source}: not a mapping of people:, cards: and guardianships:")
    return data


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """YAML's complaint on one line: where it noticed, what, and where the construct began."""
    mark = exc.problem_mark or exc.context_mark
    place = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    began = exc.context_mark
    context = f" ({exc.context} at line {began.line + 1})" if exc.context and began else ""
    return f"{place}{exc.problem or 'not valid YAML'}{context}"


def check(source: str | Path | Mapping[str, Any]) -> None:
    """The seed's rules, without hashing a password; a SeedError names the file's line.

    What a start or a fixture's load runs before anything depends on the seed.
    """
    raw = read_seed(source)
    try:
        _validate(json.loads(_key(raw)))
    except SeedError as exc:
        raise _placed(exc, source) from None


def _placed(exc: SeedError, source: str | Path | Mapping[str, Any]) -> SeedError:
    """A broken rule with the file and its line in front, when the seed came from a file."""
    if isinstance(source, Mapping) or not exc.where:
        return exc
    line = line_of(Path(source), exc.where)
    return SeedError(f"{source}: {'line ' + str(line) + ', ' if line else ''}{exc}", exc.where)


def line_of(path: Path, where: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the record (or its field) at `where` in a YAML file, if found."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    line = None
    for step in where:
        if isinstance(node, yaml.MappingNode):  # a key's line: where its value begins
            key, node = next(((k, v) for k, v in node.value if k.value == step), (None, None))
            at = key
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = at = node.value[step]
        else:
            node = at = None
        if at is None:
            break
        line = at.start_mark.line + 1
    return line


def prepare(source: str | Path | Mapping[str, Any]) -> PreparedSeed:
    """Validate a seed and hash its passwords (cached by content)."""
    raw = read_seed(source)
    try:
        return _prepare(_key(raw))
    except SeedError as exc:
        raise _placed(exc, source) from None


def _key(raw: Mapping[str, Any]) -> str:
    """The seed as canonical JSON: the cache's key, and proof that it is plain data."""
    try:
        return json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError) as exc:
        raise SeedError(f"seed is not plain data: {exc}") from exc


@lru_cache(maxsize=16)
def _prepare(key: str) -> PreparedSeed:
    people, cards, links = _validate(json.loads(key))
    hashed = tuple((number, holder, status, hash_password(password), openid)
                   for number, holder, status, password, openid in cards)
    return PreparedSeed(people, hashed, links)


# number, holder, status, password, openid
Cards = tuple[tuple[str, str, str, str, str | None], ...]


def _validate(raw: Mapping[str, Any]) -> tuple[tuple[tuple[str, str, str | None], ...], Cards,
                                                tuple[tuple[str, str, str], ...]]:
    """The seed's records, checked; a SeedError names the record, the field and the rule,
    never an ID number or a name (the line says which)."""
    unknown = sorted(set(raw) - {"people", "cards", "guardianships"})
    if unknown:
        raise SeedError(f"unknown section {unknown[0]!r} (a seed has people, cards and "
                        f"guardianships)", (unknown[0],))
    people, ids = [], set()
    for i, p in enumerate(_records(raw, "people")):
        id_number, name = _text(p, "id_number", "people", i), _text(p, "name", "people", i)
        phone = p.get("phone")
        if not is_valid_id(id_number, date.max):
            raise SeedError(f"people[{i}].id_number is not a valid 18-digit ID number (its check "
                            f"digit or date)", ("people", i, "id_number"))
        if id_number in ids:
            raise SeedError(f"people[{i}].id_number is listed twice",
                            ("people", i, "id_number"))
        if phone is not None and (isinstance(phone, bool) or not isinstance(phone, str | int)):
            raise SeedError(f"people[{i}].phone must be a string or null",
                            ("people", i, "phone"))
        ids.add(id_number)
        people.append((id_number, name, None if phone is None else str(phone)))
    cards, numbers, openids = [], set(), set()
    for i, c in enumerate(_records(raw, "cards")):
        number, holder = _text(c, "card_number", "cards", i), _text(c, "holder", "cards", i)
        password, status = _text(c, "password", "cards", i), c.get("status", "active")
        openid = c.get("bound_openid")
        if holder not in ids:
            raise SeedError(f"cards[{i}].holder is not an id_number under people:",
                            ("cards", i, "holder"))
        if number in numbers:
            raise SeedError(f"cards[{i}].card_number is listed twice",
                            ("cards", i, "card_number"))
        if status not in STATUSES:
            raise SeedError(f"cards[{i}].status {status!r} must be one of "
                            f"{', '.join(STATUSES)}", ("cards", i, "status"))
        if openid is not None and (not isinstance(openid, str) or openid in openids):
            raise SeedError(f"cards[{i}].bound_openid must be a unique string",
                            ("cards", i, "bound_openid"))
        numbers.add(number)
        openids.add(openid)
        cards.append((number, holder, status, password, openid))
    links = []
    for i, g in enumerate(_records(raw, "guardianships")):
        minor = _text(g, "minor", "guardianships", i)
        guardian = _text(g, "guardian", "guardianships", i)
        relation = g.get("relation")
        for field, person in (("minor", minor), ("guardian", guardian)):
            if person not in ids:
                raise SeedError(f"guardianships[{i}].{field} is not an id_number under "
                                f"people:", ("guardianships", i, field))
        if relation not in RELATIONS:
            raise SeedError(f"guardianships[{i}].relation {relation!r} must be one of "
                            f"{', '.join(RELATIONS)}", ("guardianships", i, "relation"))
        links.append((minor, guardian, relation))
    return tuple(people), tuple(cards), tuple(links)


def _records(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = raw.get(key) or []
    if not isinstance(items, list) or not all(isinstance(x, Mapping) for x in items):
        raise SeedError(f"{key} must be a list of records (lines starting with '- ')", (key,))
    return items


def _text(record: Mapping[str, Any], field: str, where: str, i: int) -> str:
    value = record.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YAML reads unquoted digits as numbers
    if not isinstance(value, str) or not value:
        got = "missing" if value is None else f"a {type(value).__name__}"  # never the value
        raise SeedError(f"{where}[{i}].{field} must be a non-empty string (got {got})",
                        (where, i, field) if field in record else (where, i))
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
