"""Review outcomes the platform would not deliver yet, kept until the follower's next message.

Outside the 48-hour window (45015) a customer-service message cannot reach a follower; the
follower's next message opens it again, so the outcome is said at the top of that turn. The
list of a follower lives under one key of the store's KV (shared by every worker); changes
take a short KV mutex, so a notice deferred while the turn says the others is never lost.
A turn reads the list with its session (the store's `begin_turn`) and marks what it said in
its save (a said-list beside it, written in the same atomic step as the reply): a notice is
said exactly once, however the turn and a courier's change interleave. Changes drop what the
said-list names.
Only the review reference and its outcome are kept: nothing personal. A conversation reply
the platform refused for good (45015, 45047, a token refused again, retries spent) is kept
the same way, as its text (replies show personal data only masked), so the follower learns
what the bot asked before reading the answer to their next message.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable

from wechatpy.messages import BaseMessage

from bot.protocol import event_of, kind_of
from bot.store.base import Said
from bot.store.kv import KV, own_key

log = logging.getLogger(__name__)
KEEP = 90 * 86_400  # seconds a deferred outcome waits for its follower: a review's lifetime
MUTEX_TTL = 5.0  # seconds a dead holder's mutex outlives it; holders take milliseconds
MUTEX_WAIT = 0.5  # longest wait for the mutex: this runs on the per-message path
POLL = 0.02  # seconds between tries of the mutex
# The follower's own actions: what the platform shows a passive reply to and what reopens
# the window (a template's delivery report or a VIEW is not the follower talking).
ACTIONS = {"subscribe", "subscribe_scan", "click", "scan", "scancode_waitmsg"}

REPLY = "reply"  # the outcome of a kept conversation reply: (ref, REPLY, its text, kept at)
Notice = tuple[str, ...]  # (review ref, "approved" | "rejected") or (ref, REPLY, text, at)


class Deferred:
    """Per follower, the outcomes to say first at their next message, each once."""

    def __init__(self, kv: KV, reply_ttl: float = 900.0) -> None:
        """`reply_ttl`: how long a kept reply stays worth saying (BOT_SESSION_TTL: after it,
        the conversation it belonged to is over)."""
        self.kv, self.reply_ttl = kv, reply_ttl

    @staticmethod
    def key(openid: str) -> str:
        return own_key("notice:deferred", openid)

    @staticmethod
    def said_key(openid: str) -> str:
        return own_key("notice:said", openid)

    @staticmethod
    def _mark(notice: Notice) -> str:
        return f"{notice[0]}:{notice[1]}"

    def reads(self, msg: BaseMessage) -> tuple[str, ...]:
        """The KV keys a turn reads for `due_in`: none unless the follower themselves acted."""
        if kind_of(msg) == "event" and event_of(msg) not in ACTIONS:
            return ()
        return self.reads_for(msg.source)

    def reads_for(self, openid: str) -> tuple[str, ...]:
        """The list and the said-list of `openid`: what `due_in` is given."""
        return self.key(openid), self.said_key(openid)

    def due_in(self, msg: BaseMessage, found: dict[str, str | None]) -> list[Notice]:
        """What to say first in this turn, from the values of `reads` read with the session."""
        keys = self.reads(msg)
        if not keys:
            return []
        try:
            return self._unsaid(found.get(keys[0]), found.get(keys[1]))
        except ValueError:  # a list not ours to read: the turn goes on, the notices wait
            log.warning("could not read deferred notices", exc_info=True)
            return []

    def marks(self, openid: str, notices: list[Notice]) -> Said:
        """What the turn's save adds to the said-list: these notices are said, for good."""
        return self.said_key(openid), [self._mark(n) for n in notices], KEEP

    def add(self, openid: str, ref: str, outcome: str) -> bool:
        """Keep one outcome for `openid`; False when the mutex could not be had (logged)."""
        return self._change(openid, lambda held: [*(n for n in held if n[0] != ref),
                                                  (ref, outcome)])

    def keep(self, body: dict, why: str) -> None:
        """The courier's `keep`: a failed customer-service text, said first next turn."""
        openid, text = body.get("touser"), (body.get("text") or {}).get("content")
        if body.get("msgtype") != "text" or not openid or not text or "wxbot_notice" in body:
            return  # a notice defers itself (notices.py); other kinds are not conversation
        kept = (f"reply:{uuid.uuid4().hex[:12]}", REPLY, text, f"{time.time():.3f}")
        if not self._change(openid, lambda held: [*held, kept]):
            log.warning("a failed reply (%s) could not be kept for the next turn", why)

    def due(self, msg: BaseMessage) -> list[Notice]:
        """What to say first in this turn: only when the follower themselves wrote or acted."""
        if kind_of(msg) == "event" and event_of(msg) not in ACTIONS:
            return []
        try:
            return [n for n in self._read(msg.source) if not self._stale(n)]
        except Exception:  # the KV is down: the turn goes on, the outcomes wait another turn
            log.warning("could not read deferred notices", exc_info=True)
            return []

    def said(self, openid: str, notices: list[Notice]) -> None:
        """Forget what the turn just said (after its save), so it is said exactly once."""
        refs = {notice[0] for notice in notices}
        try:
            forgotten = self._change(openid, lambda held: [
                n for n in held if n[0] not in refs and not self._stale(n)])
        except Exception:  # the turn is saved: its reply must not turn into "busy"
            log.warning("deferred notices said but not forgotten", exc_info=True)
            return
        if not forgotten:
            log.warning("deferred notices said but not yet forgotten (mutex busy)")

    def _stale(self, notice: Notice) -> bool:
        return notice[1] == REPLY and time.time() - float(notice[3]) > self.reply_ttl

    def _read(self, openid: str) -> list[Notice]:
        return self._unsaid(self.kv.get(self.key(openid)), self.kv.get(self.said_key(openid)))

    def _unsaid(self, raw: str | None, said: str | None) -> list[Notice]:
        """The list `raw` without what the said-list names, nor kept replies gone stale."""
        done = set(json.loads(said)) if said else set()
        held = [tuple(str(part) for part in n) for n in json.loads(raw)] if raw else []
        return [n for n in held if self._mark(n) not in done and not self._stale(n)]

    def _change(self, openid: str, edit: Callable[[list[Notice]], list[Notice]]) -> bool:
        mutex, owner = f"notice:mutex:{openid}", uuid.uuid4().hex
        until = time.monotonic() + MUTEX_WAIT
        while not self.kv.add(mutex, owner, MUTEX_TTL):
            if time.monotonic() >= until:
                return False
            time.sleep(POLL)
        try:
            kept = edit(self._read(openid))
            if kept:
                self.kv.set(self.key(openid), json.dumps(kept), KEEP)
            else:
                self.kv.delete(self.key(openid))
        finally:
            self.kv.delete(mutex, owner)
        return True
