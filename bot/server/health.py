"""`GET /healthz`: whether this instance can answer pushes, i.e. its store and backend respond,
and send what it owes, i.e. its courier can read the outbox (a Redis restarted without its data
loses the outbox's consumer group: named here until the courier has made it again).

A load balancer reads the status (200 or 503); people read the JSON. It names the kinds of
store and backend, never their addresses (a URL can carry credentials and maps the network).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify

from bot.parts import current_bot
from bot.settings import Settings

log = logging.getLogger(__name__)
PROBE_USER = "__healthz__"  # no real openid looks like this: the read finds nothing
PROBE_CARD = "HEALTHZ0"  # not a card number's shape: the backend answers "no such card"


def _backend_kind(target: str) -> str:
    return "http" if target.startswith(("http://", "https://")) else target


def _probe(name: str, check: Callable[[], Any]) -> bool:
    try:
        check()
    except Exception as exc:  # any failure means "cannot serve"; the reason goes to the log
        log.warning("healthz: %s is down: %s", name, type(exc).__name__)
        return False
    return True


def healthz() -> tuple[Response, int]:
    """200 when a push could be handled now, else 503; each part says whether it answered."""
    bot = current_bot()
    cfg = bot.config
    ping = getattr(bot.backend, "ping", None)
    store_ok = _probe("store", lambda: bot.store.session(PROBE_USER))
    backend_ok = _probe("backend", ping or (lambda: bot.backend.card(PROBE_CARD)))
    failing = getattr(bot.courier, "failing", None)
    up = store_ok and backend_ok and failing is None
    outbox = {"ok": failing is None, **({"error": failing.split(":")[0]} if failing else {})}
    body = jsonify(
        status="ok" if up else "down",
        store={"kind": cfg["BOT_STORE_URL"].kind, "ok": store_ok},
        backend={"kind": _backend_kind(str(cfg["BOT_BACKEND"])), "ok": backend_ok},
        outbox=outbox,
        late_replies=_late_replies(cfg),
        simulator=cfg["BOT_SIMULATOR"], lang=bot.catalog.lang,
        reply_deadline=cfg["BOT_REPLY_DEADLINE"],  # replay skips fixtures made for another
    )
    return body, 200 if up else 503


def _late_replies(cfg: dict) -> dict[str, Any]:
    """Whether a reply that misses the 5-s window can still be sent, and if not, why (the
    operator allowed it: `wxbot serve` refuses it otherwise). Not a reason for 503 here:
    pushes are still answered; /readyz is where it counts."""
    lost = Settings.of(cfg).lost_late_replies
    return {"sent": False, "reason": lost} if lost else {"sent": True}


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)
