"""Nobody types their ID number, name and card number only to hear a reason known before.

Two reasons the bot knows before the first question: a lock (too many wrong codes or service
passwords) this follower met in the service already, and the state of the card bound to this
follower (already lost / not lost). The transcripts are fixtures/conversations/
bind_code_lockout*.yaml, *_lockout.yaml, loss_report_bound_already_lost*.yaml and
lift_loss_bound_not_lost*.yaml; here is what a transcript cannot show: nothing sent or kept
behind the words, every service at once, both languages, and what a stranger never hears.
"""

from __future__ import annotations

import pytest

from bot.app import bot_of
from bot.store.kv import own_key
from flows.catalog import LANGS, Catalog
from flows.registry import ALL_FLOWS
from flows.verify import Verification
from tests.conftest import Chat
from tests.people import LI_NA, WANG_XM, WU_LEI, ZHANG, ZHENG_JIE

LOCK = 30 * 60
WORDS = {"bind_card": "绑定社保卡", "forgot_password": "忘记密码", "report_loss": "挂失",
         "lift_loss": "解除挂失", "unbind": "解绑"}


def wrong_codes(alice: Chat, phone: str, times: int = 5) -> str:
    """Type `times` codes that are not the one sent; the last reply."""
    code = alice.sms(phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(times):
        reply = alice.say(wrong)
    return reply


def locked_out_of_binding(alice: Chat) -> None:
    for said in ("绑定社保卡", ZHANG.id, ZHANG.name, ZHANG.card):
        alice.say(said)
    assert "已暂停验证30分钟" in wrong_codes(alice, ZHANG.phone)


# -- 1. a lock this follower met: said before the first question -----------------------------

def test_binding_again_after_a_lock_says_so_before_asking_anything(chat, bot, backend, clock):
    alice = chat()
    locked_out_of_binding(alice)
    sent = len(backend.sms_outbox(ZHANG.phone))
    clock.advance(10 * 60)
    reply = alice.say("绑定社保卡")
    assert "验证已暂停至 10:30" in reply and "人工" in reply and "12333" in reply
    assert "请输入" not in reply
    assert set(bot.store.session(alice.openid) or {}) <= {"topic", "done", "at"}  # ended:
    # nothing half-asked is kept
    assert len(backend.sms_outbox(ZHANG.phone)) == sent


def test_once_the_lock_lifts_the_service_asks_its_first_question_again(chat, clock):
    alice = chat()
    locked_out_of_binding(alice)
    clock.advance(LOCK + 1)
    assert "身份证号" in alice.say("绑定社保卡")


def test_the_note_is_this_followers_and_this_services_only(chat):
    alice, bob = chat("oUpFrontAlice1"), chat("oUpFrontBob001")
    locked_out_of_binding(alice)
    assert "身份证号" in alice.say("忘记密码")  # another purpose: not locked
    assert "身份证号" in bob.say("绑定社保卡")  # bob never met it: the backend says, where met


def test_the_note_keeps_no_id_number_name_card_or_phone(chat, bot):
    alice = chat()
    locked_out_of_binding(alice)
    kept = bot.engine.conversation.pauses.kv.get(own_key("paused", alice.openid))
    assert kept and "bind_card" in kept
    for personal in (ZHANG.id, ZHANG.name, ZHANG.card, ZHANG.phone, ZHANG.phone[-4:]):
        assert personal not in kept


def test_a_lock_on_a_guardian_is_not_said_up_front_the_other_guardian_may_help(chat):
    xiaoming = chat()
    for said in ("忘记密码", WANG_XM.id, WANG_XM.name, LI_NA.id):
        xiaoming.say(said)
    assert "已暂停验证30分钟" in wrong_codes(xiaoming, LI_NA.phone)
    assert "身份证号" in xiaoming.say("忘记密码")


def test_the_service_password_lock_is_noted_too(chat):
    alice = chat()
    for said in ("挂失", ZHANG.id, ZHANG.name, "000001", "000002", "000003"):
        alice.say(said)  # three misses end one conversation
    for said in ("挂失", ZHANG.id, ZHANG.name, "000004"):
        alice.say(said)
    assert "服务密码或验证码错误次数过多" in alice.say("000005")
    assert "验证已暂停至 10:30" in alice.say("挂失")


@pytest.mark.parametrize("flow", [f for f in ALL_FLOWS
                                  if issubclass(f, Verification) and f.pauses_up_front])
@pytest.mark.parametrize("lang", LANGS)
def test_every_service_with_a_code_says_a_noted_lock_first_in_both_languages(
        make_app, platform_for, clock, flow, lang):
    app = make_app(BOT_LANG=lang)
    alice = Chat(platform_for(app), "oUpFrontEvery1", bot_of(app).backend)
    if flow.name == "unbind":  # the one service for a card bound here
        alice.backend.bind(ZHANG.card, alice.openid)
    bot_of(app).engine.conversation.pauses.note(alice.openid, flow.name, clock.now() + 600)
    catalog = Catalog(lang)
    reply = alice.say(catalog.words[flow.keywords])
    assert reply == catalog.text("common.paused", title=catalog.texts[flow.title],
                                 word=catalog.words[flow.keywords], retry_at="10:10")
    assert "12333" in reply


# -- 2. the bound card's state: said first, another card still possible ----------------------

def report_bound_card(alice: Chat) -> None:
    alice.backend.bind(ZHANG.card, alice.openid)
    for said in ("挂失", "是", ZHANG.password):
        alice.say(said)
    assert "已挂失尾号5678" in alice.say("是")


def test_a_bound_card_already_lost_is_said_with_its_reference_before_any_question(chat):
    alice = chat()
    report_bound_card(alice)
    reply = alice.say("挂失")
    assert "您绑定的尾号5678的社保卡已经挂失" in reply and "受理编号 L" in reply
    assert "其他卡" in reply and "身份证号" not in reply


def test_another_card_after_the_bound_one_hears_nothing_of_the_bound_card(chat):
    alice = chat()
    report_bound_card(alice)
    alice.say("挂失")
    assert "身份证号" in alice.say("其他卡")
    alice.say(ZHENG_JIE.id)
    alice.say(ZHENG_JIE.name)
    reply = alice.say(ZHENG_JIE.password)  # her card is frozen: refused after the proof
    assert "冻结" in reply
    assert "受理编号" not in reply and "5678" not in reply


def test_a_bound_card_not_lost_needs_no_lifting_and_another_card_may_be_lifted(chat, backend):
    alice = chat()
    backend.bind(ZHANG.card, alice.openid)
    reply = alice.say("解除挂失")
    assert "您绑定的尾号5678的社保卡没有挂失，无需解除" in reply and "身份证号" not in reply
    assert "身份证号" in alice.say("其他卡")
    alice.say(WU_LEI.id)
    alice.say(WU_LEI.name)
    assert "确认解除尾号0001" in alice.say(WU_LEI.password)


@pytest.mark.parametrize("word", ["挂失", "解除挂失"])
def test_a_follower_with_no_card_bound_hears_nothing_of_any_card_before_the_proof(chat, word):
    stranger = chat("oUpFrontNoCard")
    reply = stranger.say(word)
    assert "身份证号" in reply and "尾号" not in reply and "挂失，无需" not in reply


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_name_the_card_and_the_way_to_another(lang):
    catalog = Catalog(lang)
    other = catalog.command("其他卡" if lang == "zh_CN" else "other card")
    assert other == "other_card"
    for key in ("loss.own_lost", "lift.own_not_lost"):
        assert "1234" in catalog.text(key, tail="1234")
    for key in ("loss.other_offer", "lift.other_offer", "loss.other_again"):
        assert catalog.words["other_card"] in catalog.text(key)
