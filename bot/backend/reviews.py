"""Offline review tickets: where a reset goes when identity cannot be verified by SMS.

A ticket gets a reference the user can quote, `R<yyyymmdd>-<nnnn>` numbered per day (the day
in Asia/Shanghai); asking again while one is pending returns the same ticket.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import replace

from bot.clock import Clock
from flows.port import BackendError, Review

log = logging.getLogger(__name__)


def _review(row: sqlite3.Row) -> Review:
    return Review(
        row["ref"],
        row["id_number"],
        row["openid"],
        row["reason"],
        row["status"],
        row["created_at"],
    )


def open_review(
    conn: sqlite3.Connection, id_number: str, openid: str, reason: str, clock: Clock
) -> Review:
    """Open a ticket (inside a write transaction), or return the pending one for this person."""
    pending = conn.execute(
        "SELECT * FROM reviews WHERE id_number = ? AND openid = ? AND status = 'pending'"
        " ORDER BY created_at LIMIT 1",
        (id_number, openid),
    ).fetchone()
    if pending is not None:
        return _review(pending)
    day = clock.today().strftime("%Y%m%d")
    seq = conn.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM reviews WHERE day = ?", (day,)
    ).fetchone()[0]
    review = Review(f"R{day}-{seq:04d}", id_number, openid, reason, "pending", clock.now())
    conn.execute(
        "INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (review.ref, day, seq, id_number, openid, reason, review.status, review.created_at),
    )
    return review


def list_reviews(conn: sqlite3.Connection, openid: str | None = None) -> list[Review]:
    """Tickets oldest first, all of them or one account's."""
    sql, args = "SELECT * FROM reviews", ()
    if openid is not None:
        sql, args = sql + " WHERE openid = ?", (openid,)
    return [_review(row) for row in conn.execute(sql + " ORDER BY created_at, ref", args)]


Observer = Callable[[str | None, str, str], None]  # (applicant openid, ref, outcome)


def notify(observers: list[Observer], review: Review) -> None:
    """Tell each observer a decision was made (after it committed); one failing stops none."""
    for observe in observers:
        try:
            observe(review.openid or None, review.ref, review.status)
        except Exception:  # a notice failing must neither undo nor hide the decision
            log.exception("review decision observer failed (review %s)", review.ref)


def decide(conn: sqlite3.Connection, ref: str, approve: bool) -> Review:
    """Approve or reject a pending ticket; BackendError review_unknown / review_decided."""
    row = conn.execute("SELECT * FROM reviews WHERE ref = ?", (ref,)).fetchone()
    if row is None:
        raise BackendError("review_unknown")
    if row["status"] != "pending":
        raise BackendError("review_decided")
    status = "approved" if approve else "rejected"
    conn.execute("UPDATE reviews SET status = ? WHERE ref = ?", (status, ref))
    return replace(_review(row), status=status)
