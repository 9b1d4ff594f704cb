"""Owed turns: a push answered `success` without its reply is run again if its holder dies.

Before a delivery is answered `success` without its reply (its deadline passed: the store's
`owe` takes `entry`; or a retry found its turn running: `owe` here), a `turn` entry holding
the push goes into the outbox beside the sends. The courier that claims it asks `check`:
settled (a reply recorded, or its send owed) -> drop the entry; still RUNNING/OWED (a live
holder's renewer keeps the record) -> look again later; gone (the holder died, its lease and
record lapsed) -> begin the delivery anew, owe it and run the turn on this process, so its
reply goes out as a send. The turn line, fencing and the flows' idempotency keys make a
redone step safe.

The push holds what the follower typed: it lives no longer than a session, is never logged,
and a settled entry keeps its key only.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from wechatpy.messages import BaseMessage

from bot.courier import DONE, EXPIRED, WAIT
from bot.protocol import to_message
from bot.store import MARKERS, TURN
from bot.store.base import DEDUP_TTL

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger(__name__)


class Rescue:
    """The engine's side of owed turns: writes the entries and judges them for the courier."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Older than a session it would only say "expired"; and a redo must come while the
        # delivery's record (DEDUP_TTL) still says whether it was settled.
        self.ttl = min(engine.session_ttl, DEDUP_TTL // 2)

    def entry(self, msg: BaseMessage, key: str) -> dict:
        """The owed turn's body: the push as parsed, so any instance can rebuild the message."""
        return {"user": msg.source, "key": key, "push": dict(msg._data),  # noqa: SLF001
                "at": self.engine.clock.now()}

    def owe(self, msg: BaseMessage, key: str) -> None:
        """Make sure someone runs this delivery's turn should its holder die; idempotent."""
        try:
            self.engine.store.outbox.put(TURN + key, self.entry(msg, key))
        except Exception:  # the store failed: the holder may still finish; say what is at risk
            log.exception("could not owe a turn; it is lost if its holder dies (kind %s)",
                          key.split(":")[0])

    def check(self, body: dict) -> str:
        """What the courier does with a turn entry: DONE, WAIT (look again) or EXPIRED."""
        if self.engine.clock.now() - float(body["at"]) > self.ttl:
            log.warning("an owed turn expired before anyone could run it (kind %s)",
                        str(body["key"]).split(":")[0])
            return EXPIRED
        store, user, key = self.engine.store, body["user"], body["key"]
        record = store.reply(user, key)
        if record is not None:
            return WAIT if record in MARKERS else DONE
        if store.begin(user, key) is not None:  # a retry of the push began it just now
            return WAIT
        if store.owe(user, key) is not None:
            return DONE
        log.warning("a turn outlived its holder; running it again here (kind %s)",
                    key.split(":")[0])
        if self.engine.queue(to_message(dict(body["push"])), key, owed=True) is None:
            log.warning("turn backlog full; the owed turn waits for its record to lapse")
        return WAIT  # dropped at a later look, once the turn's save settled the delivery
