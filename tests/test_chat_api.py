"""`wxbot chat` shows what reached the follower through the platform's API, each once."""

from __future__ import annotations

import re

import pytest

from bot.sim.chat.outbound import Outbound, describe
from tests.test_chat import after, chat
from tests.test_notices import FENG_JUN

REVIEW = ["忘记密码", FENG_JUN[0], FENG_JUN[1], "我一直没有登记手机号，现在想重置服务密码。"]


def ref_in(out: str) -> str:
    return re.search(r"\b(R\d{8}-\d{4})\b", out).group(1)


def test_chat_shows_a_review_notice_as_a_customer_service_message_once(tmp_path, monkeypatch):
    monkeypatch.delenv("WECHAT_TEMPLATE_REVIEW", raising=False)
    out = chat(["/as fengjun", *REVIEW, "/review approve", "菜单", "/state"], tmp_path=tmp_path)
    decided = after(out, "/review approve")
    assert "客服消息" in decided and "已通过" in decided and ref_in(out) in decided
    assert out.count("客服消息") == 1  # not again at the next lines
    assert "usage" not in out


def test_chat_shows_a_template_notice_with_its_short_fields(tmp_path, monkeypatch):
    monkeypatch.setenv("WECHAT_TEMPLATE_REVIEW", "tpl-review")
    out = chat(["/as fengjun", *REVIEW, "/review reject", "菜单"], tmp_path=tmp_path)
    decided = after(out, "/review reject")
    assert "模板消息" in decided and "phrase3: 未通过" in decided
    assert f"character_string2: {ref_in(out)}" in decided
    assert out.count("模板消息") == 1 and "客服消息" not in out


def test_chat_outside_the_window_the_outcome_comes_with_the_next_reply(tmp_path, monkeypatch):
    monkeypatch.delenv("WECHAT_TEMPLATE_REVIEW", raising=False)
    out = chat(["/as fengjun", *REVIEW, "/wait 49h", "/review approve", "你好", "你好"],
               tmp_path=tmp_path)
    assert "客服消息" not in out  # the platform refused it (45015): nothing reached them
    first = out.split("› 你好\n")[1]
    assert "审核结果" in first and ref_in(out) in first
    assert out.count("审核结果") == 1


@pytest.mark.parametrize(("message", "label", "shown"), [
    ({"api": "custom", "body": {"msgtype": "text", "text": {"content": "hi"}}}, "客服消息", "hi"),
    ({"api": "custom", "body": {"msgtype": "news", "news": {}}}, "客服消息", "<news>"),
    ({"api": "template", "body": {"data": {"a": {"value": "x"}}}}, "模板消息", "a: x"),
])
def test_outbound_describe_marks_each_api(message, label, shown):
    assert describe(message) == (label, shown)


def test_outbound_shows_each_message_once_and_not_what_came_before():
    messages = [{"api": "custom"}]
    outbound = Outbound(lambda openid: list(messages))
    outbound.start("oA")
    assert outbound.new("oA") == []  # from before the session
    messages += [{"api": "template"}, {"api": "custom"}]
    assert outbound.new("oA") == messages[1:]
    assert outbound.new("oA") == []


def test_chat_over_url_shows_an_owed_reply_and_a_notice(tmp_path, monkeypatch):
    """Against `wxbot demo`: a 5 s backend call is answered success, its reply comes via API."""
    from tests.test_notices import demo

    monkeypatch.delenv("WECHAT_AES_KEY", raising=False)
    with demo(tmp_path) as d:
        out = chat(["/as fengjun", *REVIEW[:2], "/slow 5", *REVIEW[2:], "/review approve"],
                   "--url", d.server.url, "--token", "devtoken")
    assert "next call takes 5 s longer" in after(out, "/slow 5")
    late = after(out, FENG_JUN[1])  # the name check took 5 s: `success`, then the API
    assert "no reply" in late and "客服消息" in late and "请简要说明情况" in late
    assert "客服消息" in after(out, "/review approve") and "已通过" in out
    assert out.count("客服消息") == 2
