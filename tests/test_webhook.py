"""The /wechat endpoint against the platform's rules: signatures, modes, refusals, retries."""

from __future__ import annotations

import json
import logging
import time

import pytest
from wechatpy.crypto import WeChatCrypto

from bot import create_app
from bot.app import bot_of
from bot.protocol import sign
from tests.conftest import SAMPLES, TOKEN
from tests.people import ZHANG


def signed(token: str = TOKEN, timestamp: str | None = None, nonce: str = "4242") -> dict:
    timestamp = timestamp or str(int(time.time()))
    return {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def vector(name: str) -> dict:
    """An official sample from WXBOT_PLATFORM_SAMPLES (gathered elsewhere, not kept); else skip."""
    path = SAMPLES / "crypto_vectors.json"
    if not path.exists():
        pytest.skip(f"no platform samples at {SAMPLES} (tests/test_crypto_wechatpy.py covers "
                    "the crypto without them)")
    return {v["id"]: v for v in json.loads(path.read_text())["vectors"]}[name]


@pytest.fixture
def now_app(make_app):
    """An app on real time, for requests signed by hand."""
    return make_app(CLOCK=None)


def test_verify_url_echoes_echostr(client, wechat):
    answer = wechat.verify_url("1234567890")
    assert (answer.status, answer.body) == (200, "1234567890")


@pytest.mark.parametrize(("change", "value"), [
    ("signature", "0" * 40),
    ("nonce", "tampered"),
    ("timestamp", "12345"),
    ("timestamp", "not-a-number"),
])
def test_verify_url_refuses_bad_signature_or_time(now_app, change, value):
    query = {**signed(), "echostr": "hello", change: value}
    answer = now_app.test_client().get("/wechat", query_string=query)
    assert answer.status_code == 403
    assert b"hello" not in answer.data


def test_verify_url_official_example(make_app):
    v = vector("official_doc_url_verify_plain")
    app = make_app(WECHAT_TOKEN=v["token"], WECHAT_AES_KEY=None, WECHAT_APP_ID=None,
                   WECHAT_TIMESTAMP_TOLERANCE=0, CLOCK=None)
    query = {k: v[k] for k in ("signature", "timestamp", "nonce", "echostr")}
    answer = app.test_client().get("/wechat", query_string=query)
    assert answer.data.decode() == v["expected_response_body"]


def test_official_compat_sample_verifies_and_decrypts(make_app):
    v = vector("oa_official_sample_decrypt")
    app = make_app(WECHAT_TOKEN=v["token"], WECHAT_AES_KEY=v["encoding_aes_key"],
                   WECHAT_APP_ID=v["app_id"], WECHAT_TIMESTAMP_TOLERANCE=0, CLOCK=None)
    query = {"timestamp": v["timestamp"], "nonce": v["nonce"], "encrypt_type": "aes",
             "msg_signature": v["msg_signature"],
             "signature": sign(v["token"], v["timestamp"], v["nonce"])}
    answer = app.test_client().post("/wechat", query_string=query, data=v["raw_post_body"])
    assert answer.status_code == 200
    crypto = WeChatCrypto(v["token"], v["encoding_aes_key"], v["app_id"])
    sealed = crypto.decrypt_message(answer.data.decode(), *_envelope(answer.data.decode()))
    assert "<ToUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></ToUserName>" in sealed


def test_official_safe_mode_sample_decrypts_to_its_plaintext():
    """The doc's example is a mini-program JSON push; the cipher layer is the same."""
    from wechatpy.crypto import PrpCrypto

    from bot.protocol import Codec

    v = vector("official_doc_safe_mode_decrypt")
    codec = Codec(v["token"], v["encoding_aes_key"], v["app_id"], tolerance=0)
    assert sign(v["token"], v["timestamp"], v["nonce"], v["encrypt"]) == v["msg_signature"]
    plain = PrpCrypto(codec.crypto.key).decrypt(v["encrypt"], v["app_id"])
    assert plain == v["expected_plaintext"]


def _envelope(xml: str) -> tuple[str, str, str]:
    import xmltodict

    doc = xmltodict.parse(xml)["xml"]
    return doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"]


def test_text_reply_in_every_mode(app, platform_for, clock, mode):
    wechat = platform_for(app, mode)
    delivery = wechat.text("oBob", "菜单")
    assert delivery.ok, delivery.error
    assert delivery.reply["ToUserName"] == "oBob"
    assert delivery.reply["FromUserName"] == wechat.account
    assert int(delivery.reply["CreateTime"]) == int(clock.now())
    assert "绑定社保卡" in delivery.text
    assert ("<Encrypt>" in delivery.body) == (mode != "plaintext")


def test_retries_get_the_first_reply_and_run_once(app, platform_for, clock):
    wechat = platform_for(app, "safe")
    xml = wechat.build("text", "oCarol", Content="绑定社保卡")
    first, second, third = (wechat.send_xml(xml, user="oCarol") for _ in range(3))
    # byte for byte inside the envelope
    assert first.reply_xml == second.reply_xml == third.reply_xml
    assert first.body != second.body  # ...each sealed afresh
    clock.advance(5)
    # Had the retries been processed, the flow would have taken "绑定社保卡" as an ID number.
    assert "身份证" in wechat.text("oCarol", "帮助").text


def test_retried_event_is_answered_once(wechat):
    xml = wechat.build("event_subscribe", "oDan")
    replies = {wechat.send_xml(xml, user="oDan").reply_xml for _ in range(3)}
    assert len(replies) == 1 and "欢迎" in replies.pop()


def test_retry_record_lives_in_the_store_across_processes(wechat, make_app, platform_for):
    xml = wechat.build("text", "oEve", Content="绑定社保卡")
    first = wechat.send_xml(xml, user="oEve")
    elsewhere = platform_for(make_app())  # a second worker on the same SQLite file
    again = elsewhere.send_xml(xml, user="oEve")
    assert again.reply_xml == first.reply_xml


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>
<Content>&lol9;</Content></xml>"""
EXTERNAL = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>
<Content>&e;</Content><MsgId>1</MsgId><CreateTime>1</CreateTime></xml>"""


@pytest.mark.parametrize(("body", "status"), [
    (BILLION_LAUGHS, 400),
    (EXTERNAL, 400),
    ("<xml><ToUserName>gh</ToUserName>", 400),
    ("not xml at all", 400),
    ("", 400),
    ("<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType></xml>", 400),
    ("<other><ToUserName>gh</ToUserName></other>", 400),
    ("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>"
     "<CreateTime>soon</CreateTime></xml>", 400),
    ("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>"
     "<Content>a</Content><Content>b</Content></xml>", 400),
    ("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>"
     "<Content><b>bold</b></Content></xml>", 400),
    ("<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><MsgType>event</MsgType>"
     "<Event>subscribe</Event><CreateTime>311853000000</CreateTime></xml>", 400),
    ("<xml>" + "<a>b</a>" * 9000 + "</xml>", 413),
])
def test_bad_bodies_are_refused_cleanly(now_app, body, status):
    started = time.perf_counter()
    answer = now_app.test_client().post("/wechat", query_string=signed(), data=body)
    assert answer.status_code == status
    assert time.perf_counter() - started < 0.5


def test_wrong_msg_signature_and_undecryptable_payload(now_app):
    encrypted = {**signed(), "encrypt_type": "aes", "msg_signature": "0" * 40}
    body = "<xml><ToUserName>gh</ToUserName><Encrypt>AAAA</Encrypt></xml>"
    client = now_app.test_client()
    assert client.post("/wechat", query_string=encrypted, data=body).status_code == 403
    q = {**signed(nonce="77"), "encrypt_type": "aes"}
    q["msg_signature"] = sign(TOKEN, q["timestamp"], q["nonce"], "AAAA")
    assert client.post("/wechat", query_string=q, data=body).status_code == 400


def test_signed_query_reused_with_another_body_is_refused(now_app):
    client, query = now_app.test_client(), signed(nonce="reuse")
    body = ("<xml><ToUserName>gh</ToUserName><FromUserName>oF</FromUserName><CreateTime>{t}"
            "</CreateTime><MsgType>text</MsgType><Content>{c}</Content><MsgId>{i}</MsgId></xml>")
    t = query["timestamp"]
    assert client.post("/wechat", query_string=query, data=body.format(t=t, c="菜单", i=1)
                       ).status_code == 200
    assert client.post("/wechat", query_string=query, data=body.format(t=t, c="菜单", i=1)
                       ).status_code == 200  # a retry: same body
    assert client.post("/wechat", query_string=query, data=body.format(t=t, c="x", i=2)
                       ).status_code == 403


def test_refusals_are_logged_with_request_id_and_nothing_personal(now_app, caplog):
    caplog.set_level(logging.INFO)
    secret = ZHANG.id
    body = f"<xml><ToUserName>gh</ToUserName><Content>{secret}</Content></xml>"
    answer = now_app.test_client().post("/wechat", query_string=signed(), data=body,
                                        headers={"X-Request-Id": "req-123"})
    assert answer.status_code == 400
    assert "req-123" in caplog.text
    assert secret not in caplog.text



PUSH = ("<xml><ToUserName>gh</ToUserName><FromUserName>oDigits</FromUserName>"
        "<CreateTime>{t}</CreateTime><MsgType>{kind}</MsgType>{extra}<MsgId>{i}</MsgId></xml>")


@pytest.mark.parametrize("timestamp", ["²", "①", "١٧٠٠٠٠٠٠٠٠", "+1700000000", " 1700000000"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_timestamp_of_non_ascii_digits_is_forbidden(now_app, method, timestamp):
    """str.isdigit() takes '²' and '١'; int() then fails or reads them: both must be a 403."""
    query = {**signed(timestamp=timestamp), "echostr": "e"}
    body = PUSH.format(t=1, kind="text", extra="<Content>菜单</Content>", i=1)
    answer = now_app.test_client().open("/wechat", method=method, query_string=query, data=body)
    assert answer.status_code == 403
    assert b"timestamp" in answer.data


@pytest.mark.parametrize(("kind", "extra", "t", "i"), [
    ("text", "<Content>菜单</Content>", "²", "1"),
    ("text", "<Content>菜单</Content>", "١٧٠٠٠٠٠٠٠٠", "1"),
    ("text", "<Content>菜单</Content>", "{now}", "¹²"),
    ("text", "<Content>菜单</Content>", "{now}", "４２"),  # full-width digits
    ("event", "<Event>LOCATION</Event><Latitude>²</Latitude><Longitude>1</Longitude>", "{now}",
     "1"),
    ("location", "<Location_X>23.1</Location_X><Location_Y>1</Location_Y><Scale>①</Scale>",
     "{now}", "1"),
    ("event", "<Event>MASSSENDJOBFINISH</Event><MsgID>٣</MsgID>", "{now}", "1"),
])
def test_numeric_fields_of_non_ascii_digits_are_refused(now_app, kind, extra, t, i, caplog):
    query = signed()
    body = PUSH.format(t=t.format(now=query["timestamp"]), kind=kind, extra=extra, i=i)
    answer = now_app.test_client().post("/wechat", query_string=query, data=body)
    assert answer.status_code == 400, answer.data
    assert "handling failed" not in caplog.text


def _deep(depth: int) -> str:
    return "<a>" * depth + "x" + "</a>" * depth


@pytest.mark.parametrize(("depth", "status"), [(4, 200), (8, 200), (9, 400), (9000, 400)])
def test_deep_nesting_is_refused_before_the_recorder_sees_it(tmp_path, depth, status, caplog):
    app = create_app({"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path),
                      "BOT_RECORD_DIR": str(tmp_path / "rec")})
    query = signed()
    body = PUSH.format(t=query["timestamp"], kind="text",
                       extra=f"<Content>菜单</Content><Extra>{_deep(depth - 1)}</Extra>", i=7)
    answer = app.test_client().post("/wechat", query_string=query, data=body)
    bot_of(app).close()
    assert answer.status_code == status, answer.data[:200]
    recorded = (tmp_path / "rec" / "traffic.jsonl").read_text().splitlines()
    assert len(recorded) == (1 if status == 200 else 0)
    assert "failed" not in caplog.text


@pytest.mark.parametrize("hooks", ["before_message", "after_message"])
def test_a_failing_hook_never_costs_the_reply(app, wechat, hooks, caplog):
    def explode(*_args):
        raise RecursionError("an observer broke")

    getattr(bot_of(app), hooks).append(explode)
    delivery = wechat.text("oHook", "菜单")
    assert (delivery.status, delivery.ok) == (200, True), delivery.error
    assert "绑定社保卡" in delivery.text
    assert "hook" in caplog.text and "explode" in caplog.text


def _push(content: str, msg_id: int, at: int) -> str:
    return PUSH.format(t=at, kind="text", extra=f"<Content>{content}</Content>", i=msg_id)


@pytest.mark.parametrize(("tolerance", "ahead", "later"), [
    (0, -10**6, 301),        # time unchecked: an old query is signed for good...
    (0, -10**6, 86_000),     # ...so its claim outlives the platform's retries by far
    (300, 299, 400),         # signed 299 s ahead: its timestamp still passes 400 s on
    (60, 59, 100),
])
def test_a_signed_query_stays_bound_to_its_body_while_it_can_pass(tmp_path, tolerance, ahead,
                                                                  later):
    from bot.clock import ManualClock

    clock = ManualClock(float(int(time.time())))
    app = create_app({"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path), "CLOCK": clock,
                      "WECHAT_TIMESTAMP_TOLERANCE": tolerance})
    client = app.test_client()
    query = signed(timestamp=str(int(clock.now()) + ahead), nonce="once")
    first = client.post("/wechat", query_string=query, data=_push("菜单", 1, 1))
    clock.advance(later)
    replayed = client.post("/wechat", query_string=query, data=_push("绑定社保卡", 2, 2))
    bot_of(app).close()
    assert first.status_code == 200
    assert replayed.status_code == 403


class _StalledBody:
    """A request body whose reads time out, as under gunicorn_conf's body deadline."""

    def read(self, *_args) -> bytes:
        raise TimeoutError("request body not complete within 1.0 s")

    readinto = readline = read


def test_a_body_that_times_out_is_a_408_that_changes_nothing(now_app, caplog):
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    environ = EnvironBuilder(path="/wechat", method="POST", query_string=signed()).get_environ()
    environ.update({"wsgi.input": _StalledBody(), "CONTENT_LENGTH": "400",
                    "wsgi.input_terminated": True})  # as gunicorn: werkzeug reads it unwrapped
    _, status, _ = run_wsgi_app(now_app, environ, buffered=True)
    assert status.startswith("408")
    assert "handling failed" not in caplog.text and "not received in time" in caplog.text


@pytest.mark.parametrize(("app_id", "cipher", "said"), [
    ("wx00000000000000ff", None, "another account"),  # sealed for another AppID
    (None, "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", "cannot be decrypted"),
])
def test_undecryptable_push_is_refused_in_our_own_words(now_app, app_id, cipher, said):
    """Issue 19.9: the 400 says what was wrong, never which library's exception said it."""
    import xmltodict

    query = signed(nonce="sealed")
    if cipher is None:
        sealed = WeChatCrypto(TOKEN, now_app.config["WECHAT_AES_KEY"], app_id).encrypt_message(
            PUSH.format(t=query["timestamp"], kind="text", extra="<Content>菜单</Content>", i=9),
            query["nonce"], query["timestamp"])
        cipher = xmltodict.parse(sealed)["xml"]["Encrypt"]
    query.update(encrypt_type="aes",
                 msg_signature=sign(TOKEN, query["timestamp"], query["nonce"], cipher))
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt>{cipher}</Encrypt></xml>"
    answer = now_app.test_client().post("/wechat", query_string=query, data=body)
    assert answer.status_code == 400
    assert said in answer.get_data(as_text=True)
    assert "Exception" not in answer.get_data(as_text=True)
