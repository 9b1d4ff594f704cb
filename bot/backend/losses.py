"""Loss reports (挂失) and their lifting (解挂), each change kept in an audit log.

An online report is temporary: it lifts itself `days` after it was made (the region's rule,
flows/data/regions.yaml), on the backend's clock. Nothing runs in the background: the reads
that show a card call `lapse` first, so a report past its time is lifted (and audited, at the
time it ran out) before anyone can see the card. Every change gets a reference `L<yyyymmdd>-
<nnnn>` numbered per day (Asia/Shanghai); the audit names who made it by a masked openid only.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from bot.backend.codes import iso
from flows.ids import SHANGHAI
from flows.port import BackendError, LossRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS loss_reports (
    card_number TEXT PRIMARY KEY, ref TEXT NOT NULL, reported_at REAL NOT NULL,
    lapses_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS loss_audit (
    ref TEXT PRIMARY KEY, day TEXT NOT NULL, seq INTEGER NOT NULL, card_number TEXT NOT NULL,
    action TEXT NOT NULL, actor TEXT NOT NULL, at REAL NOT NULL, lapses_at REAL,
    UNIQUE (day, seq));
CREATE INDEX IF NOT EXISTS loss_audit_card ON loss_audit(card_number, at);
"""
DAY = 86400


def mask_openid(openid: str) -> str:
    """Enough to tell followers apart in an audit, not to message them."""
    return openid[:4] + "***" + openid[-2:] if len(openid) > 6 else "***"


def clear(conn: sqlite3.Connection) -> None:
    """Forget every report and audit record (a reset, inside its transaction)."""
    conn.execute("DELETE FROM loss_reports")
    conn.execute("DELETE FROM loss_audit")


def _audit(conn: sqlite3.Connection, card_number: str, action: str, actor: str, at: float,
           lapses_at: float | None = None) -> LossRecord:
    day = datetime.fromtimestamp(at, SHANGHAI).strftime("%Y%m%d")
    seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM loss_audit WHERE day = ?",
                       (day,)).fetchone()[0]
    ref = f"L{day}-{seq:04d}"
    record = LossRecord(ref, card_number, action, at, lapses_at, actor)  # type: ignore[arg-type]
    conn.execute("INSERT INTO loss_audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (record.ref, day, seq, card_number, action, actor, at, lapses_at))
    return record


def _status(conn: sqlite3.Connection, card_number: str) -> str:
    row = conn.execute("SELECT status FROM cards WHERE card_number = ?", (card_number,)).fetchone()
    if row is None:
        raise BackendError("card_unknown")
    return row["status"]


def report(conn: sqlite3.Connection, card_number: str, openid: str, now: float,
           days: int) -> LossRecord:
    """Mark an active card lost until `days` from now (inside a write transaction)."""
    status = _status(conn, card_number)
    if status != "active":
        raise BackendError(f"card_{status}")  # card_lost / card_frozen
    conn.execute("UPDATE cards SET status = 'lost' WHERE card_number = ?", (card_number,))
    record = _audit(conn, card_number, "report", mask_openid(openid), now, now + days * DAY)
    conn.execute("INSERT OR REPLACE INTO loss_reports VALUES (?, ?, ?, ?)",
                 (card_number, record.ref, now, record.lapses_at))
    return record


def lift(conn: sqlite3.Connection, card_number: str, openid: str, now: float) -> LossRecord:
    """Make a lost card active again (inside a write transaction); 'not_lost' otherwise."""
    if _status(conn, card_number) != "lost":
        raise BackendError("not_lost")
    conn.execute("UPDATE cards SET status = 'active' WHERE card_number = ?", (card_number,))
    forget(conn, card_number)
    return _audit(conn, card_number, "lift", mask_openid(openid), now)


def forget(conn: sqlite3.Connection, card_number: str) -> None:
    """Drop a card's running report (lifted, or its status changed at a counter)."""
    conn.execute("DELETE FROM loss_reports WHERE card_number = ?", (card_number,))


# 1 when some temporary report has run out by the bound time, else NULL: a scalar subquery
# that card reads carry as a column (mock.py `_cards`), saving a statement per read.
DUE = "(SELECT 1 FROM loss_reports WHERE lapses_at <= ? LIMIT 1)"


def due(conn: sqlite3.Connection, now: float) -> bool:
    """Whether some temporary report has run out (a cheap read before taking the write lock)."""
    return conn.execute(f"SELECT {DUE}", (now,)).fetchone()[0] is not None


def lapse(conn: sqlite3.Connection, now: float) -> list[LossRecord]:
    """Lift every temporary report that has run out, audited at the time it ran out."""
    rows = conn.execute("SELECT * FROM loss_reports WHERE lapses_at <= ? ORDER BY lapses_at",
                        (now,)).fetchall()
    lapsed = []
    for row in rows:
        conn.execute("UPDATE cards SET status = 'active' WHERE card_number = ? AND"
                     " status = 'lost'", (row["card_number"],))
        forget(conn, row["card_number"])
        lapsed.append(_audit(conn, row["card_number"], "lapse", "clock", row["lapses_at"]))
    return lapsed


def running(conn: sqlite3.Connection, card_number: str) -> dict[str, Any] | None:
    """The card's running temporary report, for the card view: reference and times."""
    row = conn.execute("SELECT * FROM loss_reports WHERE card_number = ?",
                       (card_number,)).fetchone()
    if row is None:
        return None
    return {"ref": row["ref"], "reported_at": iso(row["reported_at"]),
            "lapses_at": iso(row["lapses_at"])}


def current(conn: sqlite3.Connection, card_number: str) -> LossRecord | None:
    """The card's running temporary report as the record that made it, if there is one."""
    row = conn.execute("SELECT * FROM loss_reports WHERE card_number = ?",
                       (card_number,)).fetchone()
    if row is None:
        return None
    return LossRecord(row["ref"], card_number, "report", row["reported_at"], row["lapses_at"])


def history(conn: sqlite3.Connection, card_number: str) -> list[LossRecord]:
    """Every audited change of a card's loss status, oldest first."""
    rows = conn.execute("SELECT * FROM loss_audit WHERE card_number = ? ORDER BY at, ref",
                        (card_number,)).fetchall()
    return [LossRecord(r["ref"], r["card_number"], r["action"], r["at"], r["lapses_at"],
                       r["actor"]) for r in rows]


def record_json(record: LossRecord) -> dict[str, Any]:
    """An audit record for people and scripts: times in Asia/Shanghai, the openid masked."""
    return {"ref": record.ref, "card_number": record.card_number, "action": record.action,
            "at": iso(record.at), "by": record.by,
            "lapses_at": None if record.lapses_at is None else iso(record.lapses_at)}


def record_of(data: dict[str, Any]) -> LossRecord:
    """`record_json` read back (the HTTP client's side)."""
    lapses = data.get("lapses_at")
    return LossRecord(data["ref"], data["card_number"], data["action"],
                      datetime.fromisoformat(data["at"]).timestamp(),
                      None if lapses is None else datetime.fromisoformat(lapses).timestamp(),
                      data.get("by", ""))
