"""The courier: takes owed messages out of the store's outbox and sends them, each once.

One background thread per app (per worker process). It claims entries with a lease, sends,
and acks after the send; an entry whose courier died is claimed again by another once the
lease runs out. A send that raises an error with a truthy `retryable` is tried again with
backoff; anything else (45015 outside the 48-hour window, 45047 over quota) is kept as
failed and logged by error code, never by content; a failed reply is handed to `keep` (said
first at the follower's next message, bot/outbound/deferred.py). A `turn` entry (a push whose
reply is owed, see bot/window/rescue.py) is not sent: its check says drop it, wait, or run it
again.

A send whose outcome is unknown (`unsure`: the request went out, no answer came) may have
reached the follower, and the platform cannot tell nor deduplicate: it is tried once more,
never again, and then kept as failed (UNSURE) without being said again (docs/reliability.md).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from bot import metrics
from bot.outbound.senders import Send, SendError, mask, no_client, post_to
from bot.store import LEASE, Entry, Outbox

__all__ = ["Courier", "Send", "SendError", "mask", "no_client", "post_to"]  # senders: senders.py
log = logging.getLogger(__name__)
POLL = 0.5  # seconds between looks at the outbox when nothing woke the courier
BATCH = 16  # entries claimed at once
CLAIM_LEASE = 30.0  # seconds an entry stays hidden from other couriers while being sent
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 20.0  # retry pauses double from FIRST to MAX (< CLAIM_LEASE)
MAX_ATTEMPTS = 8  # then the entry is kept as failed
RECHECK = LEASE / 2  # seconds before an owed turn whose holder is alive is looked at again
DONE, WAIT, EXPIRED = "done", "wait", "expired"  # what a turn entry's check says to do with it
UNSURE = "unsure"  # the reason kept for a send whose second try's outcome was unknown too
OUTBOX_LOG_EVERY = 60.0  # seconds between repeats of "cannot read the outbox" while it lasts
Check = Callable[[dict], str]
Keep = Callable[[dict, str], None]  # a failed reply's body and why: say it next time


class Courier:
    """Runs until `close()`; `wake()` makes it look at once (a reply was just owed)."""

    def __init__(self, outbox: Outbox, send: Send, *, poll: float = POLL,
                 check: Check | None = None, woken: threading.Event | None = None,
                 keep: Keep | None = None) -> None:
        """`check` judges owed turns (bot/window/rescue.py; without it they wait in the
        outbox); `woken` is the bell others ring when they owe something (`wake()` rings it);
        `keep` takes a reply that failed for good, so the follower's next turn says it."""
        self.outbox, self.send, self.poll, self.keep = outbox, send, poll, keep
        self.failing: str | None = None  # why the outbox cannot be read now (for /healthz)
        self._logged_at = 0.0
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
            except Exception as exc:  # the store is down: try again later, entries are durable
                self._unreadable(exc)
                entries = []
            else:
                if self.failing is not None:
                    log.warning("courier reads the outbox again (it failed: %s)", self.failing)
                    self.failing = None
            for n, entry in enumerate(entries):
                if self._stop.is_set():  # a stop (SIGTERM): hand back what was not sent, so
                    self._release(entries[n:])  # the next start sends it now, not in 30 s
                    return
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

    def _release(self, entries: list[Entry]) -> None:
        """Unsent claims due again at once (else hidden for CLAIM_LEASE after a stop)."""
        for entry in entries:
            try:
                self.outbox.retry(entry, 0.0, unsure=entry.unsure)
            except Exception:  # the store is down: the claim's lease brings it back instead
                log.warning("courier could not hand an entry back at stop", exc_info=True)
                return

    def _unreadable(self, exc: Exception) -> None:
        """Name the failure for /healthz; log it when it starts or changes, then once a minute
        (a claim every POLL would write ~100 lines a minute)."""
        why, now = f"{type(exc).__name__}: {str(exc)[:120]}", time.monotonic()
        if why != self.failing or now - self._logged_at >= OUTBOX_LOG_EVERY:
            log.warning("courier could not read the outbox (%s); owed replies wait", why)
            self._logged_at = now
        self.failing = why

    def _deliver(self, entry: Entry) -> None:
        try:
            self.send(entry.body)
        except Exception as exc:  # the sender's errors decide between retry and failed
            self._failed(entry, exc)
            return
        metrics.sent("sent")
        self.outbox.ack(entry)

    def _failed(self, entry: Entry, exc: Exception) -> None:
        retryable = bool(getattr(exc, "retryable", False))
        unsure = bool(getattr(exc, "unsure", False))
        code = getattr(exc, "errcode", None)
        code = type(exc).__name__ if code is None else code
        # The reason as the sender gave it (errcode, errmsg) and what caused it, by kind only:
        # a network error's text holds the URL, and the API's URLs carry the access token.
        why = f"{code} {getattr(exc, 'errmsg', exc)}"
        if exc.__cause__ is not None:
            why += f"; cause {type(exc.__cause__).__name__}"
        to = mask(str(entry.body.get("touser", "")))
        label = str(code)  # the platform's errcode, or the failure's kind: a closed set
        if unsure and entry.unsure:  # a second unknown outcome: it may be there twice already
            log.warning("send to %s: outcome unknown twice (%s); not tried again", to, why)
            metrics.sent("failed", label)
            self.outbox.fail(entry, UNSURE)
        elif (retryable or unsure) and entry.attempts < MAX_ATTEMPTS:
            metrics.sent("retry", label)
            delay = min(BACKOFF_FIRST * 2 ** (entry.attempts - 1), BACKOFF_MAX)
            log.warning("send to %s failed (%s); retry %d in %.0f s", to, why,
                        entry.attempts, delay)
            self.outbox.retry(entry, delay, unsure=unsure)
        else:
            log.warning("send to %s failed for good (%s) after %d attempt(s)", to, why,
                        entry.attempts)
            metrics.sent("failed", label)
            self.outbox.fail(entry, str(code))
            if self.keep is not None and not entry.unsure:
                self.keep(entry.body, str(code))

    def _judge(self, entry: Entry) -> None:
        """An owed turn: dropped once settled, run again by `check` once its holder is gone."""
        verdict = self._check(entry.body) if self._check is not None else WAIT
        if verdict == DONE:
            self.outbox.ack(entry)
        elif verdict == EXPIRED:
            self.outbox.fail(entry, EXPIRED)
        else:
            self.outbox.retry(entry, RECHECK)
