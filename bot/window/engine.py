"""One inbound message -> one reply: delivery record, the user's turn, session, routing.

The only module that joins the protocol (wechatpy messages, reply XML) to the flows.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout

from wechatpy.messages import BaseMessage

from bot import metrics, turnid
from bot.clock import Clock
from bot.dialogue.conversation import Conversation
from bot.outbound.deferred import REPLY, Deferred, Notice
from bot.protocol import event_of, keys, kind_of, release_body
from bot.protocol.replies import Text, Transfer, render
from bot.store import MARKERS, Claim, ClaimConflict, Lease, LeaseLost, Store
from bot.store.base import Begun
from bot.window import inline, rescue
from bot.window.inline import Guarded, Handoff
from bot.window.workers import Flight, Window
from flows.base import Turn
from flows.catalog import Catalog
from flows.port import Backend, BackendError
from flows.regions import Region
from flows.regions import region as region_of

log = logging.getLogger(__name__)
DEADLINE = 4.0  # BOT_REPLY_DEADLINE's default: the platform stops waiting at 5 s


def delivery_key(msg: BaseMessage) -> str:
    """Retries share this key; MsgId alone has collided across users, so the user is in it."""
    event = event_of(msg) if kind_of(msg) == "event" else None
    data = msg._data  # noqa: SLF001 - not every event class has .key; CreateTime as pushed
    return keys.delivery_key(msg.source, msg.id, data.get("CreateTime"), event,
                             data.get("EventKey"))


_SCALARS = frozenset({str, int, float, bool, type(None)})


def copied(value: object) -> object:
    """A deep copy, ~2x faster than copy.deepcopy on a session (JSON-shaped: dicts, lists,
    scalars), which pays for its generality on every inline turn; anything else (a tuple,
    an object) goes to copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: copied(item) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind is list:
        return [copied(item) for item in value]  # type: ignore[attr-defined]
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)


