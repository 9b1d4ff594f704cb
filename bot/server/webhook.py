"""The `/wechat` endpoint: thin on purpose (decode -> engine -> encode), never a 500."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

from flask import Blueprint, Flask, Response, g, request

from bot import metrics
from bot.parts import current_bot  # not bot.app: the factory imports this module
from bot.protocol import MAX_BODY, Forbidden, ProtocolError, event_of, kind_of
from bot.server import arrival
from bot.store import BoundQuery, ClaimConflict
from bot.store.base import SESSION_GRACE

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)
SIGNED = ("signature", "timestamp", "nonce")
MIN_CLAIM_TTL = 300  # seconds a signed query stays tied to its body, however small the tolerance


def _text(body: str, status: int = 200) -> Response:
    return Response(body, status, content_type="text/plain; charset=utf-8")


def _xml(body: str) -> Response:
    if body == "success":
        return _text(body)
    return Response(body, 200, content_type="application/xml; charset=utf-8")


@bp.before_request
def _request_id() -> None:
    # 12 random hex digits as uuid4().hex[:12] gave, at a seventh of its cost
    g.request_id = request.headers.get("X-Request-Id", "")[:64] or os.urandom(6).hex()


@bp.errorhandler(ProtocolError)
def _refuse(exc: ProtocolError) -> Response:
    # The reason names the check that failed and nothing the sender wrote.
    log.warning("refused %s %s: %s [request %s]", request.method, request.path, exc, g.request_id)
    return _text(f"{exc.status} {exc}", exc.status)


@bp.get("/wechat")
def verify() -> Response:
    return _text(current_bot().codec.verify_url(request.args))


@bp.post("/wechat")
def receive() -> Response:
    arrived, bot = arrival.arrived(), current_bot()
    if (request.content_length or 0) > MAX_BODY:
        return _too_large()
    try:
        body = request.stream.read(MAX_BODY + 1)
    except OSError:  # TimeoutError from the server's body deadline, or the client went away
        log.warning("refused POST /wechat: body not received in time [request %s]",
                    g.request_id)
        return _text("408 request body not received in time", 408)
    if len(body) > MAX_BODY:
        return _too_large()
    inbound = bot.codec.decode(request.args, body)
    # Every signed query is claimed with its body, sealed or not: msg_signature binds a sealed
    # body, but the same signature/timestamp/nonce could come again with a plaintext one.
    query_key = "q:" + ":".join(request.args.get(k, "") for k in SIGNED)
    if bot.codec.mode == "safe":  # only sealed pushes pass, each bound to its query
        query_key = BoundQuery(query_key)
    ttl = claim_ttl(bot.codec.tolerance, bot.config["BOT_SESSION_TTL"])
    # Keyed with the Token: a plain digest of a push whose other fields are known would let
    # whoever reads the store's files try every ID number until one matched.
    digest = hmac.new(bot.config["WECHAT_TOKEN"].encode(), body, hashlib.sha256).hexdigest()
    claim = (query_key, digest, ttl)
    message = inbound.message
    metrics.push(kind_of(message), event_of(message) if kind_of(message) == "event" else None)
    _run_hooks(bot.before_message, inbound)
    try:
        reply = bot.engine.handle(inbound.message, claim, arrived)
    except ClaimConflict:
        raise Forbidden("signed query reused with a different body") from None
    except Exception:  # the platform must never see a 500: log, then tell it to stop retrying
        log.exception("message handling failed [request %s]", g.request_id)
        reply = ""
    _run_hooks(bot.after_message, inbound, reply)
    return _xml(bot.codec.encode(reply, inbound))


def claim_ttl(tolerance: int, session_ttl: int) -> int:
    """As long as the query's timestamp can still pass the check, so a replay never finds it free.

    A timestamp passes from `tolerance` seconds ahead of now to `tolerance` behind: 2x. With no
    tolerance it passes forever, so the claim outlives everything the store keeps of a follower.
    """
    if tolerance == 0:
        return session_ttl + SESSION_GRACE
    return max(2 * tolerance + 1, MIN_CLAIM_TTL)


def _run_hooks(hooks: list, *args: object) -> None:
    """Observers (the recorder, the mock API) must never turn a push into a 500 or a lost reply."""
    for hook in hooks:
        try:
            hook(*args)
        except Exception:  # logged with its traceback; the push is answered as if unobserved
            log.exception("message hook %s failed [request %s]",
                          getattr(hook, "__qualname__", hook), g.request_id)


def _too_large() -> Response:
    log.warning("refused POST /wechat: body over %d bytes [request %s]", MAX_BODY, g.request_id)
    return _text(f"413 body over {MAX_BODY} bytes", 413)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
