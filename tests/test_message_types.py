"""Every message and event type the platform pushes is parsed and answered, in every mode."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.protocol import parse_xml
from tests.conftest import ROOT, SAMPLES

OURS = sorted((ROOT / "fixtures" / "messages").glob("*.xml"))
THEIRS = sorted(SAMPLES.glob("*.xml")) if SAMPLES.is_dir() else []
# What each of our samples should get back: a substring of the reply, or "" for `success`.
EXPECTED = {
    "text": "身份证号",  # it says 绑定社保卡: binding starts with its first question
    "text__cdata_end": "没有听懂",
    # media the bot cannot read: said so (not "not understood"), with the menu
    "image": "只能看懂文字消息", "voice": "只能看懂文字消息", "video": "只能看懂文字消息",
    "shortvideo": "只能看懂文字消息", "link": "只能看懂文字消息", "file": "只能看懂文字消息",
    "location": "已收到您的位置",
    "event_subscribe": "欢迎", "event_subscribe__qrscene": "欢迎", "event_scan": "您可以回复",
    "event_scancode_waitmsg": "您可以回复",
    "voice__with_recognition": "身份证号",  # it says 忘记密码: the reset flow starts
    "event_click": "身份证号",  # BIND_CARD starts binding: its first question
}


def _post(platform_for, app, mode: str, path: Path):
    xml = path.read_text(encoding="utf-8")
    fields = parse_xml(xml)
    wechat = platform_for(app, mode, account=fields["ToUserName"])
    return wechat.send_xml(xml, user=fields["FromUserName"])


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.stem)
def test_every_type_is_answered_in_every_mode(app, platform_for, mode, path):
    delivery = _post(platform_for, app, mode, path)
    assert delivery.ok, delivery.error
    expected = EXPECTED.get(path.stem, "")
    if expected:
        assert expected in delivery.text
    else:
        assert delivery.reply_xml is None  # `success`: nothing to say


def test_click_on_an_unknown_menu_key_shows_the_menu(chat):
    assert "您可以回复" in chat().click("NO_SUCH_KEY")


def test_unknown_types_get_success_and_a_log_line(app, platform_for, caplog):
    caplog.set_level(logging.INFO)
    for name in ("unknown.xml", "event_unknown.xml"):
        delivery = _post(platform_for, app, "safe", ROOT / "fixtures" / "messages" / name)
        assert delivery.ok and delivery.reply_xml is None
    assert "unknown message type" in caplog.text and "unknown event" in caplog.text


@pytest.mark.skipif(not THEIRS, reason="platform samples not available")
@pytest.mark.parametrize("path", THEIRS, ids=lambda p: p.stem)
def test_real_world_samples_are_answered(app, platform_for, path):
    delivery = _post(platform_for, app, "plaintext", path)
    assert delivery.status == 200, delivery.body
    assert delivery.ok, delivery.error
