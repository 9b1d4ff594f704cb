"""Which pushes count as retries of one another: only the platform's own retries do."""

from __future__ import annotations

import pytest

from bot.sim.wire.build import build

AT = 1_795_000_000


def test_two_menu_clicks_in_one_second_get_their_own_replies(wechat):
    """Events carry no MsgId; a click on another button is not a retry of the first."""
    bind = build("event_click", wechat.account, "oClicker", AT, EventKey="BIND_CARD")
    other = build("event_click", wechat.account, "oClicker", AT, EventKey="NO_SUCH_BUTTON")
    first, second = wechat.send_xml(bind, user="oClicker"), wechat.send_xml(other, user="oClicker")
    assert "身份证" in first.text
    assert second.text != first.text and "绑定社保卡" in second.text  # the menu, not a replay


def test_the_same_click_delivered_again_is_a_retry(wechat):
    bind = build("event_click", wechat.account, "oRetrier", AT, EventKey="BIND_CARD")
    replies = [wechat.send_xml(bind, user="oRetrier").reply_xml for _ in range(3)]
    assert len(set(replies)) == 1
    assert "身份证" in wechat.text("oRetrier", "帮助").text  # still at the first step: ran once


@pytest.mark.parametrize(("alice_says", "bob_says", "bob_hears"), [
    ("绑定社保卡", "菜单", "绑定社保卡"),
    ("菜单", "忘记密码", "身份证"),
])
def test_one_msgid_from_two_followers_is_two_messages(wechat, alice_says, bob_says, bob_hears):
    """MsgId has collided across followers: the sender is part of the key."""
    alice = build("text", wechat.account, "oAliceK", AT, msg_id=4242, Content=alice_says)
    bob = build("text", wechat.account, "oBobK", AT, msg_id=4242, Content=bob_says)
    heard_by_alice = wechat.send_xml(alice, user="oAliceK")
    heard_by_bob = wechat.send_xml(bob, user="oBobK")
    assert heard_by_bob.reply["ToUserName"] == "oBobK"
    assert bob_hears in heard_by_bob.text and heard_by_bob.text != heard_by_alice.text
