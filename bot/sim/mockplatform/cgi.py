"""`/cgi-bin/...`: the platform's server API as the simulator plays it (docs/simulator.md).

Always HTTP 200; a refusal is `{"errcode", "errmsg"}`. Bodies are read as JSON whatever the
Content-Type (wechatpy sends none).
"""

from __future__ import annotations

import json
import time
from typing import Any, cast

from flask import Blueprint, Response, current_app, g, jsonify, request

from bot.sim.mockplatform.errors import OK, ApiRefusal, error_body
from bot.sim.mockplatform.state import MockPlatform

cgi = Blueprint("sim_cgi", __name__, url_prefix="/cgi-bin")
MOCK = "wxbot.platform_mock"  # app.extensions key of the MockPlatform; read only through mock()


def mock() -> MockPlatform:
    """This app's mock platform (set by bot.sim.mockplatform.init_app)."""
    return cast(MockPlatform, current_app.extensions[MOCK])


def body_json() -> Any:
    if not request.data:
        raise ApiRefusal(44002)
    try:
        data = json.loads(request.data)
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # lone surrogates: SQLite can't
    except ValueError:  # also bytes that are not UTF-8, and UnicodeEncodeError
        raise ApiRefusal(47001) from None
    return data


def unreachable() -> Response | None:
    """While the page's "platform unreachable" is on, every API call meets a dead gateway."""
    if mock().trouble.down():
        return Response("simulated outage: the platform cannot be reached (POST /sim/api/outage"
                        " {\"down\": false} ends it)", 503, content_type="text/plain")
    return None


cgi.before_request(unreachable)


def _enter(api: str) -> None:
    g.wxbot_api = api  # for a delay fault, slept once the call's work is done
    mock().enter(api, request.args.get("access_token"))


@cgi.after_request
def _late(response: Response) -> Response:
    """A delay fault (`/sim/api/faults` with `delay`): the call was done, its answer is late,
    as a slow platform's is; a bot whose read timeout passes cannot know it went out."""
    api = g.get("wxbot_api")
    if api is not None:
        time.sleep(mock().db.take_delay(api))
    return response


@cgi.errorhandler(ApiRefusal)
def _refused(exc: ApiRefusal) -> Any:
    return jsonify(error_body(exc.errcode, exc.detail))


@cgi.get("/token")
def token() -> Any:
    args = request.args
    return jsonify(mock().token(args.get("grant_type"), args.get("appid"), args.get("secret")))


@cgi.post("/message/custom/send")
def custom_send() -> Any:
    _enter("custom")
    mock().send_custom(body_json())
    return jsonify(OK)


@cgi.post("/message/template/send")
def template_send() -> Any:
    _enter("template")
    return jsonify({**OK, "msgid": mock().send_template(body_json())})


@cgi.post("/menu/create")
def menu_create() -> Any:
    _enter("menu")
    mock().menu_create(body_json())
    return jsonify(OK)


@cgi.get("/menu/get")
def menu_get() -> Any:
    _enter("menu")
    return jsonify(mock().menu_get())


@cgi.route("/menu/delete", methods=["GET", "POST"])
def menu_delete() -> Any:
    _enter("menu")
    mock().menu_delete()
    return jsonify(OK)


@cgi.get("/user/info")
def user_info() -> Any:
    _enter("user")
    return jsonify(mock().user_info(request.args.get("openid"), request.args.get("lang")))


@cgi.get("/customservice/getkflist")
def kf_list() -> Any:
    _enter("kf")
    return jsonify({"kf_list": [{k: v for k, v in a.items() if k != "online"}
                                for a in mock().kf.agents()]})


@cgi.get("/customservice/getonlinekflist")
def kf_online() -> Any:
    _enter("kf")
    return jsonify({"kf_online_list": mock().kf.online()})


@cgi.route("/customservice/<path:rest>", methods=["GET", "POST"])
def kf_wrong_prefix(rest: str) -> Any:
    """kfaccount/* and kfsession/* live under /customservice/, without /cgi-bin."""
    return jsonify(error_body(40066, f"/cgi-bin/customservice/{rest[:60]}"))


@cgi.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str) -> Any:
    return jsonify(error_body(48001, f"the simulator does not play /cgi-bin/{rest[:60]}"))
