"""`GET /livez`, `GET /readyz` (the two questions an orchestrator asks, kept apart), `/metrics`.

Liveness is "is this process answering at all" (restart it when not), so it touches nothing:
a store outage must not get every healthy process killed. Readiness is "send it pushes now":
the store and the backend answer, and owed replies have somewhere to go (the platform's
API with a usable token). A failing part is named with the reason, never with an address or
a secret (a URL can carry credentials). `/healthz` (bot/server/health.py) stays as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify

from bot import metrics
from bot.parts import Bot, current_bot
from bot.server.health import PROBE_CARD, PROBE_USER
from bot.settings import Settings

log = logging.getLogger(__name__)


def livez() -> tuple[Response, int]:
    """200 whenever the process can run a request: no store, backend or network touched."""
    return jsonify(status="alive"), 200


def _check(name: str, check: Callable[[], Any]) -> dict[str, Any]:
    try:
        check()
    except Exception as exc:  # any failure means "not ready"; the kind of failure is the reason
        # The platform's refusal (errcode and errmsg) is the fix's clue; other errors' texts
        # may hold addresses, so only their kind is said.
        reason = str(exc) if hasattr(exc, "errcode") else type(exc).__name__
        log.warning("readyz: %s is not ready: %s", name, reason)
        return {"ok": False, "reason": reason}
    return {"ok": True}


def _platform(bot: Bot) -> dict[str, Any]:
    """Owed replies leave through the API: its credentials must fetch a token (cached, so the
    platform is asked once per token lifetime, not once per probe). Without credentials the
    instance is not ready, unless the operator chose to serve so (BOT_ALLOW_LOST_LATE_REPLIES):
    then it is, and says that late replies are lost."""
    if bot.config.get("OUTBOUND_SEND"):  # tests send owed replies elsewhere
        return {"ok": True, "via": "OUTBOUND_SEND"}
    lost = late_replies_lost(bot)
    if lost:
        allowed = bool(bot.config.get("BOT_ALLOW_LOST_LATE_REPLIES"))
        return {"ok": allowed, "reason": lost, "late_replies": "lost"}
    if bot.platform is None:  # not reached: no credentials is `lost` above
        return {"ok": False, "reason": "no platform API"}
    platform = bot.platform
    return _check("platform", lambda: platform.client.tokens.get())


def late_replies_lost(bot: Bot) -> str | None:
    """Why a reply that misses the 5-s window would be lost here, or None (bot/config.py)."""
    return Settings.of(bot.config).lost_late_replies


def readyz() -> tuple[Response, int]:
    """200 when every part a push needs answers, else 503 naming the parts that failed."""
    bot = current_bot()
    ping = getattr(bot.backend, "ping", None)
    checks = {
        "store": _check("store", lambda: bot.store.session(PROBE_USER)),
        "backend": _check("backend", ping or (lambda: bot.backend.card(PROBE_CARD))),
        "platform": _platform(bot),
    }
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = jsonify(status="not ready" if failing else "ready", failing=failing, **checks)
    return body, 503 if failing else 200


def metrics_text() -> Response:
    """Prometheus' text format, every worker's counters summed (bot/metrics.py)."""
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


def init_app(app: Flask) -> None:
    app.add_url_rule("/livez", "livez", livez)
    app.add_url_rule("/readyz", "readyz", readyz)
    app.add_url_rule("/metrics", "metrics", metrics_text)
