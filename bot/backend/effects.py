"""Idempotency keys: a retried call with the same key and arguments gets the first answer.

A step can be cut off between the backend's effect and the bot saving the conversation (a
crash, a lost HTTP response). The platform then delivers the message again and the flow, back
where it was, repeats the call. Keyed calls (the code check, setting a password) remember
their answer for EFFECT_TTL, so the repeat neither fails (the code was used up) nor applies
twice (another wrong guess counted); the same key with other arguments is a new call.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

Answer = TypeVar("Answer")

EFFECT_TTL = 3600  # seconds: far past the platform's retries and a conversation's 15 minutes


def fingerprint(*args: object) -> str:
    """What the call was asked, as a digest: codes and passwords are never stored plain."""
    return hashlib.sha256("\x1f".join(map(str, args)).encode()).hexdigest()


def recall(conn: sqlite3.Connection, key: str | None, digest: str, now: float) -> str | None:
    """The answer a call with this key and these arguments already got, if any."""
    if key is None:
        return None
    row = conn.execute(
        "SELECT result FROM effects WHERE key = ? AND fingerprint = ? AND at > ?",
        (key, digest, now - EFFECT_TTL),
    ).fetchone()
    return row["result"] if row else None


def remember(
    conn: sqlite3.Connection, key: str | None, digest: str, result: str, now: float
) -> None:
    """Keep a keyed call's answer (inside its write transaction); drop the expired ones."""
    if key is None:
        return
    conn.execute("DELETE FROM effects WHERE at <= ?", (now - EFFECT_TTL,))
    conn.execute("INSERT OR REPLACE INTO effects VALUES (?, ?, ?, ?)", (key, digest, result, now))


def once(conn: sqlite3.Connection, key: str | None, digest: str, now: float,
         answer: type[Answer], run: Callable[[], Answer]) -> Answer:
    """`run()` (it returns a dataclass) the first time this key and these arguments come; a
    repeat gets that first answer back as an `answer`, whatever changed meanwhile."""
    known = recall(conn, key, digest, now)
    if known is not None:
        return answer(**json.loads(known))
    result: Any = run()
    # The answers are flat dataclasses of plain values (flows/port.py): their fields as they
    # are, what asdict gives, without its recursive deep copy (~10 us a call).
    remember(conn, key, digest, json.dumps(vars(result)), now)
    return result
