"""The `wxbot` command as a user meets it: real server processes on loopback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from bot.cli import main
from bot.protocol import sign
from bot.sim.wire.client import PlatformClient
from tests.conftest import AES_KEY, APP_ID, TOKEN
from tests.people import ZHANG
from tests.test_engine import MERMAID_LINE
from tests.test_webhook import BILLION_LAUGHS

SEALED = {"WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID}


@pytest.fixture
def server(served):
    return served(**SEALED)


def _get(url: str, **query: str) -> requests.Response:
    return requests.get(f"{url}/wechat", params=query, timeout=5)


def test_serve_answers_the_url_check(server):
    ts, nonce = str(int(time.time())), "731"
    good = _get(server.url, signature=sign(TOKEN, ts, nonce), timestamp=ts, nonce=nonce,
                echostr="echo-42")
    assert (good.status_code, good.text) == (200, "echo-42")
    bad = _get(server.url, signature="f" * 40, timestamp=ts, nonce=nonce, echostr="echo-42")
    assert bad.status_code == 403


def test_serve_repeats_one_encrypted_reply_to_three_deliveries(server):
    with PlatformClient(server.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID, mode="safe") as wx:
        xml = wx.build("text", "oRetry", Content="菜单")
        replies = [wx.send_xml(xml, user="oRetry") for _ in range(3)]
    assert all(r.ok for r in replies), [r.error for r in replies]
    assert len({r.reply_xml for r in replies}) == 1  # decrypted by wechatpy in the client
    assert "绑定社保卡" in replies[0].text


def test_serve_refuses_billion_laughs_quickly(server):
    ts, nonce = str(int(time.time())), "99"
    started = time.perf_counter()
    answer = requests.post(f"{server.url}/wechat", data=BILLION_LAUGHS.encode(), timeout=5,
                           params={"signature": sign(TOKEN, ts, nonce), "timestamp": ts,
                                   "nonce": nonce})
    assert answer.status_code == 400
    assert time.perf_counter() - started < 0.5


def test_conversation_survives_kill_9_between_messages(server):
    with PlatformClient(server.url, TOKEN) as wx:
        assert "身份证号" in wx.text("oKill", "绑定社保卡").text
        assert "姓名" in wx.text("oKill", ZHANG.id).text
    server.kill()
    server.start()
    with PlatformClient(server.url, TOKEN) as wx:
        assert "卡号" in wx.text("oKill", "张伟").text


def test_serve_without_token_says_what_to_set(tmp_path, monkeypatch):
    monkeypatch.delenv("WECHAT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code != 0
    assert "WECHAT_TOKEN is required" in result.output


def test_diagram_for_every_flow_is_mermaid():
    from flows.registry import ALL_FLOWS

    assert ALL_FLOWS, "no flows registered"
    for flow in ALL_FLOWS:
        result = CliRunner().invoke(main, ["diagram", flow.name])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0] == "stateDiagram-v2"
        assert all(MERMAID_LINE.match(line) for line in lines[1:]), result.output
        drawn = {part for line in lines[1:] for part in line.split(" : ")[0].split(" --> ")}
        assert {s.strip() for s in drawn} - {"[*]"} == set(flow.specs)  # every state, no other


def test_diagram_unknown_flow_lists_the_known_ones():
    result = CliRunner().invoke(main, ["diagram", "nope"])
    assert result.exit_code == 2 and "unknown flow" in result.output


def test_bot_binds_a_card_through_the_backend_over_http(served):
    """BOT_BACKEND=http://… : the bot and `wxbot backend` as two processes."""
    api = f"{served('backend').url}/backend/v1"
    bot = served(**SEALED, BOT_BACKEND=api)
    with PlatformClient(bot.url, TOKEN) as wx:
        for said, asked in [("绑定社保卡", "身份证号"), (ZHANG.id, "姓名"),
                            ("张伟", "卡号"), (ZHANG.card, "验证码")]:
            assert asked in wx.text("oHttp", said).text
        sms = requests.get(f"{api}/sms", params={"phone": ZHANG.phone}, timeout=5)
        code = sms.json()["messages"][-1]["code"]
        assert "绑定成功" in wx.text("oHttp", code).text
    card = requests.get(f"{api}/cards/{ZHANG.card}", timeout=5).json()
    assert card["bound_openid"] == "oHttp"


def test_serve_keeps_a_few_database_files_open_however_many_messages(server):
    """Requests run on many threads: connections must be reused, not opened per request.
    Counted in each of the server's processes (gunicorn's master and its worker)."""
    with PlatformClient(server.url, TOKEN) as wx:
        for n in range(40):
            assert wx.text(f"oFd{n % 4}", "菜单").ok
    if not Path("/proc/self/fd").exists():
        pytest.skip("needs /proc to count open files")
    counts = []
    for pid in server.pids():
        fds = Path(f"/proc/{pid}/fd")
        counts.append(sum(".sqlite3" in str(p.resolve()) for p in fds.iterdir()))
    assert max(counts) > 0, counts  # the worker does hold the store open
    assert max(counts) <= 12, counts  # a few pooled connections, each db + wal + shm
