"""Recording live traffic (BOT_RECORD_DIR): each message, its reply, the step before and after.

An opt-in developer tool for the test-account sandbox: the log holds what real followers typed
(ID numbers, names, card numbers, codes), so it is written 0600 and never leaves the developer's
machine as is; `wxbot record` turns one follower's session from it into a fixture with every
personal value replaced by seed data (bot/sim/record/cli.py).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import weakref
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import Flask, Response, g, has_request_context

from bot.clock import SHANGHAI
from bot.parts import bot_of
from bot.protocol import Inbound, ProtocolError, parse_xml
from bot.sim.record.faults import LATE_SHARE, armed_fault

log = logging.getLogger(__name__)
LOG_NAME = "traffic.jsonl"
FORMAT = 1  # the `v` of every line; bump when a field changes meaning
DROPPED = ("ToUserName", "Encrypt")  # the account's own id and the sealed copy of the fields


def _step(session: dict | None) -> dict | None:
    """Only where the conversation stands, never the slots (they hold what the user typed)."""
    if not session or not session.get("flow"):
        return None
    return {"flow": session["flow"], "state": session.get("state")}


def reply_content(reply_xml: str) -> str | None:
    """The Content of a text reply; None for no reply, or one that is not text."""
    if not reply_xml:
        return None
    try:
        fields = parse_xml(reply_xml)
    except ProtocolError:
        return None
    content = fields.get("Content")
    return content if fields.get("MsgType") == "text" and isinstance(content, str) else None


class Recorder:
    """Appends one JSON line per handled message to `<dir>/traffic.jsonl` (0600).

    A line: v, at (epoch s, the bot's clock), time (ISO, Shanghai), lang, openid, inbound (the
    parsed fields), reply (text Content or null), before/after ({flow, state} or null),
    trace ([flow, source, dest] per transition, so final states show though the session ends)
    and late (the deadline, when the answer was `success` at it). A fault armed on the app
    is a line of its own: v, at, fault (as a fixture's `faults:` step writes it).
    """

    def __init__(self, directory: str | Path, store: Any, clock: Any, lang: str,
                 deadline: float = 4.0) -> None:
        self.path = Path(directory) / LOG_NAME
        self.deadline = deadline  # BOT_REPLY_DEADLINE: an empty answer this late was owed
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.store, self.clock, self.lang = store, clock, lang
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.chmod(self.path, 0o600)  # also when the file was already there with wider bits
        self._file: IO[str] = os.fdopen(fd, "a", encoding="utf-8")
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, self._file.close)

    def before(self, inbound: Inbound) -> None:
        """Note the step the user is at, before the engine moves it (kept for this request)."""
        g.wxbot_record_before = _step(self.store.session(inbound.message.source))
        g.wxbot_record_trace = []
        g.wxbot_record_started = time.monotonic()

    def observe(self, flow: str, source: str, dest: str) -> None:
        """Engine observer: the transitions this message made, final states included."""
        if has_request_context() and "wxbot_record_trace" in g:
            g.wxbot_record_trace.append([flow, source, dest])

    def after(self, inbound: Inbound, reply_xml: str) -> None:
        """Write the line for this message; never let a logging problem reach the platform."""
        openid = inbound.message.source
        now = self.clock.now()
        line = {
            "v": FORMAT,
            "at": now,
            "time": datetime.fromtimestamp(now, SHANGHAI).isoformat(timespec="seconds"),
            "lang": self.lang,
            "openid": openid,
            "inbound": {k: v for k, v in inbound.fields.items() if k not in DROPPED},
            "reply": reply_content(reply_xml),
            "before": g.pop("wxbot_record_before", None),
            "after": _step(self.store.session(openid)),
            "trace": g.pop("wxbot_record_trace", []),
        }
        elapsed = time.monotonic() - g.pop("wxbot_record_started", time.monotonic())
        if not reply_xml and elapsed >= self.deadline * LATE_SHARE:
            line["late"] = self.deadline  # answered `success`: the reply went through the API
        try:
            self.write(line)
        except (OSError, ValueError, TypeError):
            log.exception("could not record a message to %s", self.path)

    def watch_faults(self, response: Response) -> Response:
        """after_request: a fault armed on this app (simulator on) goes into the log, so the
        fixture made from it arms the same one at the same point."""
        fault = armed_fault(response)
        if fault is not None:
            try:
                self.write({"v": FORMAT, "at": self.clock.now(), "fault": fault})
            except (OSError, ValueError, TypeError):
                log.exception("could not record a fault to %s", self.path)
        return response

    def write(self, line: dict) -> None:
        """One line, flushed at once, so a crash loses at most the message in flight."""
        text = json.dumps(line, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            if not self._file.closed:
                self._file.write(text)
                self._file.flush()

    def close(self) -> None:
        """Close the log (also done when the recorder is collected or at exit)."""
        with self._lock:
            self._finalizer()


def init_app(app: Flask) -> Recorder:
    """Hook the recorder around the webhook; create_app calls this when BOT_RECORD_DIR is set."""
    bot = bot_of(app)
    recorder = Recorder(app.config["BOT_RECORD_DIR"], bot.store, bot.clock, bot.config["BOT_LANG"],
                        float(bot.config["BOT_REPLY_DEADLINE"]))
    bot.before_message.append(recorder.before)
    bot.after_message.append(recorder.after)
    bot.engine.observers.append(recorder.observe)
    bot.on_close.append(recorder.close)
    app.after_request(recorder.watch_faults)
    return recorder
