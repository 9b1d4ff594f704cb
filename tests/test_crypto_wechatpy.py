"""The crypto against an implementation nobody here wrote: wechatpy plays the platform.

Keys, tokens and AppIDs are made at test time, so these vectors need no data from elsewhere
(the official samples, from WXBOT_PLATFORM_SAMPLES, are tested as well when present:
tests/test_webhook.py).
"""

from __future__ import annotations

import base64
import random
import secrets
import string
import time

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.app import bot_of, create_app

PLAIN = ("<xml><ToUserName><![CDATA[gh_{acct}]]></ToUserName><FromUserName><![CDATA[{user}]]>"
         "</FromUserName><CreateTime>{t}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
         "<Content><![CDATA[{content}]]></Content><MsgId>{i}</MsgId></xml>")


def _account(seed: int) -> dict:
    """A fresh account: token, 43-character EncodingAESKey, AppID, as the platform issues them."""
    rng = random.Random(seed)  # reproducible per id; not secret, nothing real uses them
    key = base64.b64encode(rng.randbytes(32)).decode()[:-1]  # 43 chars, the last '=' dropped
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))
    return {"token": token, "key": key, "app_id": "wx" + rng.randbytes(8).hex()}


def _signed(token: str, *parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(token, *parts)
    return signer.signature


@pytest.fixture(params=range(3), ids=lambda n: f"account{n}")
def account(request, tmp_path):
    acct = _account(request.param)
    app = create_app({"WECHAT_TOKEN": acct["token"], "WECHAT_AES_KEY": acct["key"],
                      "WECHAT_APP_ID": acct["app_id"], "BOT_DATA_DIR": str(tmp_path)})
    acct["client"] = app.test_client()
    acct["platform"] = WeChatCrypto(acct["token"], acct["key"], acct["app_id"])
    yield acct
    bot_of(app).close()


def _push(acct: dict, content: str, *, compat: bool, app_id: str | None = None) -> tuple:
    """Query and body as the platform builds them, sealed by wechatpy."""
    ts, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    plain = PLAIN.format(acct="acct", user="oWechatpy", t=ts, content=content,
                         i=secrets.randbelow(10**12))
    sealer = acct["platform"] if app_id is None else WeChatCrypto(acct["token"], acct["key"],
                                                                  app_id)
    sealed = xmltodict.parse(sealer.encrypt_message(plain, nonce, ts))["xml"]
    fields = xmltodict.parse(plain)["xml"] if compat else {"ToUserName": "gh_acct"}
    body = xmltodict.unparse({"xml": {**fields, "Encrypt": sealed["Encrypt"]}})
    query = {"signature": _signed(acct["token"], ts, nonce), "timestamp": ts, "nonce": nonce,
             "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
    return query, body


@pytest.mark.parametrize("compat", [False, True], ids=["safe", "compat"])
def test_a_push_sealed_by_wechatpy_is_answered_in_a_reply_wechatpy_opens(account, compat):
    query, body = _push(account, "菜单", compat=compat)
    answer = account["client"].post("/wechat", query_string=query, data=body)
    assert answer.status_code == 200, answer.data
    sealed = xmltodict.parse(answer.data)["xml"]
    opened = account["platform"].decrypt_message(  # checks MsgSignature too
        answer.data.decode(), sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"])
    reply = xmltodict.parse(opened)["xml"]
    assert (reply["ToUserName"], reply["FromUserName"]) == ("oWechatpy", "gh_acct")
    assert "绑定社保卡" in reply["Content"]
    assert sealed["Nonce"] == query["nonce"]


def test_the_url_check_signed_by_wechatpy_is_echoed(account):
    ts, nonce = str(int(time.time())), "20251122"
    query = {"signature": _signed(account["token"], ts, nonce), "timestamp": ts, "nonce": nonce,
             "echostr": "6178230496912382"}
    answer = account["client"].get("/wechat", query_string=query)
    assert (answer.status_code, answer.data) == (200, b"6178230496912382")


def test_a_cipher_altered_in_transit_is_refused(account):
    query, body = _push(account, "菜单", compat=False)
    doc = xmltodict.parse(body)["xml"]
    cipher = doc["Encrypt"]
    doc["Encrypt"] = ("A" if cipher[0] != "A" else "B") + cipher[1:]
    tampered = xmltodict.unparse({"xml": doc})
    answer = account["client"].post("/wechat", query_string=query, data=tampered)
    assert answer.status_code == 403  # msg_signature no longer covers it
    resigned = {**query, "msg_signature": _signed(account["token"], query["timestamp"],
                                                  query["nonce"], doc["Encrypt"])}
    answer = account["client"].post("/wechat", query_string=resigned, data=tampered)
    assert answer.status_code == 400  # signed, but not a cipher of this key


def test_a_push_sealed_for_another_appid_is_refused(account):
    query, body = _push(account, "菜单", compat=False, app_id="wx" + "0" * 16)
    answer = account["client"].post("/wechat", query_string=query, data=body)
    assert answer.status_code == 400
