"""Service-password rules, and sealing a new password while the user types it a second time.

Pure functions: the reset flow asks `weakness` for the reason a password is refused (a catalog
key) and keeps only a salted digest between "new password" and "the same again", so the
session store never holds the password itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date

_SIX_DIGITS = re.compile(r"[0-9]{6}")


def is_run(password: str) -> bool:
    """Each digit one more (or one less) than the last, wrapping 9-0: 123456, 654321, 890123."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(password, password[1:], strict=False)}
    return steps in ({1}, {9})


def birthday_forms(born: date) -> set[str]:
    """Six-digit strings a guesser would try from a birth date."""
    full = f"{born:%Y%m%d}"
    runs = {full[i : i + 6] for i in range(len(full) - 5)}  # YYYYMM, YYYMMD, YYMMDD
    return runs | {f"{born:%y%m%d}", f"{born:%m%d%y}", f"{born:%d%m%y}"}


def weakness(password: str, born: date) -> str | None:
    """Why `password` may not be a service password (catalog key), or None when it may."""
    if not _SIX_DIGITS.fullmatch(password):
        return "reset.pw_format"
    if len(set(password)) == 1:
        return "reset.pw_repeated"
    if is_run(password):
        return "reset.pw_sequence"
    if password in birthday_forms(born):
        return "reset.pw_birthday"
    return None


def seal(secret: str) -> str:
    """'salt$sha256' of a secret that lives minutes: a new password until it is typed again,
    an SMS code in the mock backend (bot.backend.codes). No plaintext waits in storage."""
    salt = secrets.token_hex(8)
    return f"{salt}${_digest(salt, secret)}"


def matches(secret: str, sealed: str) -> bool:
    """Constant-time check of a typed secret against `seal`'s output."""
    salt, _, digest = sealed.partition("$")
    return hmac.compare_digest(_digest(salt, secret), digest)


def _digest(salt: str, secret: str) -> str:
    # surrogatepass: UTF-8 that cannot fail, even on lone surrogates smuggled in through JSON
    return hashlib.sha256(f"{salt}:{secret}".encode("utf-8", "surrogatepass")).hexdigest()
