"""SMS verification codes: sending with a resend limit, checking with a lockout.

Rules (docs/architecture.md): six random digits, valid five minutes, one use; at most one SMS
per phone and purpose a minute (binding, then resetting at once, is two honest codes), and
DAILY_CAP per phone a day (the day in Asia/Shanghai on the backend's clock); five wrong codes
lock that ID for that purpose for thirty minutes. Failures count across resends, so asking for a
new code does not buy more guesses. The outbox is the simulated phone, so it holds the code itself;
verification only ever sees a salted hash.
A code replaced by a resend, or used already, is "stale", not "wrong", and costs no try
(spent.py says why).
"""

from __future__ import annotations

import math
import sqlite3
from datetime import datetime, time, timedelta
from typing import Any

from bot.backend.hashing import new_code
from bot.backend.spent import spend as _spend
from bot.backend.spent import was_sent as _was_sent
from bot.clock import SHANGHAI
from flows.ids import mask_phone
from flows.passwords import matches, seal
from flows.port import CodeCheck, CodeSent, Purpose

CODE_TTL = 5 * 60
RESEND_GAP = 60  # seconds between two codes to one phone for one purpose
DAILY_CAP = 10  # codes to one phone per day, whatever the purpose
MAX_FAILURES = 5
LOCK_SECONDS = 30 * 60
# Purposes whose wrong guesses count together: a guardian locked out of binding their own card
# cannot go on guessing as "consent", and the other way round.
LOCK_GROUP = {"consent": "bind"}


def iso(ts: float) -> str:
    """Epoch seconds as ISO 8601 in Asia/Shanghai, the time users and fixtures read."""
    return datetime.fromtimestamp(ts, SHANGHAI).isoformat(timespec="seconds")


def _wait(until: float, now: float) -> int:
    return max(1, math.ceil(until - now))


def _day_bounds(now: float) -> tuple[float, float]:
    """Start and end (epoch seconds) of the Shanghai day holding `now`."""
    day = datetime.fromtimestamp(now, SHANGHAI).date()
    start = datetime.combine(day, time(), SHANGHAI)
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def _refusal(conn: sqlite3.Connection, phone: str, purpose: str, now: float) -> CodeSent | None:
    """Why no SMS may go to `phone` now (too soon for this purpose, or the day's cap), if so."""
    masked = mask_phone(phone)
    last = conn.execute(
        "SELECT MAX(sent_at) FROM outbox WHERE phone = ? AND purpose = ?", (phone, purpose)
    ).fetchone()[0]
    if last is not None and now - last < RESEND_GAP:
        wait = _wait(last + RESEND_GAP, now)
        return CodeSent(ok=False, phone_masked=masked, reason="too_soon", retry_after=wait)
    start, end = _day_bounds(now)
    today = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE phone = ? AND sent_at >= ? AND sent_at < ?",
        (phone, start, end),
    ).fetchone()[0]
    if today >= DAILY_CAP:
        return CodeSent(ok=False, phone_masked=masked, reason="capped",
                        retry_after=_wait(end, now))
    return None


def _locked_until(conn: sqlite3.Connection, id_number: str, purpose: str, now: float) -> float:
    row = conn.execute(
        "SELECT locked_until FROM attempts WHERE id_number = ? AND purpose = ?",
        (id_number, LOCK_GROUP.get(purpose, purpose)),
    ).fetchone()
    return row["locked_until"] if row and row["locked_until"] > now else 0.0


def send(conn: sqlite3.Connection, id_number: str, purpose: Purpose, now: float) -> CodeSent:
    """Issue a code to the phone on record for `id_number` (inside a write transaction)."""
    person = conn.execute("SELECT phone FROM people WHERE id_number = ?", (id_number,)).fetchone()
    if person is None:
        return CodeSent(ok=False, reason="unknown")
    if until := _locked_until(conn, id_number, purpose, now):
        return CodeSent(ok=False, reason="locked", retry_after=_wait(until, now))
    phone = person["phone"]
    if not phone:
        return CodeSent(ok=False, reason="no_phone")
    if refused := _refusal(conn, phone, purpose, now):
        return refused
    code = new_code()
    _spend(conn, id_number, purpose, now)  # the code this one replaces, if any
    conn.execute(
        "INSERT OR REPLACE INTO codes VALUES (?, ?, ?, ?)",
        (id_number, purpose, seal(code), now + CODE_TTL),
    )
    conn.execute(
        "INSERT INTO outbox (phone, code, purpose, sent_at) VALUES (?, ?, ?, ?)",
        (phone, code, purpose, now),
    )
    return CodeSent(ok=True, phone_masked=mask_phone(phone))


def check(
    conn: sqlite3.Connection, id_number: str, purpose: Purpose, code: str, now: float
) -> CodeCheck:
    """Check a typed code (inside a write transaction): consume it, or count a failure."""
    if until := _locked_until(conn, id_number, purpose, now):
        return CodeCheck(ok=False, reason="locked", retry_after=_wait(until, now))
    key, lock_key = (id_number, purpose), (id_number, LOCK_GROUP.get(purpose, purpose))
    row = conn.execute(
        "SELECT failures FROM attempts WHERE id_number = ? AND purpose = ?", lock_key
    ).fetchone()
    left = MAX_FAILURES - (row["failures"] if row else 0)
    stored = conn.execute(
        "SELECT code_hash, expires_at FROM codes WHERE id_number = ? AND purpose = ?", key
    ).fetchone()
    if stored is None:
        reason = "stale" if _was_sent(conn, key, code, now) else "none_sent"
        return CodeCheck(ok=False, reason=reason, attempts_left=left)
    if stored["expires_at"] <= now:
        conn.execute("DELETE FROM codes WHERE id_number = ? AND purpose = ?", key)
        return CodeCheck(ok=False, reason="expired", attempts_left=left)
    if matches(code.strip(), stored["code_hash"]):
        _spend(conn, id_number, purpose, now)
        conn.execute("DELETE FROM attempts WHERE id_number = ? AND purpose = ?", lock_key)
        return CodeCheck(ok=True, attempts_left=MAX_FAILURES)
    if _was_sent(conn, key, code, now):  # not a guess: costs no try (module docstring)
        return CodeCheck(ok=False, reason="stale", attempts_left=left)
    left -= 1
    locked = now + LOCK_SECONDS if left <= 0 else 0.0
    conn.execute(
        "INSERT OR REPLACE INTO attempts VALUES (?, ?, ?, ?)",
        (*lock_key, 0 if locked else MAX_FAILURES - left, locked),
    )
    if locked:
        conn.execute("DELETE FROM codes WHERE id_number = ? AND purpose = ?", key)
        return CodeCheck(ok=False, reason="locked", retry_after=LOCK_SECONDS)
    return CodeCheck(ok=False, reason="wrong", attempts_left=left)


def outbox(conn: sqlite3.Connection, phone: str) -> list[dict[str, Any]]:
    """Messages sent to `phone`, oldest first, as the simulator's phone shows them."""
    rows = conn.execute(
        "SELECT phone, code, purpose, sent_at FROM outbox WHERE phone = ? ORDER BY seq", (phone,)
    ).fetchall()
    return [{**dict(row), "sent_at": iso(row["sent_at"])} for row in rows]
