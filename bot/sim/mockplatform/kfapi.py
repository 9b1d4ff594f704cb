"""`/customservice/...`: the customer-service API, under the prefix the platform uses.

No /cgi-bin there (getkflist and getonlinekflist are the exception, served in cgi.py); a
call under the other prefix answers 40066 as the platform does (platform-more.md §0.2).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from bot.sim.mockplatform.cgi import body_json, mock, unreachable
from bot.sim.mockplatform.errors import OK, ApiRefusal, error_body

kfapi = Blueprint("sim_kf", __name__, url_prefix="/customservice")
kfapi.before_request(unreachable)  # the page's outage covers this prefix too


@kfapi.errorhandler(ApiRefusal)
def _refused(exc: ApiRefusal) -> Any:
    return jsonify(error_body(exc.errcode, exc.detail))


def _enter() -> None:
    mock().enter("kf", request.args.get("access_token"))


def _fields(*names: str) -> list[Any]:
    body = body_json()
    if not isinstance(body, dict):
        raise ApiRefusal(47001)
    return [body.get(name) for name in names]


@kfapi.post("/kfaccount/add")
def add() -> Any:
    _enter()
    mock().kf.add(*_fields("kf_account", "nickname"))  # an old SDK's `password` is ignored
    return jsonify(OK)


@kfapi.post("/kfaccount/update")
def update() -> Any:
    _enter()
    mock().kf.update(*_fields("kf_account", "nickname"))
    return jsonify(OK)


@kfapi.get("/kfaccount/del")
def delete() -> Any:
    _enter()
    mock().kf.delete(request.args.get("kf_account"))
    return jsonify(OK)


@kfapi.post("/kfsession/create")
def create() -> Any:
    _enter()
    mock().kf.take(*_fields("kf_account", "openid"))
    return jsonify(OK)


@kfapi.post("/kfsession/close")
def close() -> Any:
    _enter()
    mock().kf.release(*_fields("kf_account", "openid"))
    return jsonify(OK)


@kfapi.get("/kfsession/getsession")
def getsession() -> Any:
    _enter()
    openid = request.args.get("openid")
    if not openid:
        raise ApiRefusal(40003)
    return jsonify({**OK, **mock().kf.session_info(openid)})


@kfapi.get("/kfsession/getsessionlist")
def getsessionlist() -> Any:
    _enter()
    return jsonify({**OK, "sessionlist": mock().kf.sessions(request.args.get("kf_account"))})


@kfapi.get("/kfsession/getwaitcase")
def getwaitcase() -> Any:
    _enter()
    return jsonify({**OK, **mock().kf.waitcase()})


@kfapi.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str) -> Any:
    return jsonify(error_body(40066, f"/customservice/{rest[:60]}"))
