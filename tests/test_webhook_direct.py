"""The webhook's direct path (bot/server/webhook.py `Direct`) answers exactly as Flask's does.

POST /wechat skips Flask's request cycle when the app has nothing Flask would run around the
view; every push below, good or refused, must get the same status, headers and body from both.
"""

from __future__ import annotations

import io
import logging
import time
from urllib.parse import urlencode

from werkzeug.test import EnvironBuilder

from bot.app import bot_of
from bot.protocol import sign
from bot.server.webhook import Direct
from tests.conftest import TOKEN


def _query(timestamp: str, nonce: str = "4242", **extra: str) -> dict:
    return {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp,
            "nonce": nonce, **extra}


def _push(user: str, content: str, msg_id: str, at: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{user}]]>"
            f"</FromUserName><CreateTime>{at}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def _requests(at: str) -> list[tuple[str, dict, bytes, dict]]:
    good = _push("oDirect1", "绑定社保卡", "100001", at)
    return [
        ("push", _query(at), good, {}),
        ("retry", _query(at), good, {}),
        ("query reused, other body", _query(at), _push("oDirect1", "x", "100002", at), {}),
        ("help", _query(at, "77"), _push("oDirect2", "帮助", "100003", at), {}),
        ("bad signature", {**_query(at), "signature": "0" * 40}, good, {}),
        ("no timestamp", {"signature": "x", "nonce": "1"}, good, {}),
        ("stale", _query("12345"), good, {}),
        ("not xml", _query(at, "5"), b"<xml><a>", {}),
        ("dtd", _query(at, "6"), b"<!DOCTYPE x [<!ENTITY a 'b'>]><xml/>", {}),
        ("no fields", _query(at, "7"), b"<xml>t</xml>", {}),
        ("missing MsgType", _query(at, "8"), b"<xml><ToUserName>a</ToUserName></xml>", {}),
        ("bad CreateTime", _query(at, "9"), _push("oDirect3", "x", "1", "12a"), {}),
        ("too large", _query(at, "10"), b"<xml>" + b"x" * 70_000 + b"</xml>", {}),
        ("sealed in plaintext", _query(at, "11", encrypt_type="aes"), good, {}),
        ("request id", _query(at, "12"), _push("oDirect4", "你好", "100004", at),
         {"X-Request-Id": "given-id"}),
    ]


def _call(app, query: dict, body: bytes, headers: dict) -> tuple[str, list, bytes]:
    env = EnvironBuilder(path="/wechat", method="POST", query_string=urlencode(query),
                         data=body, headers=headers, content_type="text/xml").get_environ()
    env["wsgi.input"] = io.BytesIO(body)
    answer: list = []
    chunks = app(env, lambda status, head, exc=None: answer.extend((status, head)))
    data = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return answer[0], sorted(answer[1]), data


def test_the_direct_path_answers_every_push_as_flask_does(make_app, caplog):
    """Two apps on one clock: one direct, one forced through Flask by an observer hook.
    (Plaintext: a sealed answer differs by its random IV; test_webhook.py's sealed pushes
    take the direct path too.)"""
    direct = make_app(WECHAT_AES_KEY=None, WECHAT_APP_ID=None)
    flask_app = make_app(WECHAT_AES_KEY=None, WECHAT_APP_ID=None)
    bot_of(flask_app).after_message.append(lambda *_: None)  # Flask's path from now on
    through_flask: list[dict] = []
    inner = direct.wsgi_app.inner
    assert isinstance(direct.wsgi_app, Direct)
    direct.wsgi_app.inner = lambda env, start: through_flask.append(env) or inner(env, start)
    at = str(int(time.time()))  # the signature's clock is the real one
    for name, query, body, headers in _requests(at):
        with caplog.at_level(logging.WARNING, logger="bot.server.webhook"):
            caplog.clear()
            ours = _call(direct, query, body, headers)
            ours_logged = [r.getMessage() for r in caplog.records]
            caplog.clear()
            theirs = _call(flask_app, query, body, headers)
            theirs_logged = [r.getMessage() for r in caplog.records]
        assert ours == theirs, name
        if headers:  # a given request id is logged as given, on both paths
            assert ours_logged == theirs_logged, name
        else:  # the same line, each with its own random id
            assert [m.rsplit("[", 1)[0] for m in ours_logged] == \
                [m.rsplit("[", 1)[0] for m in theirs_logged], name
    assert through_flask == []  # every push above took the direct path
    statuses = {_call(direct, q, b, h)[0][:3] for _, q, b, h in _requests(at)}
    assert {"200", "403", "400", "413"} <= statuses


def test_an_app_with_observers_or_other_requests_goes_through_flask(app):
    taken: list[str] = []
    inner = app.wsgi_app.inner
    app.wsgi_app.inner = lambda env, start: taken.append(env["PATH_INFO"]) or inner(env, start)
    client = app.test_client()
    client.get("/healthz")
    client.get("/wechat", query_string={"echostr": "x"})
    bot_of(app).before_message.append(lambda *_: None)
    client.post("/wechat", data=b"<xml/>")
    assert taken == ["/healthz", "/wechat", "/wechat"]
