"""Issue 19.1: a signed query seen once (a proxy's log) cannot carry a forged body, in any mode.

Against a real `wxbot serve`: the genuine push is sealed by the platform client; the forger has
its signature/timestamp/nonce but not the key, and pairs them with a plaintext body naming
another follower.
"""

from __future__ import annotations

import time

import pytest
import requests

from bot.config import ConfigError, load_config
from bot.sim.wire.client import PlatformClient
from tests.conftest import AES_KEY, APP_ID, TOKEN

pytestmark = pytest.mark.e2e

FORGED = ("<xml><ToUserName>gh</ToUserName><FromUserName>{user}</FromUserName>"
          "<CreateTime>{t}</CreateTime><MsgType>text</MsgType><Content>菜单</Content>"
          "<MsgId>{i}</MsgId></xml>")
SIGNED = ("signature", "timestamp", "nonce")


def _forge(url: str, query: dict[str, str], user: str = "oVictim") -> requests.Response:
    """The genuine query's signature, a plaintext body of the forger's choosing."""
    plain = {k: query[k] for k in SIGNED}
    body = FORGED.format(user=user, t=int(time.time()), i=time.time_ns())
    return requests.post(f"{url}/wechat", params=plain, data=body.encode(), timeout=5)


@pytest.fixture(params=["compat", "safe"])
def sealed_server(request, served):
    """A bot with an AES key: compat (the default with a key) or safe."""
    mode = {} if request.param == "compat" else {"WECHAT_MODE": "safe"}
    return request.param, served(WECHAT_AES_KEY=AES_KEY, WECHAT_APP_ID=APP_ID, **mode)


def test_forged_push_reusing_a_sealed_pushs_query_is_refused(sealed_server):
    mode, server = sealed_server
    with PlatformClient(server.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID, mode="safe") as wx:
        genuine = wx.text("oOwner", "菜单")
        assert genuine.ok and "绑定社保卡" in genuine.text
        again = wx.post(genuine.request_body, dict(genuine.query))  # the platform's retry
    assert again.status == 200 and again.text == genuine.text  # the first reply, again
    forged = _forge(server.url, genuine.query)
    assert forged.status_code == 403
    assert "绑定社保卡" not in forged.text


def test_safe_mode_refuses_a_correctly_signed_plaintext_push(served):
    server = served(WECHAT_AES_KEY=AES_KEY, WECHAT_APP_ID=APP_ID, WECHAT_MODE="safe")
    with PlatformClient(server.url, TOKEN) as wx:
        plain = wx.text("oPlain", "菜单")
    assert plain.status == 403
    with PlatformClient(server.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID, mode="safe") as wx:
        assert "绑定社保卡" in wx.text("oPlain", "菜单").text


def test_safe_mode_on_a_cluster_claims_with_the_follower_and_refuses_another_body(
        served, redis_cluster_url):
    """Safe mode binds a query to its sealed body and follower, so on a Redis Cluster the claim
    is kept in the follower's slot (inside the push's first script): the same query with
    another body is still refused, and a plaintext forgery is refused before any claim."""
    import redis

    server = served(WECHAT_AES_KEY=AES_KEY, WECHAT_APP_ID=APP_ID, WECHAT_MODE="safe",
                    BOT_STORE=redis_cluster_url)
    owner = f"oOwner{time.time_ns()}"
    with PlatformClient(server.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID, mode="safe") as wx:
        genuine = wx.text(owner, "菜单")
        assert genuine.ok and "绑定社保卡" in genuine.text
        again = wx.post(genuine.request_body, dict(genuine.query))  # the platform's retry
        assert again.status == 200 and again.text == genuine.text
        # The same sealed message in another envelope: msg_signature holds, the body differs.
        other = wx.post(genuine.request_body.replace("<xml>", "<xml><Note>x</Note>", 1),
                        dict(genuine.query))
    assert other.status == 403
    assert _forge(server.url, genuine.query).status_code == 403
    nodes = redis.RedisCluster.from_url(redis_cluster_url.replace("redis+cluster", "redis"))
    try:
        assert list(nodes.scan_iter(match=f"wxbot:{{{owner}}}:req:q:*")), "not in their slot"
        assert not list(nodes.scan_iter(match=f"wxbot:req:q:*{genuine.query['nonce']}"))
    finally:
        nodes.close()


def test_compat_mode_still_takes_plaintext_pushes(served):
    server = served(WECHAT_AES_KEY=AES_KEY, WECHAT_APP_ID=APP_ID)
    with PlatformClient(server.url, TOKEN) as wx:
        assert "绑定社保卡" in wx.text("oPlain", "菜单").text


@pytest.mark.parametrize(("settings", "mode"), [
    ({}, "plaintext"),
    ({"WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID}, "compat"),
    ({"WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID, "WECHAT_MODE": "Safe"}, "safe"),
    ({"WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID, "WECHAT_MODE": "plaintext"},
     "plaintext"),
])
def test_config_mode_defaults_to_what_the_keys_allow(settings, mode):
    assert load_config({"WECHAT_TOKEN": TOKEN, **settings}, env_file="")["WECHAT_MODE"] == mode


@pytest.mark.parametrize(("settings", "named"), [
    ({"WECHAT_MODE": "safe"}, "WECHAT_AES_KEY"),
    ({"WECHAT_MODE": "secure"}, "WECHAT_MODE"),
    ({"WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID, "WECHAT_MODE": "safe",
      "BOT_SIMULATOR": "1", "BOT_SIM_PROFILE": "sandbox"}, "sandbox"),
])
def test_config_mode_refuses_what_cannot_work(settings, named):
    with pytest.raises(ConfigError, match=named):
        load_config({"WECHAT_TOKEN": TOKEN, **settings}, env_file="")


def test_sim_page_pushes_are_sealed_in_safe_mode(make_app):
    app = make_app(WECHAT_MODE="safe", BOT_SIMULATOR=True)
    client = app.test_client()
    sent = client.post("/sim/api/send", json={"user": "alice", "type": "text", "content": "菜单"})
    assert sent.status_code == 200 and sent.get_json()["ok"], sent.get_json()
    assert "<Encrypt>" in sent.get_json()["exchange"]["wire_body"]
