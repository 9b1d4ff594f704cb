"""What a follower typed, sealed before it reaches a store's files (SQLite and its WAL, Redis).

A session's slots hold ID numbers, names and card numbers while a flow runs; an owed turn keeps
the raw push (whatever was typed, a new password included); replies and owed sends are the
bot's words. Deleting rows is not enough: SQLite's WAL keeps old frames after `secure_delete`,
and Redis may write its memory to disk. So, with BOT_STORE_KEY set, every such value is
encrypted (Fernet: AES-128-CBC + HMAC-SHA256) on its way in and opened on its way out, above
the store, so the memory, SQLite and Redis stores keep one meaning and need no change.

Kept in clear beside the sealed value: only what the stores and the courier read themselves
(when and which service a session was in, the openid and delivery key an entry belongs to).
BOT_STORE_KEY may list several keys, comma-separated: the first seals, any of them opens
(rotation: put the new key first, drop the old once sessions and owed entries have lapsed).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.sqlitedb import PRIVATE_FILE, private_dir
from bot.store.base import Entry, Outbox, Store

SEALED = "sealed"  # the field holding the token
TEXT = "sealed:"  # a sealed reply (a plain one is XML, so the two never meet)
CLEAR = ("at", "flow", "expired", "touser", "user", "key", "msgtype")  # read by stores, courier
KEY_FILE = "store.key"  # where `wxbot demo` keeps the key it made


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


class SealedOutbox:
    """The outbox with sealed bodies; everything else is the store's own outbox."""

    def __init__(self, inner: Outbox, sealer: Sealer) -> None:
        self.inner, self.sealer = inner, sealer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def put(self, key: str, body: dict) -> bool:
        return self.inner.put(key, self.sealer.seal(body))  # type: ignore[arg-type]

    def claim(self, consumer: str, limit: int, lease: float) -> list[Entry]:
        opened = []
        for entry in self.inner.claim(consumer, limit, lease):
            try:
                entry.body = self.sealer.open(entry.body)
            except InvalidToken:  # sealed under a key no longer configured: cannot be sent
                self.inner.fail(entry, "sealed under a key no longer in BOT_STORE_KEY")
                continue
            opened.append(entry)
        return opened

    def _back(self, entry: Entry) -> Entry:
        """What goes back to the store: sealed again (a retry may write the body anew)."""
        return dataclasses.replace(entry, body=self.sealer.seal(entry.body))

    def ack(self, entry: Entry) -> None:
        self.inner.ack(self._back(entry))

    def retry(self, entry: Entry, delay: float) -> None:
        self.inner.retry(self._back(entry), delay)

    def fail(self, entry: Entry, reason: str) -> None:
        self.inner.fail(self._back(entry), reason)


class SealedStore:
    """A store whose sessions, owed turns, replies and outbox bodies are sealed at rest."""

    def __init__(self, inner: Store, sealer: Sealer) -> None:
        self.inner, self.sealer = inner, sealer
        self.outbox = SealedOutbox(inner.outbox, sealer)

    def __getattr__(self, name: str) -> Any:  # turns, leases, prune, close: nothing typed
        return getattr(self.inner, name)

    def begin(self, user: str, key: str, claim: Any = None) -> str | None:
        return self.sealer.open_text(self.inner.begin(user, key, claim))

    def owe(self, user: str, key: str, turn: dict | None = None) -> str | None:
        return self.sealer.open_text(self.inner.owe(user, key, self.sealer.seal(turn)))

    def reply(self, user: str, key: str) -> str | None:
        return self.sealer.open_text(self.inner.reply(user, key))

    def session(self, user: str) -> dict | None:
        try:
            return self.sealer.open(self.inner.session(user))
        except InvalidToken:  # sealed under a key no longer configured: start over
            return None

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int,
             lease: Any = None, owed: dict | None = None, remember: bool = True) -> None:
        self.inner.save(user, self.sealer.seal(session), key,
                        self.sealer.seal_text(reply) or "", ttl, lease,
                        owed=self.sealer.seal(owed), remember=remember)


def sealed(store: Store, keys: str | None) -> Store:
    """`store` sealed with BOT_STORE_KEY; unchanged without a key."""
    return SealedStore(store, Sealer(keys)) if keys else store  # type: ignore[return-value]


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
