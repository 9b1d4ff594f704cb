"""The contenders of the in-process benchmark, each a WSGI app walking the same bind dialog.

A contender knows how to get ready for a round (fresh backend), where its SMS codes land, and
how to check afterwards that every user really got through (so a fast wrong answer never wins).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from floor import create_floor_app
from peer import Peer
from workload import AES_KEY, APP_ID, TOKEN, Person, Signer, WsgiApp, bot_config

from bot import create_app
from bot.app import bot_of


class Contender:
    """One WSGI app under test; subclasses add codes and checks."""

    name: str
    app: WsgiApp
    signer: Signer

    def begin_round(self) -> None:
        """Called outside the timed region before each round."""

    def code(self, user: str, person: Person) -> str:
        """The SMS code `user` types at the last step."""
        return "000000"

    def check_reply(self, status: int, body: bytes) -> str | None:
        """Why this reply is wrong, or None."""
        if status != 200 or not body.startswith(b"<xml>"):
            return f"HTTP {status}: {body[:120]!r}"
        return None

    def check_round(self, users: list[tuple[str, Person]]) -> str | None:
        """Why the round did not end with everyone through, or None."""
        return None

    def close(self) -> None:
        """Release files and connections."""


class BotContender(Contender):
    """The full bot (webhook, engine, flows, SQLite store, mock backend) in one mode."""

    def __init__(self, workdir: Path, seed: Path, *, safe: bool, memory_store: bool = False
                 ) -> None:
        self.name = ("bot-safe" if safe else "bot") + ("-memstore" if memory_store else "")
        config = bot_config(workdir / self.name, seed, safe=safe)
        if memory_store:  # a diagnostic: what the durable store costs per message
            config["BOT_STORE"] = "memory://"
        self.flask = create_app(config)
        self.bot = bot_of(self.flask)
        self.app = self.flask
        self.signer = Signer("safe" if safe else "plaintext")
        self.safe = safe

    def begin_round(self) -> None:
        self.bot.backend.reset()  # every card unbound, outbox empty (the seed is cached)

    def code(self, user: str, person: Person) -> str:
        return self.bot.backend.sms_outbox(person.phone)[-1]["code"]

    def check_reply(self, status: int, body: bytes) -> str | None:
        wanted = b"<Encrypt>" if self.safe else b"<Content>"
        if status != 200 or wanted not in body:
            return f"HTTP {status}: {body[:120]!r}"
        return None

    def check_round(self, users: list[tuple[str, Person]]) -> str | None:
        for user, person in users:
            card = self.bot.backend.binding(user)
            if card is None or card.card_number != person.card:
                return f"{user} did not bind {person.card} (got {card})"
        return None

    def close(self) -> None:
        self.bot.close()


class FloorContender(Contender):
    """bench/floor.py: signature + parse + echo, plaintext or safe."""

    def __init__(self, *, safe: bool) -> None:
        self.name = "floor-safe" if safe else "floor"
        keys = (AES_KEY, APP_ID) if safe else (None, None)
        self.app = create_floor_app(TOKEN, *keys)
        self.signer = Signer("safe" if safe else "plaintext")


class PeerContender(Contender):
    """bench/peer.py: WeRoBot with SQLiteStorage sessions, plaintext."""

    def __init__(self, workdir: Path) -> None:
        self.name = "werobot"
        workdir.mkdir(parents=True, exist_ok=True)
        self.peer = Peer(TOKEN, workdir / "werobot.sqlite3")
        self.app = self.peer.wsgi
        self.signer = Signer("plaintext")

    def code(self, user: str, person: Person) -> str:
        return self.peer.outbox[user]

    def check_reply(self, status: int, body: bytes) -> str | None:
        if status != 200 or b"<Content>" not in body:
            return f"HTTP {status}: {body[:120]!r}"
        return None

    def check_round(self, users: list[tuple[str, Person]]) -> str | None:
        # The dialog clears the session only after the right code: an empty session is success.
        for user, _ in users:
            session: Any = self.peer.storage.get(user.encode())
            if session:
                return f"{user} did not finish the werobot dialog (session {session})"
        return None

    def close(self) -> None:
        self.peer.close()
