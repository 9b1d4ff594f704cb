"""The mock social-security backend: the `Backend` interface over a seeded SQLite file.

State (bindings, passwords, codes, lockouts, reviews, the SMS outbox) lives in the file, so
it survives restarts and is shared by every thread and process that opens the same path;
`reset()` goes back to the seed. All times come from the injected clock.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.backend import bindings, codes, reviews, seed
from bot.backend.bindings import card_of
from bot.backend.hashing import hash_password, password_matches
from bot.backend.schema import Database
from bot.clock import Clock
from flows.ids import fold
from flows.port import (
    BackendError,
    Card,
    CodeCheck,
    CodeSent,
    Person,
    Purpose,
    Relation,
    Review,
)

SeedSource = str | Path | Mapping[str, Any]
_PASSWORD = re.compile(r"[0-9]{6}")


class MockBackend:
    """The simulated social-security service; see docs/architecture.md, "Mock backend"."""

    def __init__(self, path: str | Path, seed: SeedSource, clock: Clock) -> None:
        self.seed, self.clock = seed, clock
        self.db = Database(path)
        try:
            with self.db.transaction() as conn:
                if self.db.is_empty():
                    self._load(conn, seed)
        except BaseException:
            self.db.close()  # a bad seed must not leak the connection
            raise

    def _load(self, conn: sqlite3.Connection, source: SeedSource) -> None:
        prepared = seed.prepare(source)  # validate before touching the tables
        self.db.clear(conn)
        seed.load(conn, prepared)

    def reset(self, seed: SeedSource | None = None) -> None:
        """Reload the seed (or another one, for this reset only), dropping all state."""
        with self.db.transaction() as conn:
            self._load(conn, self.seed if seed is None else seed)

    def close(self) -> None:
        """Close the database connections of every thread."""
        self.db.close()

    def __enter__(self) -> MockBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _one(self, sql: str, *args: object) -> sqlite3.Row | None:
        with self.db.connection() as conn:
            return conn.execute(sql, args).fetchone()

    # --- people and cards -------------------------------------------------------------
    def person(self, id_number: str) -> Person | None:
        row = self._one("SELECT * FROM people WHERE id_number = ?", id_number)
        return Person(row["id_number"], row["name"], row["phone"]) if row else None

    def name_matches(self, id_number: str, name: str) -> bool:
        found = self.person(id_number)
        return found is not None and fold(found.name) == fold(name)

    def card(self, card_number: str) -> Card | None:
        row = self._one("SELECT * FROM cards WHERE card_number = ?", card_number.upper())
        return card_of(row) if row else None

    def cards_of(self, id_number: str) -> list[Card]:
        with self.db.connection() as conn:
            rows = conn.execute(
                "SELECT * FROM cards WHERE holder = ? ORDER BY card_number", (id_number,)
            ).fetchall()
        return [card_of(row) for row in rows]

    def guardian_relation(self, minor: str, guardian: str) -> Relation | None:
        row = self._one(
            "SELECT relation FROM guardianships WHERE minor = ? AND guardian = ?", minor, guardian
        )
        return row["relation"] if row else None

    # --- SMS codes --------------------------------------------------------------------
    def send_code(self, id_number: str, purpose: Purpose) -> CodeSent:
        with self.db.transaction() as conn:
            return codes.send(conn, id_number, purpose, self.clock.now())

    def check_code(self, id_number: str, purpose: Purpose, code: str) -> CodeCheck:
        with self.db.transaction() as conn:
            return codes.check(conn, id_number, purpose, code, self.clock.now())

    def sms_outbox(self, phone: str) -> list[dict[str, Any]]:
        """Every SMS sent to `phone`, oldest first: the simulated phone's inbox."""
        with self.db.connection() as conn:
            return codes.outbox(conn, phone)

    # --- bindings ---------------------------------------------------------------------
    def bind(self, card_number: str, openid: str, guardian: str | None = None) -> Card:
        with self.db.transaction() as conn:
            return bindings.bind(conn, card_number.upper(), openid, guardian, self.clock.now())

    def binding(self, openid: str) -> Card | None:
        row = self._one("SELECT * FROM cards WHERE bound_openid = ?", openid)
        return card_of(row) if row else None

    def unbind(self, openid: str) -> Card | None:
        with self.db.transaction() as conn:
            return bindings.unbind(conn, openid)

    def card_view(self, card_number: str) -> dict[str, Any] | None:
        """The contract JSON of GET /backend/v1/cards/<n>: personal data masked."""
        with self.db.connection() as conn:
            return bindings.view(conn, card_number.upper())

    # --- passwords --------------------------------------------------------------------
    def password_is(self, id_number: str, password: str) -> bool:
        return any(self.verify_password(c.card_number, password) for c in self.cards_of(id_number))

    def set_password(self, id_number: str, password: str) -> None:
        if not _PASSWORD.fullmatch(password):
            raise BackendError("bad_password")
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE cards SET password_hash = ? WHERE holder = ?",
                (hash_password(password), id_number),
            ).rowcount
            if not changed:
                raise BackendError("no_card")

    def verify_password(self, card_number: str, password: str) -> bool:
        sql = "SELECT password_hash FROM cards WHERE card_number = ?"
        row = self._one(sql, card_number.upper())
        return row is not None and password_matches(password, row["password_hash"])

    # --- offline review -----------------------------------------------------------------
    def open_review(self, id_number: str, openid: str, reason: str) -> Review:
        with self.db.transaction() as conn:
            return reviews.open_review(conn, id_number, openid, reason, self.clock)

    def reviews(self, openid: str | None = None) -> list[Review]:
        with self.db.connection() as conn:
            return reviews.list_reviews(conn, openid)

    def decide_review(self, ref: str, approve: bool) -> Review:
        with self.db.transaction() as conn:
            return reviews.decide(conn, ref, approve)
