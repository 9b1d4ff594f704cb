"""The simulator signs and encrypts exactly like the official samples (crypto_vectors.json)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import xmltodict
from flask import Flask, request
from wechatpy.crypto import PrpCrypto

from bot.clock import ManualClock
from bot.sim.wire.build import cdata
from bot.sim.wire.client import PlatformClient
from bot.sim.wire.envelope import Envelope
from tests.conftest import SAMPLES

VECTORS = SAMPLES / "crypto_vectors.json"


def having(*keys: str) -> list:
    """Official-account vectors with any of `keys` (WeCom's encrypted echostr is not ours)."""
    if not VECTORS.exists():
        return [pytest.param(None, id="no-samples")]
    found = json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]
    official = [v for v in found if v["platform"].startswith("official") and any(map(v.get, keys))]
    return [pytest.param(v, id=v["id"]) for v in official]


@pytest.fixture
def vector(request: pytest.FixtureRequest) -> dict:
    if request.param is None:
        pytest.skip(f"no platform samples at {SAMPLES}")
    return request.param


@pytest.fixture
def fixed_random(vector: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the 16 random bytes wechatpy puts before the message, as the vectors did."""
    if "random_prefix" in vector:
        monkeypatch.setattr(PrpCrypto, "get_random_string", lambda self: vector["random_prefix"])


def recorder() -> Flask:
    """A bot that records each request's query and body and says `success`."""
    app = Flask("recorder")
    app.config["SEEN"] = seen = []

    @app.route("/wechat", methods=["GET", "POST"])
    def hook():
        seen.append((list(request.args.items(multi=True)), request.get_data(as_text=True)))
        return request.args.get("echostr", "success")

    return app


def platform(vector: dict, monkeypatch: pytest.MonkeyPatch, **options) -> PlatformClient:
    at = ManualClock(float(vector["timestamp"]))
    client = PlatformClient(recorder(), vector["token"], clock=at, signing_clock=at, **options)
    monkeypatch.setattr(client, "nonce", lambda: vector["nonce"])
    return client


@pytest.mark.parametrize("vector", having("signature", "derived_plain_signature"), indirect=True)
def test_plain_signature(vector: dict) -> None:
    expected = vector.get("signature") or vector.get("derived_plain_signature")
    query = Envelope(vector["token"]).query(vector["timestamp"], vector["nonce"])
    assert query["signature"] == expected


@pytest.mark.parametrize("vector", having("echostr"), indirect=True)
def test_url_verification_request(vector: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    with platform(vector, monkeypatch) as client:
        delivery = client.verify_url(vector["echostr"])
    assert delivery.ok and delivery.body == vector["expected_response_body"]
    sent = dict(parse_qsl(urlsplit(vector["request"]).query))
    assert dict(client.transport.app.config["SEEN"][0][0]) == sent


@pytest.mark.parametrize("vector", having("expected_encrypt"), indirect=True)
def test_encryption(vector: dict, fixed_random: None) -> None:
    env = Envelope(
        vector["token"], mode="safe", aes_key=vector["encoding_aes_key"], app_id=vector["app_id"]
    )
    encrypt = env.encrypt(vector["plaintext_in"])
    assert encrypt == vector["expected_encrypt"]
    query = env.query(vector["timestamp"], vector["nonce"], encrypt=encrypt)
    assert query["msg_signature"] == vector["expected_msg_signature"]


@pytest.mark.parametrize("vector", having("encrypt"), indirect=True)
def test_decrypting_a_sealed_reply(vector: dict) -> None:
    env = Envelope(
        vector["token"], mode="safe", aes_key=vector["encoding_aes_key"], app_id=vector["app_id"]
    )
    stamp = {"MsgSignature": vector["msg_signature"], "TimeStamp": vector["timestamp"]}
    parts = {"Encrypt": vector["encrypt"], **stamp, "Nonce": vector["nonce"]}
    reply = "<xml>" + "".join(f"<{k}>{cdata(v)}</{k}>" for k, v in parts.items()) + "</xml>"
    assert env.open_reply(reply) == vector["expected_plaintext"]


@pytest.mark.parametrize("vector", having("query"), indirect=True)
def test_a_safe_mode_push_matches(
    vector: dict, fixed_random: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole request, query and body, for the doc's worked example."""
    query = parse_qsl(vector["query"])
    keys = {"aes_key": vector["encoding_aes_key"], "app_id": vector["app_id"]}
    plain = json.loads(vector["expected_plaintext"])
    with platform(vector, monkeypatch, mode="safe", account=plain["ToUserName"], **keys) as c:
        c.send_xml(vector["expected_plaintext"], user=dict(query)["openid"])
    seen_query, body = c.transport.app.config["SEEN"][0]
    assert seen_query == query
    assert xmltodict.parse(body)["xml"]["Encrypt"] == vector["encrypt"]


@pytest.mark.parametrize("vector", having("raw_post_body"), indirect=True)
def test_compat_body_has_the_official_samples_shape(vector: dict) -> None:
    env = Envelope(
        vector["token"], mode="compat", aes_key=vector["encoding_aes_key"], app_id=vector["app_id"]
    )
    plain = xmltodict.parse(vector["expected_plaintext"])["xml"]
    body, _ = env.wrap(
        vector["expected_plaintext"], account=plain["ToUserName"], timestamp="1", nonce="1"
    )
    ours, theirs = (xmltodict.parse(b)["xml"] for b in (body, vector["raw_post_body"]))
    assert list(ours) == list(theirs)
    assert {k: v for k, v in ours.items() if k != "Encrypt"} == plain
