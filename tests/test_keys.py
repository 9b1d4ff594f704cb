"""Retries of one delivery share one key, and the engine and the recorder build the same one."""

import pytest

from bot.protocol import parse_xml, to_message
from bot.sim.record.log import Entry
from bot.sim.wire.build import MsgIds, build
from bot.window.engine import delivery_key

AT = 1_795_000_000


def push(kind: str, user: str, msg_id: int | None = None, at: int = AT, **fields) -> dict:
    return parse_xml(build(kind, "gh_account", user, at, msg_id=msg_id, **fields))


@pytest.mark.parametrize(("kind", "fields"), [
    ("text", {"Content": "绑定社保卡"}),
    ("image", {"PicUrl": "http://example.invalid/p.jpg", "MediaId": "m1"}),
    ("event_click", {"EventKey": "BIND_CARD"}),
    ("event_subscribe", {}),
])
def test_keys_engine_and_recorder_agree(kind: str, fields: dict) -> None:
    raw = push(kind, "oAlice0001", msg_id=None if kind.startswith("event") else 7, **fields)
    assert delivery_key(to_message(raw)) == Entry(AT, "oAlice0001", raw, None, None, None).key()


def test_keys_same_msgid_from_two_users_differ() -> None:
    alice, bob = (to_message(push("text", u, msg_id=7, Content="hi")) for u in ("oAlice", "oBob"))
    assert delivery_key(alice) != delivery_key(bob)


def test_keys_events_differ_by_time_and_name() -> None:
    click = to_message(push("event_click", "oAlice", EventKey="MY_CARD"))
    later = to_message(push("event_click", "oAlice", msg_id=None, at=AT + 1, EventKey="MY_CARD"))
    menu = to_message(push("event_view", "oAlice", EventKey="http://x.invalid/"))
    assert len({delivery_key(click), delivery_key(later), delivery_key(menu)}) == 3


def test_keys_same_msgid_two_users_two_replies(chat, wechat) -> None:
    """A MsgId seen from another user is not a retry: each gets their own answer."""
    alice, bob = chat("oAlice0001"), chat("oBob00001")
    wechat.ids = MsgIds(100)  # restart numbering so both pushes carry the same MsgId
    first = alice.say("绑定社保卡")
    wechat.ids = MsgIds(100)
    second = bob.say("我的社保卡")
    assert "身份证" in first and "身份证" not in second


def test_keys_two_clicks_in_one_second_differ_by_event_key() -> None:
    """Events carry no MsgId: two buttons pressed within a second are two deliveries."""
    first, second = (push("event_click", "oAlice", EventKey=key) for key in ("MY_CARD", "UNBIND"))
    keys = {delivery_key(to_message(first)), delivery_key(to_message(second))}
    recorded = {Entry(AT, "oAlice", raw, None, None, None).key() for raw in (first, second)}
    assert len(keys) == 2 and keys == recorded
