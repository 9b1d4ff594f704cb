"""Faults armed during a session, kept so the saved fixture replays with them.

A slow backend or a refusing platform API changes what the follower meets (a reply owed past
the deadline, a code sent late). Whoever arms one (the page's fault controls, curl, a script)
goes through `POST /backend/v1/faults` or `POST /sim/api/faults`; this watches the app's
answers to those and notes each fault that was accepted, in the fixture's own words
(docs/fixtures.md, `faults:`), with the position in the traffic where it was armed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request

BACKEND, PLATFORM = "/backend/v1/faults", "/sim/api/faults"
FAULTS = "wxbot.record.faults"  # app.extensions key of the app's FaultLog
LATE_SHARE = 0.9  # an empty answer this close to the deadline was the deadline's `success`
KEPT = 200  # faults remembered; a session arms a handful


@dataclass(frozen=True)
class Armed:
    """A fault as a fixture writes it, and the newest exchange id when it was armed."""

    after: int
    step: dict[str, Any]


def fault_step(path: str, body: Any) -> dict[str, Any] | None:
    """The fixture's `faults:` value for an accepted arming request; None for anything else."""
    if not isinstance(body, dict):
        return None
    times = body.get("times", 1)
    if path == BACKEND and "delay" in body:
        step: dict[str, Any] = {"backend_delay": body["delay"]}
    elif path == PLATFORM and "api" in body:
        step = {"api": body["api"]}
        step.update({k: body[k] for k in ("errcode", "delay") if k in body})
        if len(step) == 1:
            return None
        if "errcode" in step:
            step.pop("delay", None)  # the mock takes the errcode when both are sent
    else:
        return None
    return step if times == 1 else {**step, "times": times}


def armed_fault(response: Response) -> dict[str, Any] | None:
    """The `faults:` value when this request armed a fault and was accepted, else None."""
    if request.method != "POST" or response.status_code != 200 \
            or request.path not in (BACKEND, PLATFORM):
        return None
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        return None
    return fault_step(request.path, body)


class FaultLog:
    """Accepted armings, in order (the last KEPT; thread-safe)."""

    def __init__(self, newest: Callable[[], int]) -> None:
        self.newest = newest  # the newest exchange id now (0: none yet)
        self._armed: list[Armed] = []
        self._lock = threading.Lock()

    def watch(self, response: Response) -> Response:
        """after_request: note an accepted fault (a reset leaves armed faults armed, so it
        leaves them here too)."""
        step = armed_fault(response)
        if step is not None:
            with self._lock:
                self._armed = [*self._armed, Armed(self.newest(), step)][-KEPT:]
        return response

    def since(self, first: int) -> list[Armed]:
        """The faults a session starting at exchange `first` met: armed right before it (no
        other exchange between, which could have used them up) or during it."""
        with self._lock:
            return [a for a in self._armed if a.after >= first - 1]


def init_app(app: Flask, newest: Callable[[], int]) -> FaultLog:
    """Watch this app's fault controls; the log is the save endpoint's (extensions)."""
    log = FaultLog(newest)
    app.after_request(log.watch)
    app.extensions[FAULTS] = log
    return log
