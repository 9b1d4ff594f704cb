"""Subscribe notices over HTTP: bizsend under /cgi-bin, the template library under
/wxaapi/newtmpl (no /cgi-bin, as on the platform), and the simulator's popup control.

`POST /sim/api/subscribe {"user", "template" (an id or a list), "accept", "scene"?,
"settings"?}` plays the follower's answer to the popup (scene 1 H5 page, 2 article) or, with
`settings`, a refusal in the 服务通知 settings page; the bot is told by the push the platform
sends. `GET /sim/api/subscribe?user=` shows that follower's grants.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from bot.sim.mockplatform import library
from bot.sim.mockplatform.cgi import body_json, mock
from bot.sim.mockplatform.errors import OK, ApiRefusal, error_body
from bot.sim.mockplatform.subscribe import SCENES

subscribe_api = Blueprint("sim_subscribe", __name__)
newtmpl = Blueprint("sim_newtmpl", __name__, url_prefix="/wxaapi/newtmpl")
MAX_LIMIT = 30  # getpubtemplatetitles' page size at most


@subscribe_api.errorhandler(ApiRefusal)
@newtmpl.errorhandler(ApiRefusal)
def _refused(exc: ApiRefusal) -> Any:
    return jsonify(error_body(exc.errcode, exc.detail))


@subscribe_api.post("/cgi-bin/message/subscribe/bizsend")
def bizsend() -> Any:
    mock().enter("subscribe", request.args.get("access_token"))
    mock().send_subscribe(body_json())
    return jsonify(OK)


def _enter() -> None:
    mock().enter("newtmpl", request.args.get("access_token"))


@newtmpl.get("/getcategory")
def getcategory() -> Any:
    _enter()
    return jsonify({**OK, "data": library.CATEGORIES})


@newtmpl.get("/getpubtemplatetitles")
def getpubtemplatetitles() -> Any:
    _enter()
    args = request.args
    if not args.get("ids"):
        raise ApiRefusal(200018)
    if not all(part.isdigit() for part in args["ids"].split(",")):
        raise ApiRefusal(200019)  # quoted ids, as a community report found
    start, limit = args.get("start", "0"), args.get("limit", str(MAX_LIMIT))
    if not start.isdigit():
        raise ApiRefusal(200016)
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise ApiRefusal(200017)
    ids = {int(part) for part in args["ids"].split(",")}
    found = [{"tid": tid, "title": title, "type": kind, "categoryId": str(category)}
             for tid, (title, kind, category, _words) in library.TITLES.items()
             if category in ids]
    return jsonify({**OK, "count": len(found),
                    "data": found[int(start):int(start) + int(limit)]})


@newtmpl.get("/getpubtemplatekeywords")
def getpubtemplatekeywords() -> Any:
    _enter()
    tid = request.args.get("tid", "")
    if not tid.isdigit() or int(tid) not in library.TITLES:
        raise ApiRefusal(47003, "tid")
    words = library.TITLES[int(tid)][3]
    return jsonify({**OK, "count": len(words), "data": [
        {"kid": kid, "name": name, "example": example, "rule": rule}
        for kid, name, example, rule in words]})


@newtmpl.post("/addtemplate")
def addtemplate() -> Any:
    _enter()
    body = body_json()
    if not isinstance(body, dict):
        raise ApiRefusal(47001)
    pri_id = mock().subscriptions.add(body.get("tid"), body.get("kidList"), body.get("sceneDesc"))
    return jsonify({**OK, "priTmplId": pri_id})


@newtmpl.get("/gettemplate")
def gettemplate() -> Any:
    _enter()
    return jsonify({**OK, "data": mock().subscriptions.templates()})


@newtmpl.post("/deltemplate")
def deltemplate() -> Any:
    _enter()
    body = body_json()
    mock().subscriptions.delete(body.get("priTmplId") if isinstance(body, dict) else None)
    return jsonify(OK)


def _bad(detail: str) -> Any:
    return jsonify(error="bad_request", detail=detail), 400


@subscribe_api.get("/sim/api/subscribe")
def grants() -> Any:
    user = request.args.get("user", "").strip()
    if not user:
        return _bad("query parameter 'user' is required")
    return jsonify(user=user, grants=mock().subscriptions.grants(user))


@subscribe_api.post("/sim/api/subscribe")
def decide() -> Any:
    body = request.get_json(force=True, silent=True)
    body = body if isinstance(body, dict) else {}
    user, template = body.get("user"), body.get("template")
    templates = [template] if isinstance(template, str) else template
    if not isinstance(user, str) or not 0 < len(user) <= 64:
        return _bad("'user' must be the follower's openid")
    if not isinstance(templates, list) or not 0 < len(templates) <= 5 or \
            not all(isinstance(t, str) and t for t in templates):
        return _bad("'template' must be a template id, or a list of 1-5")
    accept, scene, settings = body.get("accept"), body.get("scene", 1), body.get("settings", False)
    if not isinstance(accept, bool) or not isinstance(settings, bool):
        return _bad("'accept' (and 'settings') must be true or false")
    if scene not in SCENES or isinstance(scene, bool):
        return _bad("'scene' must be 1 (H5 page) or 2 (article)")
    if settings and accept:
        return _bad("the settings page only refuses (the platform pushes only refusals)")
    try:
        mock().subscriptions.decide(user, templates, accept, scene=scene, settings=settings)
    except ApiRefusal:
        return _bad("'template' names a template the account does not have (gettemplate)")
    except ValueError as exc:
        return _bad(str(exc))
    return jsonify(user=user, grants=mock().subscriptions.grants(user))
