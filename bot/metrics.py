"""The bot's Prometheus metrics: what an operator graphs, and the text `/metrics` serves.

The metric objects are module-level, registered in prometheus_client's registry: that registry
is the library's own process-wide state, designed to be written from any thread, and each
object here is built once per process, on import. Nothing else here holds state.

Under gunicorn every worker writes its own files in PROMETHEUS_MULTIPROC_DIR (set by
bot/server/gunicorn_conf.py before anything imports prometheus_client) and `exposition()`
sums them, so one scrape shows the whole server. Every label is a closed set (kinds, outcomes,
errcodes, method names): no openid, nothing a follower typed, can become a label value.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

KINDS = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link", "file",
                   "event"})
EVENTS = frozenset({"subscribe", "unsubscribe", "subscribe_scan", "scan", "location", "click",
                    "view", "templatesendjobfinish", "kf_create_session", "kf_close_session",
                    "kf_switch_session", "subscribe_msg_popup_event",
                    "subscribe_msg_change_event", "subscribe_msg_sent_event"})
ACTS = frozenset({"start", "confirm", "negated", "fact", "none"})  # flows/language/understander
REPLIES = frozenset({"in_time", "owed", "repeat", "busy"})
# Backend calls a follower waits on: the window is 4 s, so the buckets look closely below it.
BACKEND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0)

PUSHES = Counter("wxbot_pushes", "Pushes decoded, by message kind and event", ["kind", "event"])
TURNS = Counter("wxbot_turns", "Turns run, by the flow they ran in and their outcome",
                ["flow", "outcome"])
REPLY = Counter("wxbot_replies", "Deliveries answered: in_time (in the window), owed (the "
                "reply goes through the API), repeat (a retry), busy", ["result"])
DEADLINE_MISSES = Counter("wxbot_deadline_misses", "Turns still running at BOT_REPLY_DEADLINE")
SENDS = Counter("wxbot_api_sends", "Owed replies sent through the platform API, by outcome "
                "(sent, retry, failed) and errcode", ["outcome", "errcode"])
BACKEND = Histogram("wxbot_backend_seconds", "Backend call latency inside turns", ["call"],
                    buckets=BACKEND_BUCKETS)
# A store round trip is ~0.1-1 ms; its tail (a busy file, a slow Redis) is what to watch.
STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
STORE_OPS = frozenset({"begin", "look", "save", "owe"})
STORE = Histogram("wxbot_store_seconds", "Store round trips on the per-message path, by step "
                  "(begin: claim+record+line+reads; save)", ["op"], buckets=STORE_BUCKETS)
UNDERSTOOD = Counter("wxbot_understood", "What the language stage made of a text, by act",
                     ["act"])


@cache
def _labelled(metric: Any, *values: str) -> Any:
    """The metric's child for these label values, looked up once: `labels()` takes a lock and
    validates every time (~10 us, five to a dozen times a message). Every label is a closed set,
    so this holds a few dozen children, the ones prometheus_client keeps for them anyway."""
    return metric.labels(*values)


def _closed(value: Any, allowed: frozenset[str]) -> str:
    value = str(value or "").lower()
    return value if value in allowed else "other"


def push(kind: str, event: str | None) -> None:
    _labelled(PUSHES, _closed(kind, KINDS), _closed(event, EVENTS) if event else "").inc()


def reply(result: str) -> None:
    _labelled(REPLY, _closed(result, REPLIES)).inc()


def turn(flow: str | None, outcome: str) -> None:
    """`flow` is a registered flow's name (the bot's own data, never the follower's)."""
    _labelled(TURNS, flow or "none", outcome).inc()


def deadline_missed() -> None:
    DEADLINE_MISSES.inc()


def sent(outcome: str, errcode: int | str | None = None) -> None:
    """`errcode` is the platform's number or the failure's exception class, never a message."""
    SENDS.labels(outcome=outcome, errcode=str(errcode if errcode is not None else 0)).inc()


def understood(act: str | None) -> None:
    _labelled(UNDERSTOOD, _closed(act or "none", ACTS)).inc()


@contextmanager
def store_trip(op: str) -> Iterator[None]:
    """Time one store round trip of the per-message path (failed ones too)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        _labelled(STORE, _closed(op, STORE_OPS)).observe(time.perf_counter() - started)


UNTIMED = frozenset({"bounded"})  # asked of the backend, not a call into it


class TimedBackend:
    """The backend as the flows see it, each call timed under its method name."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._backend, name)
        if name.startswith("_") or not callable(found) or name in UNTIMED:
            return found
        timer = _labelled(BACKEND, name)  # the backend's method names: a closed set

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return found(*args, **kwargs)
            finally:
                timer.observe(time.perf_counter() - started)
        return timed


def exposition() -> tuple[bytes, str]:
    """The Prometheus text: summed over every worker's files in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()  # read-only view over the files, built per scrape
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
