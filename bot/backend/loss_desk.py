"""The mock backend's loss desk: loss reports, their lifting, and the password as proof.

A mixin of MockBackend (kept apart so the mock stays one screen per concern): it uses the
mock's `db`, `clock`, `region` and `faults`. The rules themselves are in losses.py and
guesses.py; here are the transactions, the idempotency keys and the lapse before each read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from bot.backend import effects, guesses, losses
from bot.backend.faults import Faults, slowed
from bot.backend.schema import Database
from bot.clock import Clock
from flows.port import CodeCheck, LossRecord, Purpose
from flows.regions import Region

Change = Callable[[sqlite3.Connection, str, float], LossRecord]  # (conn, card number, now)


class LossDesk:
    """Loss reports and password proof for MockBackend (see the module docstring)."""

    db: Database
    clock: Clock
    region: Region
    faults: Faults

    @slowed
    def check_password(
        self, id_number: str, password: str, purpose: Purpose, key: str | None = None
    ) -> CodeCheck:
        """The password as proof, counted like a code (guesses.py); same `key`, same answer."""
        digest = effects.fingerprint("check_password", id_number, purpose, password)
        now = self.clock.now()
        with self.db.transaction() as conn:
            return effects.once(conn, key, digest, now, CodeCheck, lambda: guesses.check_password(
                conn, id_number, password, purpose, now))

    @slowed
    def report_loss(self, card_number: str, openid: str, key: str | None = None) -> LossRecord:
        """Report a card lost until the region's days pass; the same `key`, the same record."""
        days = self.region.temporary_days
        return self._loss_change("report", card_number, openid, key,
                                 lambda conn, n, now: losses.report(conn, n, openid, now, days))

    @slowed
    def lift_loss(self, card_number: str, openid: str, key: str | None = None) -> LossRecord:
        """Make a lost card active again; the same `key`, the same record."""
        return self._loss_change("lift", card_number, openid, key,
                                 lambda conn, n, now: losses.lift(conn, n, openid, now))

    def _loss_change(self, action: str, card_number: str, openid: str, key: str | None,
                     change: Change) -> LossRecord:
        number, now = card_number.upper(), self.clock.now()
        digest = effects.fingerprint(f"{action}_loss", number, openid)
        with self.db.transaction() as conn:
            losses.lapse(conn, now)
            return effects.once(conn, key, digest, now, LossRecord,  # again: same answer
                                lambda: change(conn, number, now))

    def loss_history(self, card_number: str) -> list[LossRecord]:
        """The card's audited loss changes, oldest first (reports, lifts, lapses)."""
        self._lapse()
        with self.db.connection() as conn:
            return losses.history(conn, card_number.upper())

    def running_loss(self, card_number: str) -> dict[str, Any] | None:
        """The card's temporary report still running: reference, when made, when it lapses."""
        self._lapse()
        with self.db.connection() as conn:
            return losses.running(conn, card_number.upper())

    @slowed
    def loss_report(self, card_number: str) -> LossRecord | None:
        """The card's running temporary report (the port's), after any lapse is applied."""
        self._lapse()
        with self.db.connection() as conn:
            return losses.current(conn, card_number.upper())

    def _lapse(self) -> None:
        """Lift temporary reports past their time before a card is read (losses.py)."""
        now = self.clock.now()
        with self.db.connection() as conn:
            if not losses.due(conn, now):
                return
        with self.db.transaction() as conn:
            losses.lapse(conn, now)
