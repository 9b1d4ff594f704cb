"""The mock backend's HTTP API (docs/architecture.md, "Mock backend") plus RPC and test clock.

`host(app, backend, clock)` serves a backend (`wxbot backend`, or the simulator's). Every client
mistake is a 4xx JSON `{"error": ..., "detail": ...}`; a backend refusal is 409 with the
BackendError code. `POST /clock` moves the clock the host was given (`wxbot backend
--manual-clock`, or the bot's own in simulator mode), for time-driven tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import yaml
from flask import Blueprint, Flask, Response, request

from bot.backend import rpc
from bot.backend.codes import iso
from bot.backend.hosting import HOSTED, Hosted, _backend, _body, _error, _hosted
from bot.backend.loss_api import loss_api
from bot.backend.seed import STATUSES, SeedError
from bot.backend.simulated import SimulatedBackend
from bot.clock import Clock
from flows.ids import mask_id
from flows.port import BackendError, Review

backend_api = Blueprint("backend_api", __name__, url_prefix="/backend/v1")


def host(app: Flask, backend: SimulatedBackend, clock: Clock | None = None,
         after_reset: list[Callable[[], object]] | None = None) -> None:
    """Serve `backend` at /backend/v1 from `app`; `after_reset` runs after each reset."""
    app.extensions[HOSTED] = Hosted(backend, clock, list(after_reset or ()))
    app.register_blueprint(backend_api)
    app.register_blueprint(loss_api)




@backend_api.errorhandler(rpc.BadCall)
@backend_api.errorhandler(SeedError)
def _bad_request(exc: ValueError) -> tuple[Response, int]:
    return _error(400, "bad_request", str(exc))


@backend_api.errorhandler(BackendError)
def _refused(exc: BackendError) -> tuple[Response, int]:
    return _error(409, exc.code)


def review_json(review: Review) -> dict[str, Any]:
    """A review ticket for people and scripts: the ID number masked."""
    return {
        "ref": review.ref,
        "id_number_masked": mask_id(review.id_number),
        "openid": review.openid,
        "reason": review.reason,
        "status": review.status,
        "created_at": iso(review.created_at),
    }


@backend_api.get("/cards/<card_number>")
def card(card_number: str) -> Any:
    view = _backend().card_view(card_number)
    return view if view is not None else _error(404, "not_found", "no such card")


@backend_api.post("/cards/<card_number>/verify-password")
def verify_password(card_number: str) -> Any:
    password = _body().get("password")
    if not isinstance(password, str) or len(password) > rpc.MAX_TEXT:
        raise rpc.BadCall("'password' must be a string")
    if _backend().card(card_number) is None:
        return _error(404, "not_found", "no such card")
    return {"ok": _backend().verify_password(card_number, password)}


@backend_api.get("/sms")
def sms() -> Any:
    phone = request.args.get("phone", "").strip()
    if not phone:
        raise rpc.BadCall("query parameter 'phone' is required")
    return {"messages": _backend().sms_outbox(phone)}


@backend_api.get("/reviews")
def reviews() -> Any:
    openid = request.args.get("openid") or None
    return {"reviews": [review_json(r) for r in _backend().reviews(openid)]}


@backend_api.post("/reviews/<ref>/<any(approve, reject):decision>")
def decide(ref: str, decision: str) -> Any:
    try:
        review = _backend().decide_review(ref, decision == "approve")
    except BackendError as exc:
        status = 404 if exc.code == "review_unknown" else 409
        return _error(status, exc.code)
    return {"review": review_json(review)}


@backend_api.get("/faults")
def armed_faults() -> Any:
    """What is still armed: `{"armed": {"delay", "times"}}` (times counts down per call)."""
    found = getattr(_backend(), "faults", None)
    if found is None:
        return _error(404, "not_found", "this backend takes no faults")
    return {"armed": found.armed}


@backend_api.post("/faults")
def faults() -> Any:
    """`{"delay": SECONDS, "times": K}`: the next K backend calls take SECONDS longer."""
    arm = getattr(_backend(), "arm_faults", None)
    if arm is None:
        return _error(404, "not_found", "this backend takes no faults")
    body = _body()
    if set(body) - {"delay", "times"} or "delay" not in body:
        raise rpc.BadCall("send {\"delay\": SECONDS, \"times\": K}")
    try:
        return {"armed": arm(body["delay"], body.get("times", 1))}
    except ValueError as exc:
        raise rpc.BadCall(str(exc)) from exc


@backend_api.post("/cards/<card_number>/status")
def card_status(card_number: str) -> Any:
    """Change a card's status mid-conversation (reported lost, frozen, active again)."""
    status = _body().get("status")
    if status not in STATUSES:
        raise rpc.BadCall(f"'status' must be one of {', '.join(STATUSES)}")
    try:
        _backend().set_card_status(card_number, status)
    except BackendError as exc:
        if exc.code == "card_unknown":
            return _error(404, "not_found", "no such card")
        raise
    return _backend().card_view(card_number)


@backend_api.post("/reset")
def reset() -> Any:
    """Back to the seed (or the seed document sent), and every follower's conversation ends."""
    _backend().reset(_seed_document())
    for hook in _hosted().after_reset:
        hook()  # e.g. the bot's store dropping every session: nobody is left mid-flow
    return {"ok": True}


def _seed_document() -> Mapping[str, Any] | None:
    """The seed a reset loads: none sent, the configured one; else a YAML or JSON document.

    The document is the body itself, or `{"seed": {...}}` in JSON; a path is never opened.
    """
    raw = request.get_data()
    if not raw.strip():
        return None
    if request.is_json:
        data: Any = _body()
        if set(data) == {"seed"}:
            data = data["seed"]
    else:
        try:
            data = yaml.safe_load(raw.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise rpc.BadCall(f"the seed is not a YAML or JSON document: {exc}") from exc
    if data is None or data == {}:  # `{}`: what the page and scripts send for "the seed"
        return None
    if not isinstance(data, Mapping):
        raise rpc.BadCall("a seed is a document of people/cards/guardianships, not a file path")
    return data


@backend_api.post("/rpc/<method>")
def call(method: str) -> Any:
    if method not in rpc.METHODS:
        return _error(404, "not_found", f"no method {method!r}")
    args = rpc.parse_args(method, _body())
    return {"result": rpc.encode(getattr(_backend(), method)(**args))}


def _clock() -> Clock:
    found = _hosted().clock
    return found or getattr(_backend(), "clock", None) or Clock()


@backend_api.get("/clock")
def clock() -> Any:
    return {"now": _clock().now(), "today": _clock().today().isoformat()}


@backend_api.post("/clock")
def move_clock() -> Any:
    target = _hosted().clock
    if target is None:
        return _error(404, "not_found", "start the server with --manual-clock to move time")
    body = _body()
    advance, today = body.get("advance", 0), body.get("today")
    if isinstance(advance, bool) or not isinstance(advance, int | float):
        raise rpc.BadCall("'advance' must be a number of seconds")
    if not 0 <= advance <= 10 * 366 * 86400:  # also refuses NaN
        raise rpc.BadCall("'advance' must be between 0 and ten years")
    if today is not None:
        try:
            target.set_today(date.fromisoformat(today))
        except (TypeError, ValueError) as exc:
            raise rpc.BadCall("'today' must be a date YYYY-MM-DD") from exc
    target.advance(advance)
    return clock()
