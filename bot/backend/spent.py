"""Codes that were sent but no longer count: replaced by a resend, or used already.

The person who types the SMS before last (a resend crossed in the network, or an old message
read by mistake) hears "这个验证码已失效，请输入最新收到的验证码" rather than "wrong code". Such a
code costs no try: typing a code that really was sent shows the phone is in hand, and a guesser
hits one of a few old codes no more easily than the current one, so not counting it buys a
guesser nothing, while counting it would lock out the honest holder who mixed up two messages.
Each is kept hashed for STALE_KEEP, then forgotten.
"""

from __future__ import annotations

import sqlite3

from flows.passwords import matches

STALE_KEEP = 30 * 60  # seconds a replaced or used code is still recognised as stale


def spend(conn: sqlite3.Connection, id_number: str, purpose: str, now: float) -> None:
    """Move the current code of (id_number, purpose), if any, to the stale ones; forget stale
    ones past STALE_KEEP."""
    key = (id_number, purpose)
    conn.execute("DELETE FROM spent_codes WHERE id_number = ? AND purpose = ? AND until <= ?",
                 (*key, now))
    conn.execute("INSERT INTO spent_codes SELECT id_number, purpose, code_hash, ? FROM codes"
                 " WHERE id_number = ? AND purpose = ?", (now + STALE_KEEP, *key))
    conn.execute("DELETE FROM codes WHERE id_number = ? AND purpose = ?", key)


def was_sent(conn: sqlite3.Connection, key: tuple[str, str], code: str, now: float) -> bool:
    """Whether `code` is one sent for `key` and since replaced or used (kept STALE_KEEP)."""
    rows = conn.execute("SELECT code_hash FROM spent_codes WHERE id_number = ? AND purpose = ?"
                        " AND until > ?", (*key, now)).fetchall()
    return any(matches(code.strip(), row["code_hash"]) for row in rows)
