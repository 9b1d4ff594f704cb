"""One inbound message -> one reply: retry record, the user's turn, session, routing.

The only module that joins the protocol (wechatpy messages, reply XML) to the flows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from wechatpy.messages import BaseMessage

from bot import keys
from bot.clock import Clock
from bot.protocol import event_of, kind_of
from bot.replies import Text, render
from bot.store import Claim, LockTimeout, Store
from flows.base import Flow, Turn
from flows.catalog import Catalog
from flows.port import Backend

log = logging.getLogger(__name__)
SILENT_EVENTS = {"view", "location", "templatesendjobfinish", "masssendjobfinish",
                 "view_miniprogram", "scancode_push", "pic_sysphoto", "pic_photo_or_album",
                 "pic_weixin", "location_select"}
MEDIA = {"image", "voice", "video", "shortvideo", "location", "link", "file"}


def delivery_key(msg: BaseMessage) -> str:
    """Retries share this key; MsgId alone has collided across users, so the user is in it."""
    event = event_of(msg) if kind_of(msg) == "event" else None
    data = msg._data  # noqa: SLF001 - not every event class has .key; CreateTime as pushed
    return keys.delivery_key(msg.source, msg.id, data.get("CreateTime"), event,
                             data.get("EventKey"))


class Engine:
    """Holds the long-lived parts; `handle` is the whole per-message path."""

    def __init__(self, store: Store, catalog: Catalog, flows: Iterable[type[Flow]], *,
                 backend: Backend, clock: Clock, session_ttl: int = 900) -> None:
        self.store, self.catalog, self.backend, self.clock = store, catalog, backend, clock
        self.session_ttl = session_ttl
        self.flows = {f.name: f for f in flows}
        self.starters = {f.keywords: f for f in self.flows.values()}
        self.starters.update({f.menu_key: f for f in self.flows.values() if f.menu_key})
        self.observers: list[Callable[[str, str, str], None]] = []  # transition coverage

    def handle(self, msg: BaseMessage, claim: Claim | None = None) -> str:
        """The reply XML for `msg` ('' for nothing to say); a retry gets the first one again.

        `claim` (a signed query and its body digest) is checked in the same write that takes
        the user's turn; ClaimConflict when that query came before with another body.
        """
        key = delivery_key(msg)
        try:
            with self.store.lock(msg.source, claim=claim):
                cached = self.store.reply(key)  # a retry, maybe of a delivery we waited behind
                if cached is not None:
                    return cached
                return self._handle_in_turn(msg, key)
        except LockTimeout:
            log.warning("user busy too long; answered success (key %s)", key.split(":")[0])
            return ""

    def _handle_in_turn(self, msg: BaseMessage, key: str) -> str:
        user, now = msg.source, self.clock.now()
        session = self.store.session(user)
        turn = Turn(user, self.catalog, self.backend, self.clock)
        if session and now - session.get("at", now) > self.session_ttl:
            turn.say("expired", minutes=self.session_ttl // 60)
            session = None
        try:
            session = self.route(msg, turn, session)
        except Exception:  # e.g. the backend is down: say so, keep the step, let a retry redo it
            log.exception("handling failed; the follower was told to try again")
            return render(Text(self.catalog.text("busy")), msg, now)
        if session is not None:
            session["at"] = now
        text = "\n\n".join(turn.out)
        reply = render(Text(text), msg, now) if text else ""
        self.store.save(user, session, key, reply, self.session_ttl)
        for flow, source, dest in turn.trace:
            for observe in self.observers:
                observe(flow, source, dest)
        return reply

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
