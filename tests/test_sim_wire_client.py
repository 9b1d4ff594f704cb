"""PlatformClient against a tiny bot: the three modes, over HTTP, and checking its replies."""

from __future__ import annotations

import pytest
import xmltodict
from flask import Flask
from wechatpy.crypto import WeChatCrypto

from bot.clock import ManualClock
from bot.sim.wire.build import cdata
from bot.sim.wire.client import PlatformClient
from bot.sim.wire.delivery import USER_SEES_ON_ERROR
from tests.servers import serving
from tests.tinybot import ACCOUNT, APP_ID, KEY, TOKEN, USER, bot_app


def client(target, mode: str = "plaintext", **options) -> PlatformClient:
    return PlatformClient(target, TOKEN, aes_key=KEY, app_id=APP_ID, mode=mode, **options)


def fields(xml: str) -> dict:
    return xmltodict.parse(xml)["xml"]


@pytest.mark.parametrize("mode", ["plaintext", "compat", "safe"])
def test_round_trip_in_every_mode(mode: str) -> None:
    app = bot_app()
    with client(app, mode) as wechat:
        assert wechat.verify_url().ok
        said = wechat.text(USER, "你好")
        assert said.ok and said.text == "echo:你好" and said.deliveries == 1
        assert said.reply["ToUserName"] == USER and said.reply["FromUserName"] == ACCOUNT
        assert wechat.click(USER, "BIND_CARD").text == "echo:click:BIND_CARD"
        assert wechat.subscribe(USER, scene=1001).text == "echo:subscribe_scan:"
        assert wechat.location(USER, 39.9, 116.4, "天安门").ok
        assert wechat.pics(USER, "PHOTO", ["1b5f7c23b5bf75682a53e7b6d163e185"]).ok
    first = app.config["RECEIVED"][0]
    assert first["xml"] == said.request_xml
    plain = list(fields(said.request_xml))
    shape = {"plaintext": plain, "compat": [*plain, "Encrypt"], "safe": ["ToUserName", "Encrypt"]}
    assert list(fields(first["body"])) == shape[mode]
    sealed = ["encrypt_type", "msg_signature"] if mode != "plaintext" else []
    assert list(first["query"]) == ["signature", "timestamp", "nonce", "openid", *sealed]


def test_round_trip_over_http() -> None:
    with serving(bot_app()) as url, client(url, "safe") as wechat:
        assert wechat.verify_url("1234567890").body == "1234567890"
        assert wechat.text(USER, "绑定社保卡").text == "echo:绑定社保卡"


def test_each_request_is_fresh_and_ids_increase() -> None:
    app = bot_app()
    with client(app, clock=ManualClock(1_795_320_000)) as wechat:
        one, two = wechat.text(USER, "a"), wechat.text(USER, "b")
        clicks = [wechat.click(USER, "K") for _ in range(2)]
    assert one.query["nonce"] != two.query["nonce"]
    assert int(fields(two.request_xml)["MsgId"]) == int(fields(one.request_xml)["MsgId"]) + 1
    times = [int(fields(c.request_xml)["CreateTime"]) for c in clicks]
    assert times[1] > times[0] and "MsgId" not in fields(clicks[0].request_xml)


def _sealed(xml: str, app_id: str = APP_ID) -> str:
    return WeChatCrypto(TOKEN, KEY, app_id).encrypt_message(xml, "123", "1795320000")


def _reply(to: str = USER, sender: str = ACCOUNT, at: str = "1795320000") -> str:
    return (
        f"<xml><ToUserName>{cdata(to)}</ToUserName><FromUserName>{cdata(sender)}</FromUserName>"
        f"<CreateTime>{at}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata('hi')}</Content></xml>"
    )


BAD = {
    "not xml": ("plaintext", lambda m, n: ("<xml><Content>oops", 200), "not well-formed"),
    "http 500": ("plaintext", lambda m, n: ("boom", 500), "HTTP 500"),
    "wrong user": ("plaintext", lambda m, n: (_reply(to="oOther"), 200), "ToUserName"),
    "wrong account": ("safe", lambda m, n: (_sealed(_reply(sender="gh_x")), 200), "FromUserName"),
    "bad time": ("plaintext", lambda m, n: (_reply(at="soon"), 200), "CreateTime"),
    "plain in safe": ("safe", lambda m, n: (_reply(), 200), "not encrypted"),
    "plain in compat": ("compat", lambda m, n: (_reply(), 200), "not encrypted"),
    "other app id": ("safe", lambda m, n: (_sealed(_reply(), "wxother"), 200), "AppID"),
    "tampered": (
        "safe",
        lambda m, n: (_sealed(_reply()).replace("<TimeStamp>1", "<TimeStamp>2"), 200),
        "MsgSignature",
    ),
    "sealed in plaintext": ("plaintext", lambda m, n: (_sealed(_reply()), 200), "cannot be read"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_reply_is_flagged_with_what_the_user_sees(case: str) -> None:
    mode, respond, reason = BAD[case]
    with client(bot_app(respond), mode) as wechat:
        delivery = wechat.text(USER, "hi")
    assert not delivery.ok and reason in delivery.error and USER_SEES_ON_ERROR in delivery.error


@pytest.mark.parametrize("body", ["success", ""])
def test_success_or_empty_is_a_fine_silent_answer(body: str) -> None:
    with client(bot_app(lambda m, n: body), "safe") as wechat:
        delivery = wechat.click(USER, "K")
    assert delivery.ok and delivery.text == "" and delivery.reply_xml is None


def test_compat_accepts_a_plain_reply_when_not_strict() -> None:
    with client(bot_app(lambda m, n: (_reply(), 200)), "compat", strict=False) as wechat:
        assert wechat.text(USER, "hi").text == "hi"


def test_a_wrong_echo_fails_url_verification() -> None:
    app = Flask("liar")
    app.add_url_rule("/wechat", view_func=lambda: "nope")
    with client(app) as wechat:
        assert not wechat.verify_url("42").ok
