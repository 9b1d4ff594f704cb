"""Reset means reset: `POST /backend/v1/reset` reloads a seed document and ends every
conversation, so nobody is left mid-flow on a seed that no longer holds."""

from __future__ import annotations

import json

import pytest
import requests

from bot.sim.wire.client import PlatformClient
from bot.store import open_store
from tests.conftest import AES_KEY, APP_ID, TOKEN
from tests.people import ZHANG
from tests.servers import running

pytestmark = pytest.mark.xdist_group("test_backend_reset")

OTHER_SEED = "people: [{id_number: '11010519491231002X', name: 王五}]\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`wxbot serve` with the simulator on: the webhook and /backend/v1 in one process."""
    tmp = tmp_path_factory.mktemp("reset")
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID,
           "BOT_SIMULATOR": "1", "BOT_DATA_DIR": str(tmp / "data"), "BOT_LANG": "zh_CN"}
    with running(["serve"], env, tmp / "serve.log") as served:
        yield served


def state(server, user: str):
    return requests.get(f"{server.url}/sim/api/state", params={"user": user},
                        timeout=5).json()["session"]


def reset(server, **kwargs) -> requests.Response:
    return requests.post(f"{server.url}/backend/v1/reset", timeout=10, **kwargs)


@pytest.mark.e2e
def test_reset_ends_every_followers_conversation(server):
    with PlatformClient(server.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID) as wechat:
        for user in ("oResetAlice", "oResetBob"):
            wechat.text(user, "绑定社保卡")
            assert "姓名" in wechat.text(user, ZHANG.id).text
        assert state(server, "oResetAlice")["state"] == "ask_name"
        assert reset(server, json={}).json() == {"ok": True}
        assert state(server, "oResetAlice") is None and state(server, "oResetBob") is None
        assert "没有听懂" in wechat.text("oResetAlice", "张伟").text  # not a name any more


@pytest.mark.parametrize("bad", [
    {"json": {"seed": "fixtures/backend.yaml"}},  # a server-side path is never opened
    {"json": {"seed": "/etc/passwd"}},
    {"data": "/etc/passwd", "headers": {"Content-Type": "text/yaml"}},
    {"json": {"seed": {"people": 1}}},
    {"json": {"people": [{"id_number": "110105199001011233", "name": "x"}]}},  # bad check digit
    {"data": "people: [unclosed", "headers": {"Content-Type": "application/yaml"}},
    {"data": b"\xff\xfe", "headers": {"Content-Type": "application/yaml"}},
])
@pytest.mark.e2e
def test_a_bad_seed_is_a_400_that_changes_nothing(server, bad):
    with PlatformClient(server.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID) as wechat:
        wechat.text("oResetCarol", "取消")  # the bind word mid-bind carries on: start afresh
        wechat.text("oResetCarol", "绑定社保卡")
        response = reset(server, **bad)
        assert response.status_code == 400 and response.json()["error"] == "bad_request"
        assert state(server, "oResetCarol")["state"] == "ask_id"  # nobody's turn was ended
        assert "姓名" in wechat.text("oResetCarol", ZHANG.id).text  # the seed still holds


@pytest.mark.parametrize("document", [
    {"data": OTHER_SEED.encode(), "headers": {"Content-Type": "application/yaml"}},
    {"json": {"seed": {"people": [{"id_number": "11010519491231002X", "name": "王五"}]}}},
    {"data": json.dumps({"people": [{"id_number": "11010519491231002X", "name": "王五"}]}),
     "headers": {"Content-Type": "application/json"}},
])
@pytest.mark.e2e
def test_reset_loads_a_seed_document_sent_in_the_body(server, document):
    with PlatformClient(server.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID) as wechat:
        assert reset(server, **document).status_code == 200
        wechat.text("oResetDan", "忘记密码")
        wechat.text("oResetDan", ZHANG.id)
        assert "不匹配" in wechat.text("oResetDan", "张伟").text  # 张伟 is not in this seed
        # no body (but JSON, as every change must be): the configured seed again
        assert reset(server, headers={"Content-Type": "application/json"}).status_code == 200
        wechat.text("oResetDan", "忘记密码")
        wechat.text("oResetDan", ZHANG.id)
        assert "验证码" in wechat.text("oResetDan", "张伟").text


def test_every_store_drops_all_sessions_and_keeps_replies(store_url):
    store = open_store(store_url)
    try:
        for user in ("oA", "oB"):
            store.save(user, {"flow": "bind_card", "state": "ask_id"}, f"m:{user}:1", "hi", 900)
        assert store.clear_sessions() == 2
        assert store.session("oA") is None and store.session("oB") is None
        assert store.reply("oA", "m:oA:1") == "hi"  # retries of earlier pushes get their reply
    finally:
        store.close()
