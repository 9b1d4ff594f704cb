"""`wxbot chat` as a user meets it: a scripted terminal session fed through stdin."""

from __future__ import annotations

import re

import pytest
import requests
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import TOKEN
from tests.people import LI_NA, WANG_XM, ZHANG


def chat(lines: list[str], *args: str, tmp_path=None) -> str:
    extra = ["--data-dir", str(tmp_path)] if tmp_path is not None else []
    result = CliRunner().invoke(main, ["chat", "--today", "2026-11-22", *extra, *args],
                                input="\n".join(lines) + "\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def after(output: str, command: str) -> str:
    """What the session printed between typing `command` and the next prompt."""
    part = output.split(f"› {command}\n", 1)[1]
    return re.split(r"\n\S+ › ", part, maxsplit=1)[0]


def test_subscribe_and_bind_a_card_through_to_success(tmp_path):
    out = chat(["/subscribe", "绑定社保卡", "/state", ZHANG.id, "张伟", "/state",
                ZHANG.card, "/sms 13800138000", "{sms:13800138000}", "/state", "我的社保卡",
                "/quit", "这一行不会发送"], tmp_path=tmp_path)
    assert "欢迎关注" in after(out, "/subscribe")
    assert "alice: bind_card.ask_id" in after(out, "/state")
    assert "验证码已发送至" in after(out, ZHANG.card) and "138****8000" in out
    code = re.search(r"13800138000\s*│\s*(\d{6})\s*│\s*bind", after(out, "/sms 13800138000"))
    assert code, out
    assert "绑定成功" in after(out, "{sms:13800138000}")
    assert out.count("no conversation in progress") == 1  # after binding: the flow is over
    assert "A****5678" in after(out, "我的社保卡")
    assert "这一行不会发送" not in out  # /quit stops reading


def test_as_switches_between_a_minor_and_a_guardian(tmp_path):
    out = chat(["/as xiaoming", "绑定社保卡", WANG_XM.id, "王小明", WANG_XM.card,
                "/as mother", "/state", "/as xiaoming", "/state", LI_NA.id,
                "{sms:13900000001}", "/as mother", "/click MY_CARD"], tmp_path=tmp_path)
    assert "now talking as xiaoming (oChat_xiaoming)" in out
    assert "mother: no conversation in progress" in out
    assert "xiaoming: bind_card.ask_guardian" in out  # his conversation waited for him
    assert "监护人的同意已随绑定一并记录" in out
    assert "还没有绑定社保卡" in after(out, "/click MY_CARD")  # the mother's own account


def test_gestures_help_and_mistakes(tmp_path):
    out = chat(["/help", "/image", "/voice 帮助", "/location 39.9 116.4", "/click", "/bogus",
                "/sms", "/wait 30", "/unsubscribe"], tmp_path=tmp_path)
    assert "/as NAME" in after(out, "/help") and "/sms [PHONE]" in out
    assert "只能看懂文字消息" in after(out, "/image")
    assert "您可以回复" in after(out, "/voice 帮助")
    assert "已收到您的位置" in after(out, "/location 39.9 116.4")
    assert "usage: /click KEY" in after(out, "/click")
    assert "unknown command /bogus" in out
    assert "no SMS sent yet" in after(out, "/sms")
    assert "moved on 30 s" in out
    assert "no reply" in after(out, "/unsubscribe")


def test_the_session_ends_at_the_end_of_input(tmp_path):
    out = chat(["菜单"], tmp_path=tmp_path)
    assert "您可以回复" in out and out.rstrip().endswith("›")


@pytest.fixture
def simulator(served):
    return served(BOT_SIMULATOR="1")


def test_chat_over_url_with_state_from_the_simulator(simulator, monkeypatch):
    monkeypatch.delenv("WECHAT_AES_KEY", raising=False)
    out = chat(["/state", "忘记密码", "/state", ZHANG.id, "张伟", "/sms 13800138000",
                "{sms:13800138000}", "/state"], "--url", simulator.url, "--token", TOKEN)
    assert f"with the bot {simulator.url}" in out
    assert "alice: no conversation in progress" in out
    assert "alice: forgot_password.ask_id" in out
    assert "设置新的6位数字服务密码" in after(out, "{sms:13800138000}")
    assert "alice: forgot_password.ask_password" in out


def test_chat_over_url_answers_in_lang_and_gives_the_simulator_its_own_back(simulator,
                                                                            monkeypatch):
    monkeypatch.delenv("WECHAT_AES_KEY", raising=False)
    out = chat(["bind card"], "--url", simulator.url, "--token", TOKEN, "--lang", "en")
    assert "18-digit ID number" in after(out, "bind card")
    assert requests.get(f"{simulator.url}/healthz", timeout=5).json()["lang"] == "zh_CN"


def test_chat_over_url_lang_needs_the_simulator_to_switch(served, monkeypatch):
    monkeypatch.delenv("WECHAT_AES_KEY", raising=False)
    server = served()
    result = CliRunner().invoke(main, ["chat", "--url", server.url, "--token", TOKEN,
                                       "--lang", "en"], input="")
    assert result.exit_code == 2
    assert "cannot switch (no simulator): start it with BOT_LANG=en" in result.output


def test_chat_over_url_needs_a_server():
    result = CliRunner().invoke(main, ["chat", "--url", "http://127.0.0.1:9"], input="")
    assert result.exit_code == 2 and "cannot reach" in result.output


def test_the_line_editor_edits_with_arrow_keys_and_recalls_history(tmp_path):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from bot.sim.chat.cli import line_editor

    with create_pipe_input() as keys:
        prompt = line_editor(tmp_path / "history", input=keys, output=DummyOutput())
        keys.send_text("绑定社卡\x1b[D保\x1b[C\r")  # ← to fix a missing character, then →
        assert prompt("alice › ") == "绑定社保卡"
        keys.send_text("\x1b[A\r")  # ↑ brings the last line back
        assert prompt("alice › ") == "绑定社保卡"
    assert "绑定社保卡" in (tmp_path / "history").read_text(encoding="utf-8")


def test_escape_sequences_typed_or_pasted_never_reach_the_bot(tmp_path):
    out = chat(["绑定\x1b[D社保卡\x07", "\x1b[A"], tmp_path=tmp_path)
    assert "身份证号" in out and "✗" not in out and "HTTP 400" not in out


@pytest.mark.parametrize(("name", "openid"), [
    ("minor", "oSimMinor0001"), ("guardian", "oSimGuardian01"), ("oSimBob000001", "oSimBob000001"),
    ("xiaoming", "oChat_xiaoming"), ("o", "oChat_o"),
])
def test_as_reaches_the_pages_followers_by_alias_or_openid(name, openid):
    from bot.sim.chat.session import openid_for

    assert openid_for(name) == openid


def test_retry_delivers_the_last_push_again_and_the_bot_does_not_act_twice(tmp_path):
    out = chat(["/retry", "绑定社保卡", "110105199001011232", "张伟", "A12345678", "/retry",
                "/sms 13800138000"], tmp_path=tmp_path)
    assert "nothing to deliver again yet" in after(out, "/retry")
    again = re.split(r"\n\S+ › ", out.split("› /retry\n")[2], maxsplit=1)[0]
    assert "delivers the last push again" in again
    assert "验证码已发送至" in again and "138****8000" in again  # the first reply, again
    assert len(re.findall(r"13800138000\s*│\s*\d{6}", after(out, "/sms 13800138000"))) == 1


def test_agent_takes_answers_and_gives_the_follower_back(tmp_path):
    out = chat(["/subscribe", "绑定社保卡", "/agent take", "我想找人问问",
                "/agent say 您好，我是客服小王", "/agent close", ZHANG.id, "/agent hug"],
               tmp_path=tmp_path)
    taken = after(out, "/agent take")
    assert "an agent took alice" in taken and "人工客服已接入" in taken  # the bot says so
    assert "(to the agent:" in after(out, "我想找人问问")  # the platform's success: theirs
    said = after(out, "/agent say 您好，我是客服小王")
    assert "人工客服 kf1@wxbot" in said and "您好，我是客服小王" in said
    assert "人工客服会话已结束" in after(out, "/agent close")  # the bot's welcome back, at once
    assert "姓名" in after(out, ZHANG.id)  # back with the bot, in the flow it had left
    assert "usage: /agent take" in after(out, "/agent hug")


def test_a_transfer_shows_as_a_hand_over_not_as_a_reply_bubble(tmp_path):
    out = chat(["/subscribe", "人工客服", "还在吗"], tmp_path=tmp_path)
    handed = after(out, "人工客服")
    assert "handed over to customer service" in handed
    assert "<transfer_customer_service reply>" not in out
