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

from bot.backend import bindings, codes, effects, losses, reviews, seed
from bot.backend.bindings import card_of
from bot.backend.faults import Faults, slowed
from bot.backend.hashing import hash_password, password_matches
from bot.backend.loss_desk import LossDesk
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
from flows.regions import region

SeedSource = str | Path | Mapping[str, Any]
_PASSWORD = re.compile(r"[0-9]{6}")


class MockBackend(LossDesk):
    """The simulated social-security service; see docs/architecture.md, "Mock backend"."""

    def __init__(self, path: str | Path, seed: SeedSource, clock: Clock,
                 region_key: str | None = None) -> None:
        self.seed, self.clock = seed, clock
        self.region = region(region_key)  # BOT_REGION: how long a temporary report lasts
        self.faults = Faults()
        # Called with (applicant openid or None, review ref, "approved"|"rejected") after a
        # decision commits: the seam for review-outcome notices. Nothing personal is passed.
        self.on_decision: list[reviews.Observer] = []
        self.db = Database(path)
        try:
            with self.db.connection() as conn:
                conn.executescript(losses.SCHEMA)
            with self.db.transaction() as conn:
                if self.db.is_empty():
                    self._load(conn, seed)
        except BaseException:
            self.db.close()  # a bad seed must not leak the connection
            raise

    def _load(self, conn: sqlite3.Connection, source: SeedSource) -> None:
        prepared = seed.prepare(source)  # validate before touching the tables
        self.db.clear(conn)
        losses.clear(conn)
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
    @slowed
    def person(self, id_number: str) -> Person | None:
        row = self._one("SELECT * FROM people WHERE id_number = ?", id_number)
        return Person(row["id_number"], row["name"], row["phone"]) if row else None

    @slowed
    def name_matches(self, id_number: str, name: str) -> bool:
        found = self.person(id_number)
        return found is not None and fold(found.name) == fold(name)

    @slowed
    def card(self, card_number: str) -> Card | None:
        rows = self._cards("c.card_number = ?", card_number.upper())
        return card_of(rows[0]) if rows else None

    @slowed
    def cards_of(self, id_number: str) -> list[Card]:
        return [card_of(row) for row in self._cards("c.holder = ?", id_number)]

    def _cards(self, where: str, *args: object) -> list[sqlite3.Row]:
        """Cards rows read in one statement with the check for lapsed temporary reports.

        The check was a read of its own before each card read (a second statement and read
        snapshot per call, ~20 us a message); when a report is due it is lifted (`_lapse`)
        and the cards read again, so a card never shows a report past its time, as before.
        """
        sql = (f"SELECT {losses.DUE} AS lapse_due, c.* FROM (SELECT 1)"
               f" LEFT JOIN cards c ON {where} ORDER BY c.card_number")
        now = self.clock.now()
        with self.db.connection() as conn:
            rows = conn.execute(sql, (now, *args)).fetchall()
        if rows[0]["lapse_due"]:
            self._lapse()
            with self.db.connection() as conn:
                rows = conn.execute(sql, (now, *args)).fetchall()
        return [row for row in rows if row["card_number"] is not None]

    @slowed
    def guardian_relation(self, minor: str, guardian: str) -> Relation | None:
        row = self._one(
            "SELECT relation FROM guardianships WHERE minor = ? AND guardian = ?", minor, guardian
        )
        return row["relation"] if row else None

    # --- family members (亲情服务) ------------------------------------------------------
    @slowed
    def family_of(self, guardian: str) -> list[Person]:
        with self.db.connection() as conn:
            rows = conn.execute(
                "SELECT p.* FROM family f JOIN people p ON p.id_number = f.member"
                " WHERE f.guardian = ? ORDER BY f.added_at, f.member", (guardian,)).fetchall()
        return [Person(r["id_number"], r["name"], r["phone"]) for r in rows]

    @slowed
    def add_family(self, guardian: str, member: str) -> bool:
        with self.db.transaction() as conn:
            added = conn.execute("INSERT OR IGNORE INTO family VALUES (?, ?, ?)",
                                 (guardian, member, self.clock.now())).rowcount
        return bool(added)

    @slowed
    def remove_family(self, guardian: str, member: str) -> bool:
        with self.db.transaction() as conn:
            removed = conn.execute("DELETE FROM family WHERE guardian = ? AND member = ?",
                                   (guardian, member)).rowcount
        return bool(removed)

    # --- SMS codes --------------------------------------------------------------------
    @slowed
    def send_code(self, id_number: str, purpose: Purpose, key: str | None = None) -> CodeSent:
        """Text a code; a repeat with the same `key` (a step redone after a crash) gets the
        first answer, "sent", so the follower is told of the code that went out, once."""
        digest, now = effects.fingerprint("send_code", id_number, purpose), self.clock.now()
        with self.db.transaction() as conn:
            return effects.once(conn, key, digest, now, CodeSent,
                                lambda: codes.send(conn, id_number, purpose, now))

    @slowed
    def check_code(
        self, id_number: str, purpose: Purpose, code: str, key: str | None = None
    ) -> CodeCheck:
        """Check (and use up) a code; a repeat with the same `key` gets the first answer."""
        digest, now = effects.fingerprint("check_code", id_number, purpose, code), self.clock.now()
        with self.db.transaction() as conn:
            return effects.once(conn, key, digest, now, CodeCheck,
                                lambda: codes.check(conn, id_number, purpose, code, now))

    def sms_outbox(self, phone: str) -> list[dict[str, Any]]:
        """Every SMS sent to `phone`, oldest first: the simulated phone's inbox."""
        with self.db.connection() as conn:
            return codes.outbox(conn, phone)

    # --- bindings ---------------------------------------------------------------------
    @slowed
    def bind(self, card_number: str, openid: str, guardian: str | None = None,
             via: str | None = None) -> Card:
        # The lapse goes in the bind's own transaction (no read of its own first); a refusal
        # (raised before any write) still commits the lapse, as the separate step did.
        now = self.clock.now()
        with self.db.transaction() as conn:
            losses.lapse(conn, now)
            try:
                return bindings.bind(conn, card_number.upper(), openid, guardian, now, via)
            except BackendError as exc:
                refused = exc
        raise refused

    @slowed
    def binding(self, openid: str) -> Card | None:
        rows = self._cards("c.bound_openid = ?", openid)
        return card_of(rows[0]) if rows else None

    @slowed
    def unbind(self, openid: str) -> Card | None:
        with self.db.transaction() as conn:
            return bindings.unbind(conn, openid)

    def card_view(self, card_number: str) -> dict[str, Any] | None:
        """The contract JSON of GET /backend/v1/cards/<n>: personal data masked."""
        self._lapse()  # a report past its time shows as lifted, as everywhere else
        with self.db.connection() as conn:
            return bindings.view(conn, card_number.upper())

    # --- passwords --------------------------------------------------------------------
    @slowed
    def password_is(self, id_number: str, password: str) -> bool:
        return any(self.verify_password(c.card_number, password) for c in self.cards_of(id_number))

    @slowed
    def set_password(self, id_number: str, password: str, key: str | None = None) -> None:
        """Set the holder's new password; a repeat with the same `key` changes nothing more."""
        if not _PASSWORD.fullmatch(password):
            raise BackendError("bad_password")
        digest, now = effects.fingerprint("set_password", id_number, password), self.clock.now()
        with self.db.transaction() as conn:
            if effects.recall(conn, key, digest, now) is not None:
                return
            effects.remember(conn, key, digest, "null", now)
            changed = conn.execute(
                "UPDATE cards SET password_hash = ? WHERE holder = ?",
                (hash_password(password), id_number),
            ).rowcount
            if not changed:
                raise BackendError("no_card")

    @slowed
    def verify_password(self, card_number: str, password: str) -> bool:
        sql = "SELECT password_hash FROM cards WHERE card_number = ?"
        row = self._one(sql, card_number.upper())
        return row is not None and password_matches(password, row["password_hash"])

    # --- offline review -----------------------------------------------------------------
    @slowed
    def open_review(self, id_number: str, openid: str, reason: str) -> Review:
        with self.db.transaction() as conn:
            return reviews.open_review(conn, id_number, openid, reason, self.clock)

    @slowed
    def reviews(self, openid: str | None = None) -> list[Review]:
        with self.db.connection() as conn:
            return reviews.list_reviews(conn, openid)

    @slowed
    def decide_review(self, ref: str, approve: bool) -> Review:
        with self.db.transaction() as conn:
            review = reviews.decide(conn, ref, approve)
        reviews.notify(self.on_decision, review)  # after the commit: never ahead of the fact
        return review

    # --- the simulator's hands on the backend (fixtures' `backend:` and `faults:` steps) ------
    def set_card_status(self, card_number: str, status: str) -> Card:
        """Report a card lost, freeze it, or make it active again, as a counter would."""
        if status not in seed.STATUSES:
            raise BackendError("bad_status")
        with self.db.transaction() as conn:
            if not conn.execute("UPDATE cards SET status = ? WHERE card_number = ?",
                                (status, card_number.upper())).rowcount:
                raise BackendError("card_unknown")
            losses.forget(conn, card_number.upper())  # the counter's word replaces the report's
        row = self._one("SELECT * FROM cards WHERE card_number = ?", card_number.upper())
        return card_of(row)  # type: ignore[arg-type]  # updated above, so it is there

    def bounded(self) -> bool:
        """Each call is a local SQLite step (~0.1 ms) unless a delay is armed: the engine may
        then run a turn inline, on the request's thread (bot/window/inline.py)."""
        return not self.faults.armed["times"]

    def arm_faults(self, delay: float, times: int = 1) -> dict[str, float | int]:
        """The next `times` interface calls take `delay` seconds longer (see faults.py)."""
        self.faults.arm(delay, times)
        return self.faults.armed
