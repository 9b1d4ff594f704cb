"""The `/wechat` endpoint: thin on purpose (decode -> engine -> encode), never a 500."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Callable, Iterable
from functools import cached_property

from flask import Blueprint, Flask, Response, g, request, signals
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import InternalServerError
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from bot import metrics
from bot.parts import Bot, bot_of, current_bot  # not bot.app: the factory imports this module
from bot.protocol import MAX_BODY, Forbidden, ProtocolError, event_of, kind_of
from bot.server import arrival, logs
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


@bp.errorhandler(ProtocolError)  # the GET check's; a push's refusals are made in `answer`
def _refuse(exc: ProtocolError) -> Response:
    # The reason names the check that failed and nothing the sender wrote.
    log.warning("refused %s %s: %s [request %s]", request.method, request.path, exc, g.request_id)
    return _text(f"{exc.status} {exc}", exc.status)


@bp.get("/wechat")
def verify() -> Response:
    return _text(current_bot().codec.verify_url(request.args))


@bp.post("/wechat")
def receive() -> Response:
    text, status = answer(current_bot(), request, g.request_id)
    return _xml(text) if status == 200 else _text(text, status)


def answer(bot: Bot, req: Request, request_id: str) -> tuple[str, int]:
    """A push's answer and status; the Flask view and the direct path (Direct) share it."""
    try:
        return _receive(bot, req, request_id)
    except ProtocolError as exc:
        # The reason names the check that failed and nothing the sender wrote.
        log.warning("refused %s %s: %s [request %s]", req.method, req.path, exc, request_id)
        return f"{exc.status} {exc}", exc.status


def _receive(bot: Bot, req: Request, request_id: str) -> tuple[str, int]:
    arrived = arrival.arrived()
    if (req.content_length or 0) > MAX_BODY:
        return _too_large(request_id)
    try:
        body = req.stream.read(MAX_BODY + 1)
    except OSError:  # TimeoutError from the server's body deadline, or the client went away
        log.warning("refused POST /wechat: body not received in time [request %s]",
                    request_id)
        return "408 request body not received in time", 408
    if len(body) > MAX_BODY:
        return _too_large(request_id)
    args = req.args
    inbound = bot.codec.decode(args, body)
    # Every signed query is claimed with its body, sealed or not: msg_signature binds a sealed
    # body, but the same signature/timestamp/nonce could come again with a plaintext one.
    query_key = "q:" + ":".join(args.get(k, "") for k in SIGNED)
    if bot.codec.mode == "safe":  # only sealed pushes pass, each bound to its query
        query_key = BoundQuery(query_key)
    ttl = claim_ttl(bot.codec.tolerance, bot.config["BOT_SESSION_TTL"])
    # Keyed with the Token: a plain digest of a push whose other fields are known would let
    # whoever reads the store's files try every ID number until one matched.
    digest = hmac.new(bot.config["WECHAT_TOKEN"].encode(), body, hashlib.sha256).hexdigest()
    claim = (query_key, digest, ttl)
    message = inbound.message
    kind = kind_of(message)
    metrics.push(kind, event_of(message) if kind == "event" else None)
    _run_hooks(bot.before_message, request_id, inbound)
    try:
        reply = bot.engine.handle(inbound.message, claim, arrived)
    except ClaimConflict:
        raise Forbidden("signed query reused with a different body") from None
    except Exception:  # the platform must never see a 500: log, then tell it to stop retrying
        log.exception("message handling failed [request %s]", request_id)
        reply = ""
    _run_hooks(bot.after_message, request_id, inbound, reply)
    return bot.codec.encode(reply, inbound), 200


def claim_ttl(tolerance: int, session_ttl: int) -> int:
    """As long as the query's timestamp can still pass the check, so a replay never finds it free.

    A timestamp passes from `tolerance` seconds ahead of now to `tolerance` behind: 2x. With no
    tolerance it passes forever, so the claim outlives everything the store keeps of a follower.
    """
    if tolerance == 0:
        return session_ttl + SESSION_GRACE
    return max(2 * tolerance + 1, MIN_CLAIM_TTL)


