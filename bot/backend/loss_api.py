"""The loss-report endpoints of the mock backend's API, beside the contract ones (api.py).

`POST /backend/v1/cards/<n>/report-loss` and `/lift-loss` take `{"openid", "key"?}` (the key
makes a redelivered request get the first answer) and answer `{"record", "card"}`;
`GET /backend/v1/cards/<n>/losses` lists the card's audit records and its running report.
Same error shapes as the rest of the API: 400 a bad body, 404 an unknown card, 409 a refusal
named by its code.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from bot.backend import rpc
from bot.backend.hosting import _backend, _body, _error
from bot.backend.losses import record_json
from flows.port import BackendError

loss_api = Blueprint("loss_api", __name__, url_prefix="/backend/v1")


@loss_api.errorhandler(rpc.BadCall)
def _bad_request(exc: ValueError) -> tuple[Response, int]:
    return _error(400, "bad_request", str(exc))


@loss_api.errorhandler(BackendError)
def _refused(exc: BackendError) -> tuple[Response, int]:
    if exc.code == "card_unknown":
        return _error(404, "not_found", "no such card")
    return _error(409, exc.code)


def _change(card_number: str, action: str) -> Any:
    body = _body()
    openid, key = body.get("openid"), body.get("key")
    if set(body) - {"openid", "key"}:
        raise rpc.BadCall("send {\"openid\": OPENID, \"key\": IDEMPOTENCY_KEY (optional)}")
    if not isinstance(openid, str) or not openid or len(openid) > rpc.MAX_TEXT:
        raise rpc.BadCall("'openid' must be a non-empty string")
    if key is not None and (not isinstance(key, str) or len(key) > rpc.MAX_TEXT):
        raise rpc.BadCall("'key' must be a string")
    change = getattr(_backend(), f"{action}_loss")
    record = change(card_number, openid, key=key)
    return {"record": record_json(record), "card": _backend().card_view(card_number)}


@loss_api.post("/cards/<card_number>/report-loss")
def report_loss(card_number: str) -> Any:
    return _change(card_number, "report")


@loss_api.post("/cards/<card_number>/lift-loss")
def lift_loss(card_number: str) -> Any:
    return _change(card_number, "lift")


@loss_api.get("/cards/<card_number>/losses")
def losses(card_number: str) -> Any:
    history = getattr(_backend(), "loss_history", None)
    if history is None:
        return _error(404, "not_found", "this backend keeps no loss audit")
    if _backend().card(card_number) is None:
        return _error(404, "not_found", "no such card")
    return {"records": [record_json(r) for r in history(card_number)],
            "running": _backend().running_loss(card_number)}  # type: ignore[attr-defined]
