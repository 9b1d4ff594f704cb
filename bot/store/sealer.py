"""The keys and the cipher that seal what followers typed (bot/store/sealed.py uses them).

Fernet (AES-128-CBC with HMAC-SHA256): a token cannot be read or changed without the key.
BOT_STORE_KEY may list several keys, comma-separated: the first seals, any of them opens
(rotation: put the new key first, drop the old once sessions and owed entries have lapsed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.sqlitedb import PRIVATE_FILE, private_dir

SEALED = "sealed"  # the field holding the token
TEXT = "sealed:"  # a sealed reply (a plain one is XML, so the two never meet)
CLEAR = ("at", "flow", "expired", "touser", "user", "key", "msgtype")  # read by stores, courier
KEY_FILE = "store.key"  # where `wxbot demo` keeps the key it made
__all__ = ["CLEAR", "KEY_FILE", "SEALED", "TEXT", "InvalidToken", "SealError", "Sealer",
           "demo_key"]


class SealError(ValueError):
    """BOT_STORE_KEY is not a Fernet key (or list of them)."""


class Sealer:
    """Seals dicts and texts with the configured keys; opens what any of them sealed."""

    def __init__(self, keys: str) -> None:
        try:
            fernets = [Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()]
        except ValueError:
            raise SealError("BOT_STORE_KEY must be Fernet keys (32 url-safe base64 bytes), "
                            "comma-separated; make one with `python -c \"from cryptography."
                            "fernet import Fernet; print(Fernet.generate_key().decode())\"`"
                            ) from None
        if not fernets:
            raise SealError("BOT_STORE_KEY is empty")
        self._fernet = MultiFernet(fernets)

    def seal(self, value: dict | None) -> dict | None:
        if value is None or SEALED in value:
            return value
        token = self._fernet.encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()
        return {**{k: value[k] for k in CLEAR if k in value}, SEALED: token}

    def open(self, value: Any) -> Any:
        if not isinstance(value, dict) or SEALED not in value:
            return value
        return json.loads(self._fernet.decrypt(str(value[SEALED]).encode()))

    def seal_text(self, text: str | None) -> str | None:
        if not text or text.startswith(("\x00", TEXT)):  # '' (success) and markers stay
            return text
        return TEXT + self._fernet.encrypt(text.encode()).decode()

    def open_text(self, text: str | None) -> str | None:
        if not text or not text.startswith(TEXT):
            return text
        try:
            return self._fernet.decrypt(text[len(TEXT):].encode()).decode()
        except InvalidToken:  # sealed under a key no longer configured: as if never said
            return None


def demo_key(data_dir: str | Path) -> str:
    """The key `wxbot demo` seals with: made once, kept 0600 in BOT_DATA_DIR, read after."""
    private_dir(data_dir)
    path = Path(data_dir) / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(Fernet.generate_key().decode() + "\n")
    return path.read_text("ascii").strip()
