"""My card, unbinding and review progress, through the webhook; and the catalog they speak from."""

from __future__ import annotations

import pytest

from flows.account import mask_name
from flows.catalog import LANGS, Catalog
from flows.registry import ALL_FLOWS
from tests.people import FENG_JUN, LI_NA, WANG_QIANG, WANG_XM, ZHANG


def test_my_card_says_when_nothing_is_bound(chat):
    assert "还没有绑定社保卡" in chat().say("我的社保卡")


def test_my_card_shows_the_binding_masked(chat, backend):
    backend.bind(ZHANG.card, "oAlice0001")
    reply = chat().say("我的社保卡")
    for shown in ("A****5678", "张*", "1101**********1232", "正常"):
        assert shown in reply
    for hidden in (ZHANG.card, "张伟", ZHANG.id, "监护人"):
        assert hidden not in reply


def test_my_card_shows_a_guardians_consent(chat, backend):
    backend.bind(WANG_XM.card, "oAlice0001", guardian=WANG_QIANG.id)
    reply = chat().click("MY_CARD")
    assert "王**" in reply and "父亲" in reply and "3101**********0714" in reply
    assert "2026-11-22" in reply


def test_unbinding_asks_for_the_holders_code(chat, backend):
    backend.bind(ZHANG.card, "oAlice0001")
    alice = chat()
    assert "确认解绑尾号5678的社保卡" in alice.say("解绑")
    asked = alice.say("是")
    assert "A****5678" in asked and "138****8000" in asked and "切勿告诉任何人" in asked
    assert "还可以再试 4 次" in alice.say("000000")
    assert "已解除社保卡 A****5678" in alice.say(alice.sms(ZHANG.phone))
    assert backend.binding("oAlice0001") is None
    assert backend.card_view(ZHANG.card)["bound_openid"] is None


@pytest.mark.parametrize(("card", "guardian", "then"), [
    (FENG_JUN.card, None, ()),  # 冯军 has no phone on record
    (ZHANG.card, None, ("手机号已停用",)),
])
def test_unbinding_without_a_usable_phone_sends_the_holder_to_a_counter(
        chat, backend, card, guardian, then):
    backend.bind(card, "oAlice0001", guardian=guardian)
    alice = chat()
    reply = [alice.say("解绑"), alice.say("是"), *map(alice.say, then)][-1]
    assert "服务网点" in reply
    assert backend.binding("oAlice0001").card_number == card


def test_a_childs_card_with_no_phone_of_its_own_is_unbound_by_the_guardian(chat, backend):
    """王小明 (12) has no phone on record: 解绑 sent his mother, who had bound his card to her
    own WeChat, to a counter. Her ID number and a code to her phone unbind it."""
    backend.bind(WANG_XM.card, "oAlice0001", guardian=LI_NA.id)
    alice = chat()
    alice.say("解绑")
    assert "监护人（父母或法定监护人）的18位身份证号" in alice.say("是")
    assert "监护人的手机 139****0001" in alice.say(LI_NA.id)
    assert "已解除社保卡 C****0001" in alice.say(alice.sms(LI_NA.phone))
    assert backend.binding("oAlice0001") is None


def test_cancel_keeps_the_binding(chat, backend):
    backend.bind(ZHANG.card, "oAlice0001")
    alice = chat()
    alice.say("解绑")
    alice.say("是")
    assert "6位短信验证码" in alice.say("帮助")
    assert "已取消" in alice.say("取消")
    assert backend.binding("oAlice0001") is not None


def test_progress_lists_this_accounts_reviews_with_their_status(chat, backend):
    alice = chat()
    assert "没有人工审核申请" in alice.say("查询进度")
    first = backend.open_review(FENG_JUN.id, "oAlice0001", "没有手机")
    second = backend.open_review(ZHANG.id, "oAlice0001", "换号了")
    backend.open_review(LI_NA.id, "oSomeoneElse", "换号了")
    backend.decide_review(first.ref, approve=True)
    reply = alice.click("PROGRESS")
    assert f"{first.ref}：已通过" in reply and f"{second.ref}：审核中" in reply
    assert reply.count("· ") == 2
    backend.decide_review(second.ref, approve=False)
    assert f"{second.ref}：未通过" in alice.say("progress")


@pytest.mark.parametrize(("key", "words", "says"), [
    ("BIND_CARD", "bind card", "身份证号"),
    ("FORGOT_PASSWORD", "forgot password", "身份证号"),
    ("MY_CARD", "my card", "还没有绑定"),
    ("UNBIND", "unbind", "无需解绑"),
    ("PROGRESS", "progress", "没有人工审核申请"),
])
def test_every_flow_starts_from_the_menu_and_from_its_words_in_either_language(
        chat, key, words, says):
    assert says in chat("oMenu").click(key)
    assert says in chat("oWords").say(words)


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_the_flows_name_is_in_both_catalogs(lang):
    catalog = Catalog(lang)
    for flow in ALL_FLOWS:
        keys = {flow.title, *(s.get(k) for s in flow.states for k in ("prompt", "help"))}
        for key in keys - {None}:
            assert catalog.text(key)
        assert flow.keywords in catalog.phrases.values()
    assert catalog.command("not my phone") == catalog.command("手机号已停用") == "phone_lost"


def test_names_are_masked_after_the_family_name():
    assert [mask_name(n) for n in ("张伟", "王小明", "A")] == ["张*", "王**", "A"]
