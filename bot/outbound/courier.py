"""The courier: takes owed messages out of the store's outbox and sends them, each once.

One background thread per app (per worker process). It claims entries with a lease, sends,
and acks after the send; an entry whose courier died is claimed again by another once the
lease runs out. A send that raises an error with a truthy `retryable` is tried again with
backoff; anything else (45015 outside the 48-hour window, 45047 over quota) is kept as
failed and logged by error code, never by content. A `turn` entry (a push whose reply is
owed, see bot/window/rescue.py) is not sent: its check says drop it, wait, or run it again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

import requests

from bot import metrics
from bot.store import LEASE, Entry, Outbox

log = logging.getLogger(__name__)
Send = Callable[[dict], None]
POLL = 0.5  # seconds between looks at the outbox when nothing woke the courier
BATCH = 16  # entries claimed at once
CLAIM_LEASE = 30.0  # seconds an entry stays hidden from other couriers while being sent
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 20.0  # retry pauses double from FIRST to MAX (< CLAIM_LEASE)
MAX_ATTEMPTS = 8  # then the entry is kept as failed
SINK_TIMEOUT = 3.0  # seconds for the test sink's HTTP POST
RECHECK = LEASE / 2  # seconds before an owed turn whose holder is alive is looked at again
DONE, WAIT, EXPIRED = "done", "wait", "expired"  # what a turn entry's check says to do with it
Check = Callable[[dict], str]


class SendError(Exception):
    """A send that did not go out; `retryable` says whether trying later may help."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def no_client(body: dict) -> None:
    """The sender without an account: nothing can reach the follower, so say what to set."""
    raise SendError("no platform API: set WECHAT_APP_ID and WECHAT_APP_SECRET", retryable=False)


def post_to(url: str) -> Send:
    """A sender that POSTs the body as JSON to `url` (tests' sink; not the platform API)."""
    session = requests.Session()

    def send(body: dict) -> None:
        try:
            answer = session.post(url, json=body, timeout=SINK_TIMEOUT)
        except requests.RequestException as exc:
            raise SendError(f"sink unreachable: {type(exc).__name__}", retryable=True) from None
        if answer.status_code >= 300:
            raise SendError(f"sink answered {answer.status_code}",
                            retryable=answer.status_code >= 500)

    send.close = session.close  # type: ignore[attr-defined]
    return send


def mask(openid: str) -> str:
    return openid[:4] + "***" if openid else "?"


class Courier:
    """Runs until `close()`; `wake()` makes it look at once (a reply was just owed)."""

    def __init__(self, outbox: Outbox, send: Send, *, poll: float = POLL,
                 check: Check | None = None, woken: threading.Event | None = None) -> None:
        """`check` judges owed turns (bot/window/rescue.py; without it they wait in the
        outbox); `woken` is the bell others ring when they owe something (`wake()` rings it)."""
        self.outbox, self.send, self.poll = outbox, send, poll
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop, self._woken = threading.Event(), woken or threading.Event()
        self._check = check
        self._thread = threading.Thread(target=self._run, name="wxbot-courier", daemon=True)

    def start(self) -> Courier:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._woken.set()

    def close(self) -> None:
        self._stop.set()
        self._woken.set()
        if self._thread.is_alive():
            self._thread.join(CLAIM_LEASE)
        getattr(self.send, "close", lambda: None)()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                entries = self.outbox.claim(self.name, BATCH, CLAIM_LEASE)
            except Exception:  # the store is down: try again later, the entries are durable
                log.warning("courier could not read the outbox", exc_info=True)
                entries = []
            for entry in entries:
                if self._stop.is_set():
                    return  # unsent claims come back to someone after CLAIM_LEASE
                try:
                    if entry.kind == "turn":
                        self._judge(entry)
                    else:
                        self._deliver(entry)
                except Exception:  # the store failed mid-way: the claim's lease brings it back
                    log.warning("courier could not settle an entry", exc_info=True)
            if not entries:
                self._woken.wait(self.poll)
                self._woken.clear()

    def _deliver(self, entry: Entry) -> None:
        try:
            self.send(entry.body)
        except Exception as exc:  # the sender's errors decide between retry and failed
            retryable = bool(getattr(exc, "retryable", False))
            code = getattr(exc, "errcode", type(exc).__name__)
            to = mask(str(entry.body.get("touser", "")))
            label = code if code is not None else type(exc).__name__  # None: never answered
            if retryable and entry.attempts < MAX_ATTEMPTS:
                metrics.sent("retry", label)
                delay = min(BACKOFF_FIRST * 2 ** (entry.attempts - 1), BACKOFF_MAX)
                log.info("send to %s failed (%s); retry %d in %.0f s", to, code,
                         entry.attempts, delay)
                self.outbox.retry(entry, delay)
            else:
                log.warning("send to %s failed for good (%s) after %d attempt(s)", to, code,
                            entry.attempts)
                metrics.sent("failed", label)
                self.outbox.fail(entry, str(code))
            return
        metrics.sent("sent")
        self.outbox.ack(entry)

    def _judge(self, entry: Entry) -> None:
        """An owed turn: dropped once settled, run again by `check` once its holder is gone."""
        verdict = self._check(entry.body) if self._check is not None else WAIT
        if verdict == DONE:
            self.outbox.ack(entry)
        elif verdict == EXPIRED:
            self.outbox.fail(entry, EXPIRED)
        else:
            self.outbox.retry(entry, RECHECK)
