"""One inbound message -> one reply: delivery record, the user's turn, session, routing.

The only module that joins the protocol (wechatpy messages, reply XML) to the flows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout

from wechatpy.messages import BaseMessage

from bot import keys
from bot.clock import Clock
from bot.courier import Courier
from bot.deferred import Deferred
from bot.protocol import event_of, kind_of
from bot.replies import Text, render
from bot.rescue import Rescue
from bot.store import MARKERS, Claim, ClaimConflict, Lease, LeaseLost, Store
from bot.window import Flight, Window
from flows.base import Flow, Turn
from flows.catalog import Catalog
from flows.port import Backend
from flows.regions import region

log = logging.getLogger(__name__)
SILENT_EVENTS = {"view", "location", "templatesendjobfinish", "masssendjobfinish",
                 "view_miniprogram", "scancode_push", "pic_sysphoto", "pic_photo_or_album",
                 "pic_weixin", "location_select"}
MEDIA = {"image", "voice", "video", "shortvideo", "location", "link", "file"}
DEADLINE = 4.0  # BOT_REPLY_DEADLINE's default: the platform stops waiting at 5 s


def delivery_key(msg: BaseMessage) -> str:
    """Retries share this key; MsgId alone has collided across users, so the user is in it."""
    event = event_of(msg) if kind_of(msg) == "event" else None
    data = msg._data  # noqa: SLF001 - not every event class has .key; CreateTime as pushed
    return keys.delivery_key(msg.source, msg.id, data.get("CreateTime"), event,
                             data.get("EventKey"))


class Engine:
    """Holds the long-lived parts; `handle` is the whole per-message path."""

    def __init__(self, store: Store, catalog: Catalog, flows: Iterable[type[Flow]], *,
                 backend: Backend, clock: Clock, session_ttl: int = 900,
                 deadline: float = DEADLINE, courier: Courier | None = None,
                 region_key: str | None = None) -> None:
        self.store, self.catalog, self.backend, self.clock = store, catalog, backend, clock
        self.session_ttl, self.deadline, self.courier = session_ttl, deadline, courier
        self.flows = {f.name: f for f in flows}
        self.region = region(region_key)  # BOT_REGION: the card rules loss replies state
        self.starters = {f.keywords: f for f in self.flows.values()}
        self.starters.update({f.menu_key: f for f in self.flows.values() if f.menu_key})
        self.observers: list[Callable[[str, str, str], None]] = []  # transition coverage
        self.window = Window(store)
        self.deferred: Deferred | None = None  # outcomes said first at the next turn (app.py)
        self.rescue = Rescue(self)
        if courier is not None:
            courier.serve_turns(self.rescue.check)

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
        try:
            known = self.store.begin(user, key, claim)
        except ClaimConflict:
            raise
        except Exception:  # the store is down: the passive reply is all we have
            log.exception("store unavailable; the follower was told to try again")
            return self._busy(msg)
        if known is not None:
            if known in MARKERS:  # its holder may have died with the turn: someone redoes it
                self.rescue.owe(msg, key)
                return ""
            return known
        saturated = self.window.saturated()
        flight = self.queue(msg, key)
        if flight is None:
            log.warning("turn backlog full; the follower was told to try again")
            self._forget(user, key)
            return self._busy(msg)
        if not saturated:
            try:
                return flight.future.result(timeout=max(0.0, until - time.monotonic()))
            except FutureTimeout:
                pass
        flight.owed = True  # before the mark, so the turn's end never misses it
        try:
            # From now on the reply goes through the outbox; the turn is owed with it.
            late = self.store.owe(user, key, self.rescue.entry(msg, key))
        except Exception:
            log.exception("could not mark a reply owed")
            return ""
        return late or ""

    def queue(self, msg: BaseMessage, key: str, owed: bool = False) -> Flight | None:
        """Queue the delivery's turn on a worker (its record is already RUNNING or OWED)."""
        return self.window.submit(lambda f: self._turn(msg, key, f), msg.source, key, owed)

    def close(self) -> None:
        """Stop the turn workers (waiting for the running ones) and the renewer."""
        self.window.close()

    def _turn(self, msg: BaseMessage, key: str, flight: Flight) -> str:
        """One turn on a worker: wait in line, work, save; the reply, or '' when dropped."""
        user = msg.source
        try:
            with self.store.lock(user) as lease:
                flight.lease = lease
                return self._handle_in_turn(msg, key, lease)
        except LeaseLost:
            log.warning("a stalled turn lost its lease; its work was dropped (key %s)",
                        key.split(":")[0])
            return ""
        except Exception:  # LockTimeout, the store or the flow failing: say busy, keep nothing
            log.exception("turn failed; the follower was told to try again")
            busy = self.catalog.text("busy")
            try:
                self.store.save(user, None, key, "", self.session_ttl,
                                owed=self._body(user, busy), remember=False)
            except Exception:
                log.exception("could not record the failed turn")
            return self._busy(msg)
        finally:
            # Only an owed reply is in the outbox; waking for every turn cost a claim each.
            if self.courier is not None and flight.owed:
                self.courier.wake()

    def _handle_in_turn(self, msg: BaseMessage, key: str, lease: Lease) -> str:
        user, now = msg.source, self.clock.now()
        session = self.store.session(user)
        turn = Turn(user, self.catalog, self.backend, self.clock, region=self.region)
        notices = self.deferred.due(msg) if self.deferred else []  # before all else said
        turn.out.extend(self.catalog.text(f"notice.{o}", ref=ref) for ref, o in notices)
        if session and (session.get("expired") or now - session.get("at", now) > self.session_ttl):
            turn.say("expired", minutes=self.session_ttl // 60)
            session = None
        try:
            session = self.route(msg, turn, session)
        except Exception:  # e.g. the backend is down: say so, keep the step, let a retry redo it
            log.exception("handling failed; the follower was told to try again")
            busy = self.catalog.text("busy")
            self.store.save(user, None, key, "", self.session_ttl, lease,
                            owed=self._body(user, busy), remember=False)
            return render(Text(busy), msg, now)
        if session is not None:
            session["at"] = now
        text = "\n\n".join(turn.out)
        reply = render(Text(text), msg, now) if text else ""
        self.store.save(user, session, key, reply, self.session_ttl, lease,
                        owed=self._body(user, text) if text else None)
        if notices:
            self.deferred.said(user, notices)  # type: ignore[union-attr]  # set when found
        for flow, source, dest in turn.trace:
            for observe in self.observers:
                observe(flow, source, dest)
        return reply

    def _busy(self, msg: BaseMessage) -> str:
        return render(Text(self.catalog.text("busy")), msg, self.clock.now())

    def _forget(self, user: str, key: str) -> None:
        try:
            self.store.save(user, None, key, "", self.session_ttl, remember=False)
        except Exception:
            log.exception("could not forget a delivery")

    @staticmethod
    def _body(user: str, text: str) -> dict:
        """The customer-service message that carries an owed reply."""
        return {"touser": user, "msgtype": "text", "text": {"content": text}}

    def route(self, msg: BaseMessage, turn: Turn, session: dict | None) -> dict | None:
        """Decide who answers; returns the session to keep (None drops it)."""
        flow = self._restore(turn, session)
        kind = kind_of(msg)
        if kind == "voice" and getattr(msg, "recognition", None):
            kind, said = "text", msg.recognition  # speech the platform already transcribed
        else:
            said = getattr(msg, "content", "") or ""
        if kind == "event":
            return self.on_event(msg, turn, flow)
        if kind in MEDIA:
            if flow is not None:
                turn.say("need_text", prompt=self._prompt(flow))
            else:
                turn.say("location_idle" if kind == "location" else "default",
                         menu=self.catalog.text("menu"))
            return session if flow else None
        if kind != "text":
            log.info("unknown message type %r answered with success", kind)
            return session
        return self.on_text(said, turn, flow)

    def on_text(self, said: str, turn: Turn, flow: Flow | None) -> dict | None:
        command = self.catalog.command(said)
        if command == "cancel":
            turn.say("cancelled" if flow else "nothing_to_cancel", menu=self.catalog.text("menu"))
            return None
        if command == "help":
            if flow is None:
                turn.say("help_idle", menu=self.catalog.text("menu"))
                return None
            turn.say("help_step", help=self.catalog.text(flow.help_key(), **flow.slots))
            return flow.session()
        if command == "menu":
            turn.say("menu")
            return flow.session() if flow else None
        if command in self.starters:  # before answering: a start word is never a wrong answer
            return self.start(self.starters[command], turn, ending=flow)
        if flow is not None:
            flow.answer(said)
            return None if flow.done else flow.session()
        turn.say("default", menu=self.catalog.text("menu"))
        return None

    def on_event(self, msg: BaseMessage, turn: Turn, flow: Flow | None) -> dict | None:
        event = event_of(msg)
        keep = flow.session() if flow else None
        if event in ("subscribe", "subscribe_scan"):
            turn.say("welcome", menu=self.catalog.text("menu"))
        elif event == "unsubscribe":
            return None
        elif event == "click" and msg.key in self.starters:
            return self.start(self.starters[msg.key], turn, ending=flow)
        elif event in ("click", "scan", "scancode_waitmsg"):
            turn.say("menu")
        elif event not in SILENT_EVENTS:
            log.info("unknown event %r answered with success", event)
        return keep

    def start(self, flow_cls: type[Flow], turn: Turn, ending: Flow | None = None) -> dict | None:
        """Start `flow_cls`; a flow still under way (`ending`) ends first, in one line said."""
        if ending is not None:
            turn.say("switched", title=self.catalog.text(ending.title))
        flow = flow_cls(turn)
        flow.start()
        return None if flow.done else flow.session()

    def _restore(self, turn: Turn, session: dict | None) -> Flow | None:
        if not session or session.get("flow") not in self.flows:
            return None
        flow_cls = self.flows[session["flow"]]
        if session.get("state") not in flow_cls.specs:
            return None  # a session from an older flow definition: start over
        return flow_cls(turn, session["state"], session.get("slots", {}))

    def _prompt(self, flow: Flow) -> str:
        key = flow.specs[flow.state].get("prompt")
        return self.catalog.text(key, **flow.slots) if key else ""
