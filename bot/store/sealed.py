"""What a follower typed, sealed before it reaches a store's files (SQLite and its WAL, Redis).

A session's slots hold ID numbers, names and card numbers while a flow runs; an owed turn keeps
the raw push (whatever was typed, a new password included); replies and owed sends are the
bot's words. Deleting rows is not enough: SQLite's WAL keeps old frames after `secure_delete`,
and Redis may write its memory to disk. So, with BOT_STORE_KEY set, every such value is
encrypted on its way in and opened on its way out (bot/store/sealer.py), above the store, so
the memory, SQLite and Redis stores keep one meaning and need no change. Kept in clear beside
a sealed value: only what the stores and the courier read themselves (when and which service
a session was in, the openid and delivery key an entry belongs to).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.store.base import Begun, Entry, Outbox, Store
from bot.store.sealer import InvalidToken, Sealer


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

    def retry(self, entry: Entry, delay: float, unsure: bool = False) -> None:
        self.inner.retry(self._back(entry), delay, unsure=unsure)

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

    def begin_turn(self, user: str, key: str, claim: Any = None,
                   reads: tuple[str, ...] = (), join: bool = True) -> Begun:
        begun = self.inner.begin_turn(user, key, claim, reads, join)
        begun.record = self.sealer.open_text(begun.record)
        begun.session = self._open(begun.session)
        return begun

    def look(self, user: str, reads: tuple[str, ...]) -> tuple[dict | None, dict]:
        session, found = self.inner.look(user, reads)
        return self._open(session), found

    def _open(self, session: dict | None) -> dict | None:
        try:
            return self.sealer.open(session)
        except InvalidToken:  # sealed under a key no longer configured: start over
            return None

    def owe(self, user: str, key: str, turn: dict | None = None) -> str | None:
        return self.sealer.open_text(self.inner.owe(user, key, self.sealer.seal(turn)))

    def reply(self, user: str, key: str) -> str | None:
        return self.sealer.open_text(self.inner.reply(user, key))

    def session(self, user: str) -> dict | None:
        return self._open(self.inner.session(user))

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int,
             lease: Any = None, owed: dict | None = None, remember: bool = True,
             sends: tuple[tuple[str, dict], ...] = (), said: Any = None) -> None:
        self.inner.save(user, self.sealer.seal(session), key,
                        self.sealer.seal_text(reply) or "", ttl, lease,
                        owed=self.sealer.seal(owed), remember=remember,
                        sends=tuple((k, self.sealer.seal(body)) for k, body in sends),
                        said=said)


def sealed(store: Store, sealer: Sealer | None) -> Store:
    """`store` sealed with BOT_STORE_KEY's sealer; unchanged without one."""
    return SealedStore(store, sealer) if sealer else store  # type: ignore[return-value]
