"""Binding cards to WeChat accounts: one card per account, one account per card.

Only active cards bind; a guardian's consent (who, as what, when) is recorded with the binding
and shown, masked, by the card view the simulator reads.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.backend.codes import iso
from flows.ids import mask_id
from flows.port import BackendError, Card


def card_of(row: sqlite3.Row) -> Card:
    """A cards row as the interface's Card."""
    return Card(row["card_number"], row["holder"], row["status"], row["bound_openid"])


def bind(
    conn: sqlite3.Connection, card_number: str, openid: str, guardian: str | None, now: float,
    via: str | None = None,
) -> Card:
    """Bind (inside a write transaction); repeating the same binding is a no-op. `via` is how
    the guardian consented: "wechat" (in their own chat) or "sms" (a code, the default)."""
    row = conn.execute("SELECT * FROM cards WHERE card_number = ?", (card_number,)).fetchone()
    if row is None:
        raise BackendError("card_unknown")
    if row["status"] != "active":
        raise BackendError(f"card_{row['status']}")  # card_lost / card_frozen
    if row["bound_openid"] == openid:
        return card_of(row)  # a retried request (the platform resends) changes nothing
    if row["bound_openid"] is not None:
        raise BackendError("card_bound")
    if conn.execute("SELECT 1 FROM cards WHERE bound_openid = ?", (openid,)).fetchone():
        raise BackendError("account_bound")
    relation = None
    if guardian is not None:
        link = conn.execute(
            "SELECT relation FROM guardianships WHERE minor = ? AND guardian = ?",
            (row["holder"], guardian),
        ).fetchone()
        if link is None:
            raise BackendError("not_guardian")
        relation = link["relation"]
    conn.execute(
        "UPDATE cards SET bound_openid = ?, guardian = ?, relation = ?, consent_at = ?,"
        " consent_via = ? WHERE card_number = ?",
        (openid, guardian, relation, now if guardian else None,
         (via or "sms") if guardian else None, row["card_number"]),
    )
    return Card(row["card_number"], row["holder"], row["status"], openid)


def unbind(conn: sqlite3.Connection, openid: str) -> Card | None:
    """Drop an account's binding and its consent record; None when nothing was bound."""
    row = conn.execute("SELECT * FROM cards WHERE bound_openid = ?", (openid,)).fetchone()
    if row is None:
        return None
    conn.execute(
        "UPDATE cards SET bound_openid = NULL, guardian = NULL, relation = NULL,"
        " consent_at = NULL, consent_via = NULL WHERE card_number = ?",
        (row["card_number"],),
    )
    return Card(row["card_number"], row["holder"], row["status"], None)


def view(conn: sqlite3.Connection, card_number: str) -> dict[str, Any] | None:
    """The contract JSON of GET /backend/v1/cards/<n>, personal data masked."""
    row = conn.execute("SELECT * FROM cards WHERE card_number = ?", (card_number,)).fetchone()
    if row is None:
        return None
    consent = None
    if row["guardian"]:
        consent = {
            "guardian_id_masked": mask_id(row["guardian"]),
            "relation": row["relation"],
            "at": iso(row["consent_at"]),
            "via": row["consent_via"] or "sms",
        }
    return {
        "card_number": row["card_number"],
        "status": row["status"],
        "holder_id_masked": mask_id(row["holder"]),
        "bound_openid": row["bound_openid"],
        "guardian_consent": consent,
    }
