"""Salted one-way hashes for service passwords and SMS codes: the database never holds either.

Passwords use scrypt with n=2**12, r=8, p=1 (4 MiB, about 7 ms each): slow enough that a
stolen file is costly to crack, fast enough that seeding ~20 cards takes ~0.15 s. The
parameters are stored with each hash, so they can be raised later without breaking old rows.
SMS codes live five minutes, so a salted SHA-256 is enough for them: flows.passwords.seal,
the same digest the reset flow keeps of a new password between its two entries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**12, 8, 1


def _bytes(text: str) -> bytes:
    """UTF-8 that cannot fail, even on lone surrogates smuggled in through JSON."""
    return text.encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    """'scrypt$n$r$p$salt$hash' with a fresh 16-byte salt, so equal passwords differ."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_bytes(password), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Constant-time check of `password` against a stored hash; malformed hashes never match."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            _bytes(password), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def new_code() -> str:
    """Six random digits from the OS's secure generator."""
    return f"{secrets.randbelow(10**6):06d}"
