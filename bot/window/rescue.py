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
from collections.abc import Callable

from wechatpy.messages import BaseMessage

from bot.clock import Clock
from bot.outbound.courier import DONE, EXPIRED, WAIT
from bot.protocol import to_message
from bot.store import MARKERS, TURN, Outbox, Store
from bot.store.base import DEDUP_TTL

log = logging.getLogger(__name__)
Redo = Callable[[BaseMessage, str, bool], object]  # queue a delivery's turn; None: backlog full


def entry(msg: BaseMessage, key: str, at: float) -> dict:
    """The owed turn's body: the push as parsed, so any instance can rebuild the message."""
    return {"user": msg.source, "key": key, "push": dict(msg._data), "at": at}  # noqa: SLF001


def owe(outbox: Outbox, msg: BaseMessage, key: str, at: float) -> None:
    """Make sure someone runs this delivery's turn should its holder die; idempotent."""
    try:
        outbox.put(TURN + key, entry(msg, key, at))
    except Exception:  # the store failed: the holder may still finish; say what is at risk
        log.exception("could not owe a turn; it is lost if its holder dies (kind %s)",
                      key.split(":")[0])


class Rescue:
    """Judges owed turns for the courier; `redo` (the engine's queue) runs one again here.

    Told what it needs, never the engine itself: the engine writes entries with `entry`/`owe`
    above and knows nothing of this class.
    """

    def __init__(self, store: Store, clock: Clock, session_ttl: int, redo: Redo) -> None:
        self.store, self.clock, self.redo = store, clock, redo
        # Older than a session it would only say "expired"; and a redo must come while the
        # delivery's record (DEDUP_TTL) still says whether it was settled.
        self.ttl = min(session_ttl, DEDUP_TTL // 2)

    def check(self, body: dict) -> str:
        """What the courier does with a turn entry: DONE, WAIT (look again) or EXPIRED."""
        if self.clock.now() - float(body["at"]) > self.ttl:
            log.warning("an owed turn expired before anyone could run it (kind %s)",
                        str(body["key"]).split(":")[0])
            return EXPIRED
        store, user, key = self.store, body["user"], body["key"]
        record = store.reply(user, key)
        if record is not None:
            return WAIT if record in MARKERS else DONE
        if store.begin(user, key) is not None:  # a retry of the push began it just now
            return WAIT
        if store.owe(user, key) is not None:
            return DONE
        log.warning("a turn outlived its holder; running it again here (kind %s)",
                    key.split(":")[0])
        if self.redo(to_message(dict(body["push"])), key, True) is None:
            log.warning("turn backlog full; the owed turn waits for its record to lapse")
        return WAIT  # dropped at a later look, once the turn's save settled the delivery