def _run_hooks(hooks: list, request_id: str, *args: object) -> None:
    """Observers (the recorder, the mock API) must never turn a push into a 500 or a lost reply."""
    for hook in hooks:
        try:
            hook(*args)
        except Exception:  # logged with its traceback; the push is answered as if unobserved
            log.exception("message hook %s failed [request %s]",
                          getattr(hook, "__qualname__", hook), request_id)


def _too_large(request_id: str) -> tuple[str, int]:
    log.warning("refused POST /wechat: body over %d bytes [request %s]", MAX_BODY, request_id)
    return f"413 body over {MAX_BODY} bytes", 413


class _Request(Request):
    """werkzeug's request, its `args` built without parse_qsl when nothing in the query is
    escaped (the platform's: hex, digits, an openid): parse_qsl unquotes every name and value,
    ~35 µs here for the platform's four. Anything with '%' or '+' goes to werkzeug."""

    @cached_property
    def args(self) -> MultiDict[str, str]:
        query = self.query_string.decode()
        if "%" in query or "+" in query:
            return super().args
        pairs = []
        for part in query.split("&"):
            if part:  # as parse_qsl with keep_blank_values: 'a' is ('a', ''), '' is skipped
                name, _, value = part.partition("=")
                pairs.append((name, value))
        return self.parameter_storage_class(pairs)


# Flask's signals around a request: a receiver connected to any of them needs Flask's path.
SIGNALS = (signals.request_started, signals.request_finished, signals.got_request_exception,
           signals.appcontext_pushed, signals.appcontext_popped, signals.appcontext_tearing_down,
           signals.request_tearing_down)


class Direct:
    """POST /wechat without Flask's request cycle (contexts, routing, hooks, Response object):
    ~150 µs of a push's ~1.3 ms went there, for a view that needs none of it. Taken only while
    the app has nothing Flask would run around this view (hooks of its own, the simulator's
    observers, signal receivers, a server name): otherwise, and for every other request, the
    app as Flask serves it. Same answer either way: `answer` makes both, the status line and
    headers are werkzeug's, and the log lines carry the same request id."""

    def __init__(self, app: Flask, inner: Callable[..., Iterable[bytes]]) -> None:
        self.app, self.inner = app, inner

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/wechat" or environ.get("REQUEST_METHOD") != "POST" \
                or not self._plain():
            return self.inner(environ, start_response)
        request_id = environ.get("HTTP_X_REQUEST_ID", "")[:64] or os.urandom(6).hex()
        token = logs.REQUEST_ID.set(request_id)
        try:
            text, status = answer(bot_of(self.app), _Request(environ), request_id)
        except Exception:
            if self._propagate():
                raise
            self.app.logger.error("Exception on /wechat [POST]", exc_info=True)
            return InternalServerError()(environ, start_response)
        finally:
            logs.REQUEST_ID.reset(token)
        data = text.encode()
        kind = "application/xml" if status == 200 and text != "success" else "text/plain"
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}",
                       [("Content-Type", f"{kind}; charset=utf-8"),
                        ("Content-Length", str(len(data)))])
        return [data]

    def _plain(self) -> bool:
        app, bot = self.app, bot_of(self.app)
        if bot.before_message or bot.after_message or app.after_request_funcs \
                or app.teardown_request_funcs or app.teardown_appcontext_funcs \
                or app.url_value_preprocessors or app.config.get("SERVER_NAME") \
                or app.config.get("MAX_CONTENT_LENGTH") is not None or app.url_map.host_matching:
            return False
        for signal in SIGNALS:
            if signal.receivers:
                return False
        for funcs in app.before_request_funcs.values():
            if funcs and funcs != [_request_id]:
                return False
        return True

    def _propagate(self) -> bool:
        propagate = self.app.config.get("PROPAGATE_EXCEPTIONS")
        return bool(self.app.testing or self.app.debug if propagate is None else propagate)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.wsgi_app = Direct(app, app.wsgi_app)  # type: ignore[method-assign]
