"""`/sim/api/...` for the mock platform API: inject faults, read what reached a follower."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, request

from bot.sim.mockplatform.cgi import mock
from bot.sim.mockplatform.state import APIS
from bot.sim.wire.followers import BadInput, openid_of

control = Blueprint("sim_platform_control", __name__, url_prefix="/sim/api")
MAX_TIMES = 1000
MAX_DELAY = 30.0  # seconds a delay fault may hold an answer: bounded, so a typo cannot hang


def _bad(detail: str) -> Any:
    return jsonify(error="bad_request", detail=detail), 400


def _json() -> Any:
    """The JSON body, or None when it is not JSON or holds text SQLite cannot store."""
    body = request.get_json(force=True, silent=True)
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return None
    return body


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@control.post("/faults")
def faults() -> Any:
    """`{"api", "errcode", "times"}`: the next `times` calls of `api` answer `errcode`;
    `{"api", "delay", "times"}`: they do their work, then answer `delay` seconds late."""
    body = _json()
    if not isinstance(body, dict) or body.get("api") not in APIS:
        return _bad(f"'api' must be one of {', '.join(APIS)}")
    errcode, times, delay = body.get("errcode"), body.get("times", 1), body.get("delay")
    if not _int(times) or not 0 <= times <= MAX_TIMES:
        return _bad(f"'times' must be a whole number from 0 (clear) to {MAX_TIMES}")
    if delay is not None and errcode is None:
        if isinstance(delay, bool) or not isinstance(delay, int | float) \
                or not 0 <= delay <= MAX_DELAY:
            return _bad(f"'delay' must be seconds from 0 (clear) to {MAX_DELAY:g}")
        mock().db.set_delay(body["api"], float(delay), times)
        return jsonify(api=body["api"], delay=delay, times=times)
    if not _int(errcode) or errcode == 0:
        return _bad("'errcode' must be a non-zero whole number, like 40001 or -1")
    mock().db.set_fault(body["api"], errcode, times)
    return jsonify(api=body["api"], errcode=errcode, times=times)


@control.get("/faults")
def armed() -> Any:
    """What is armed on the mock platform (errcodes, delays, the outage), for the page."""
    return jsonify(mock().trouble.armed())


@control.post("/faults/clear")
def clear() -> Any:
    mock().trouble.clear()
    return jsonify(mock().trouble.armed())


@control.post("/outage")
def outage() -> Any:
    """`{"down": true}`: every API call answers HTTP 503 until `{"down": false}`."""
    body = _json()
    down = body.get("down") if isinstance(body, dict) else None
    if not isinstance(down, bool):
        return _bad("send {\"down\": true} to cut the platform off, {\"down\": false} to end it")
    mock().trouble.set_down(down, mock().clock.now())
    return jsonify(mock().trouble.armed())


@control.get("/outbound")
def outbound() -> Any:
    """What reached a follower through the API, oldest first, bodies as the bot posted them."""
    user = request.args.get("user", "").strip()
    if not user:
        return _bad("query parameter 'user' is required")
    try:  # the page's alias as /sim/api/send takes it: "alice" once read as nobody's, []
        openid = openid_of(user)
    except BadInput as exc:
        return _bad(str(exc))
    return jsonify(openid=openid, messages=mock().outbound(openid))


@control.get("/platform")
def platform() -> Any:
    """Counters of the mock: calls per API and token fetches (tests count them)."""
    return jsonify(account=mock().appid, profile="sandbox" if mock().sandbox else "official",
                   counters=mock().db.counters())


@control.post("/templates")
def templates() -> Any:
    """`{"template_id", "content"}`: define a template, as on the platform's admin page."""
    body = _json()
    template_id = body.get("template_id") if isinstance(body, dict) else None
    content = body.get("content", "") if isinstance(body, dict) else None
    if not isinstance(template_id, str) or not 0 < len(template_id) <= 128:
        return _bad("'template_id' must be text of 1-128 characters")
    if not isinstance(content, str):
        return _bad("'content' must be text like '审核结果：{{result.DATA}}'")
    mock().add_template(template_id, content)
    return jsonify(template_id=template_id)
