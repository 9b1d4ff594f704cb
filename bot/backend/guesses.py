"""The service password typed to prove identity, counted like a code: guessing has a limit.

A loss report (or its lifting) accepts the card's service password instead of an SMS code, so a
wrong password must cost what a wrong code costs: both count toward the same lock for that ID
and purpose (codes.MAX_FAILURES, then codes.LOCK_SECONDS), and a right one clears the count.
Without it a six-digit password could be guessed three tries per conversation, forever.
"""

from __future__ import annotations

import math
import sqlite3

from bot.backend.codes import LOCK_GROUP, LOCK_SECONDS, MAX_FAILURES
from bot.backend.hashing import password_matches
from flows.port import CodeCheck, Purpose


def check_password(conn: sqlite3.Connection, id_number: str, password: str, purpose: Purpose,
                   now: float) -> CodeCheck:
    """Check the holder's service password (inside a write transaction), counting a miss."""
    lock_key = (id_number, LOCK_GROUP.get(purpose, purpose))
    row = conn.execute("SELECT failures, locked_until FROM attempts WHERE id_number = ? AND"
                       " purpose = ?", lock_key).fetchone()
    if row is not None and row["locked_until"] > now:
        wait = max(1, math.ceil(row["locked_until"] - now))
        return CodeCheck(ok=False, reason="locked", retry_after=wait)
    hashes = conn.execute("SELECT password_hash FROM cards WHERE holder = ?", (id_number,))
    if any(password_matches(password, h["password_hash"]) for h in hashes.fetchall()):
        conn.execute("DELETE FROM attempts WHERE id_number = ? AND purpose = ?", lock_key)
        return CodeCheck(ok=True, attempts_left=MAX_FAILURES)
    left = MAX_FAILURES - (row["failures"] if row else 0) - 1
    locked = now + LOCK_SECONDS if left <= 0 else 0.0
    conn.execute("INSERT OR REPLACE INTO attempts VALUES (?, ?, ?, ?)",
                 (*lock_key, 0 if locked else MAX_FAILURES - left, locked))
    if locked:
        return CodeCheck(ok=False, reason="locked", retry_after=LOCK_SECONDS)
    return CodeCheck(ok=False, reason="wrong", attempts_left=left)