class Engine:
    """Holds the long-lived parts; `handle` is the whole per-message path."""

    def __init__(self, store: Store, conversation: Conversation, *,
                 backend: Backend, clock: Clock, window: Window, session_ttl: int = 900,
                 deadline: float = DEADLINE, deferred: Deferred | None = None,
                 wake: Callable[[], None] = lambda: None, region: Region | None = None) -> None:
        """`conversation` decides who answers; `window` runs the turns (the engine closes it);
        `deferred` holds outcomes said first at a follower's next turn; `wake` rings the
        courier when a reply was owed; `region` is BOT_REGION's card rules, said by flows."""
        self.store, self.backend, self.clock = store, backend, clock
        self.conversation, self.region = conversation, region or region_of(None)
        self.flows = conversation.flows
        self.session_ttl, self.deadline, self.wake = session_ttl, deadline, wake
        self.observers: list[Callable[[str, str, str], None]] = []  # transition coverage
        self.window, self.deferred = window, deferred
        # A fast turn runs on the request's thread when the backend vouches for its calls.
        self.inline = inline.may_run_inline(backend)

    @property
    def catalog(self) -> Catalog:
        """The conversation's: one place says which language the bot speaks."""
        return self.conversation.catalog

    def handle(self, msg: BaseMessage, claim: Claim | None = None,
               arrived: float | None = None) -> str:
        """The reply XML for `msg` ('' for `success`), never later than the deadline.

        A turn not done in time carries on and its reply goes out through the outbox; a retry
        gets the first reply again, or `success` while the turn runs or after it was owed.
        `claim` (a signed query and its body digest) is checked in the delivery's first
        write; ClaimConflict when that query came before with another body. `arrived`
        (time.monotonic()) is when the push reached the process: the deadline counts from it.
        """
        until = (time.monotonic() if arrived is None else arrived) + self.deadline
        key, user = delivery_key(msg), msg.source
        turnid.enter(key)  # every line logged for this delivery from here on carries its id
        saturated = self.window.saturated()
        try:  # claim, record, the turn line and the turn's reads: one round trip
            with metrics.store_trip("begin"):
                begun = self.store.begin_turn(user, key, claim, self._reads(msg),
                                              join=not saturated)
        except ClaimConflict:
            raise
        except Exception:  # the store is down: the passive reply is all we have
            log.exception("store unavailable; the follower was told to try again")
            metrics.reply("busy")
            return self._busy(msg)
        known = begun.record
        if known is not None:
            metrics.reply("repeat")
            if known in MARKERS:  # its holder may have died with the turn: someone redoes it
                rescue.owe(self.store.outbox, msg, key, self.clock.now())
                return ""
            return known
        if begun.served and self.inline:  # no hand-off unless a call could block
            answer = self._inline(msg, key, begun)
            if answer is not None:
                metrics.reply("in_time")
                return answer
        # A saturated window joins no line yet: a ticket queued behind busy workers could be
        # passed over before its turn runs; the worker joins when it starts.
        flight = self.queue(msg, key, begun=begun if begun.ticket else None)
        if flight is None:
            log.warning("turn backlog full; the follower was told to try again")
            self._forget(user, key, begun)
            metrics.reply("busy")
            return self._busy(msg)
        if not saturated:
            try:
                answer = flight.future.result(timeout=max(0.0, until - time.monotonic()))
            except FutureTimeout:
                metrics.deadline_missed()
            else:
                metrics.reply("in_time")
                return answer
        metrics.reply("owed")
        flight.owed = True  # before the mark, so the turn's end never misses it
        try:
            # From now on the reply goes through the outbox; the turn is owed with it.
            with metrics.store_trip("owe"):
                late = self.store.owe(user, key, rescue.entry(msg, key, self.clock.now()))
        except Exception:
            log.exception("could not mark a reply owed")
            return ""
        return late or ""

    def queue(self, msg: BaseMessage, key: str, owed: bool = False,
              begun: Begun | None = None) -> Flight | None:
        """Queue the delivery's turn on a worker (its record is already RUNNING or OWED).

        `begun`: the push's first round trip, which joined the line (and, served at once,
        read what the turn needs); without it the worker joins the line itself.
        """
        lease = begun.lease if begun is not None and begun.served else None
        return self.window.submit(lambda f: self._turn(msg, key, f, begun), msg.source, key,
                                  owed, lease=lease)

    def _reads(self, msg: BaseMessage) -> tuple[str, ...]:
        """The shared records a turn reads with its session: deferred notices, hand-over,
        the locks the follower met (said before a service's first question)."""
        reads = self.deferred.reads(msg) if self.deferred else ()
        handover, pauses = self.conversation.person.handover, self.conversation.pauses
        if pauses is not None:
            reads = (*reads, pauses.key(msg.source))
        return reads if handover is None else (*reads, handover.key(msg.source))

    def close(self) -> None:
        """Stop the turn workers (waiting for the running ones) and the renewer."""
        self.window.close()

    def _inline(self, msg: BaseMessage, key: str, begun: Begun) -> str | None:
        """The turn on the request's thread (bot/window/inline.py); None when it met a call
        that may block before saving anything: the same turn then goes to a worker."""
        session = copied(begun.session)  # the flow changes it; a worker starts afresh
        try:
            return self._handle_in_turn(msg, key, begun.lease, session, begun.kv,
                                        Guarded(self.backend))
        except Handoff:
            return None
        except Exception as exc:  # as on a worker: nothing kept, the follower told busy
            answer = self._failed(msg, key, exc)
            self.store.leave(begun.lease)
            return answer

    def _turn(self, msg: BaseMessage, key: str, flight: Flight, begun: Begun | None) -> str:
        """One turn on a worker: wait in line, work, save; the reply, or '' when dropped."""
        user = msg.source
        turnid.enter(key)  # a turn run again by the rescue has no request behind it
        try:
            held = self.store.lock(user) if begun is None else self.store.hold(begun)
            with held as lease:
                flight.lease = lease
                if begun is not None and begun.served:
                    session, found = begun.session, begun.kv
                else:  # waited in line (or joined it here): read under the turn now held
                    with metrics.store_trip("look"):
                        session, found = self.store.look(user, self._reads(msg))
                return self._handle_in_turn(msg, key, lease, session, found)
        except Exception as exc:  # LockTimeout, the store or the flow failing: keep nothing
            return self._failed(msg, key, exc)
        finally:
            # Only an owed reply is in the outbox; waking for every turn cost a claim each.
            if flight.owed:
                self.wake()

    def _failed(self, msg: BaseMessage, key: str, exc: Exception) -> str:
        """A turn that failed: dropped if its lease was lost, else the follower told busy."""
        if isinstance(exc, LeaseLost):
            log.warning("a stalled turn lost its lease; its work was dropped (key %s)",
                        key.split(":")[0])
            metrics.turn("unknown", "lease_lost")
            return ""
        log.error("turn failed; the follower was told to try again", exc_info=exc)
        metrics.turn("unknown", "failed")
        busy = self.catalog.text("busy")
        try:
            self.store.save(msg.source, None, key, "", self.session_ttl,
                            owed=self._body(msg.source, busy), remember=False)
        except Exception:
            log.exception("could not record the failed turn")
        return self._busy(msg)

    def _handle_in_turn(self, msg: BaseMessage, key: str, lease: Lease, session: dict | None,
                        found: dict[str, str | None], backend: Backend | None = None) -> str:
        user, now = msg.source, self.clock.now()
        turn = Turn(user, self.catalog, backend or self.backend, self.clock, region=self.region,
                    known=found)
        notices = self.deferred.due_in(msg, found) if self.deferred else []  # said first
        turn.out.extend(self._kept(notice) for notice in notices)
        if session and (session.get("expired") or now - session.get("at", now) > self.session_ttl):
            lapsed = session.get("flow")  # a pending choice alone lapses without a word
            if lapsed:  # named, and handed on: a step's answer typed now is offered a restart
                flow = self.conversation.flows.get(lapsed)
                turn.say("expired", minutes=self.session_ttl // 60,
                         title=self.catalog.text(flow.title) if flow else lapsed)
            session = {"lapsed": lapsed} if lapsed else None
        before = (session or {}).get("flow")
        try:
            session = self.conversation.route(msg, turn, session)
        except Exception as exc:  # e.g. the backend is down: say so, keep the step, redo it
            log.exception("handling failed; the follower was told to try again")
            metrics.turn(before, "failed")
            slow = isinstance(exc, BackendError) and exc.code == "timeout"
            busy = self.catalog.text("backend_slow" if slow else "busy")
            self.store.save(user, None, key, "", self.session_ttl, lease,
                            owed=self._body(user, busy), remember=False)
            return render(Text(busy), msg, now)
        if session is not None:
            session["at"] = now
        text, sends = "\n\n".join(turn.out), ()
        if turn.transfer is None and not turn.via_api:
            reply, owed = (render(Text(text), msg, now), self._body(user, text)) if text else \
                ("", None)
        else:  # the transfer reply carries no text, an event's answer is not shown: the API
            if text:  # in the save: a turn done again puts the same key, sent once
                sends = ((f"say:{key}", self._body(user, text)),)
            reply = "" if turn.transfer is None else render(Transfer(turn.transfer or None),
                                                             msg, now)
            owed = None
        if turn.release is not None:  # an agent took one who had left the queue: let them go
            sends += ((f"release:{key}", release_body(user, *turn.release)),)
        said = self.deferred.marks(user, notices) if notices else None  # type: ignore[union-attr]
        with metrics.store_trip("save"):
            self.store.save(user, session, key, reply, self.session_ttl, lease, owed=owed,
                            sends=sends, said=said)
        if sends:
            self.wake()
        # The flow the turn worked in: its last transition's, or the one still running.
        metrics.turn(turn.trace[-1][0] if turn.trace else (session or {}).get("flow") or before,
                     "done")
        if turn.understood is not None:
            metrics.understood(getattr(turn.understood, "act", None))
        for flow, source, dest in turn.trace:
            for observe in self.observers:
                observe(flow, source, dest)
        return reply

    def _kept(self, notice: Notice) -> str:
        """What a deferred notice says: a review's outcome, or a reply that failed before."""
        if notice[1] == REPLY:
            return self.catalog.text("kept_reply", text=notice[2])
        return self.catalog.text(f"notice.{notice[1]}", ref=notice[0])

    def _busy(self, msg: BaseMessage) -> str:
        return render(Text(self.catalog.text("busy")), msg, self.clock.now())

    def _forget(self, user: str, key: str, begun: Begun) -> None:
        try:
            self.store.save(user, None, key, "", self.session_ttl, remember=False)
            if begun.ticket:  # its place in line goes back: the follower's next turn goes on
                self.store.leave(begun.lease)
        except Exception:
            log.exception("could not forget a delivery")

    @staticmethod
    def _body(user: str, text: str) -> dict:
        """The customer-service message that carries an owed reply."""
        return {"touser": user, "msgtype": "text", "text": {"content": text}}
