"""What both halves of the mock backend's HTTP API share: the hosted backend and JSON helpers.

A module of its own so the contract endpoints (mock_api.py) and the loss-report ones
(loss_api.py) both build on it without importing each other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from flask import Response, current_app, jsonify, request

from bot.backend import rpc
from bot.backend.simulated import SimulatedBackend
from bot.clock import Clock

HOSTED = "wxbot.backend"  # app.extensions key of the Hosted; read only through _hosted()


@dataclass(frozen=True)
class Hosted:
    """The backend an app serves, and the clock `POST /clock` may move (None: the backend's)."""

    backend: SimulatedBackend
    clock: Clock | None = None
    after_reset: list[Callable[[], object]] = field(default_factory=list)  # e.g. end every chat


def _hosted() -> Hosted:
    return cast(Hosted, current_app.extensions[HOSTED])


def _backend() -> SimulatedBackend:
    return _hosted().backend


def _error(status: int, error: str, detail: str = "") -> tuple[Response, int]:
    return jsonify({"error": error, "detail": detail}), status


def _body() -> dict[str, Any]:
    """The JSON object body; an absent body is {}, anything else not an object is a 400."""
    if not request.get_data():
        return {}
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise rpc.BadCall("the body must be a JSON object")
    try:  # JSON escapes can smuggle in lone surrogates, which SQLite cannot store
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise rpc.BadCall("the body holds text that is not valid Unicode") from exc
    return data
