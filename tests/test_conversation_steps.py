"""Each step treated as a polished service treats it: what a transcript cannot show.

The transcripts are fixtures/conversations/step_*.yaml, start_word_own_flow*.yaml,
flow_endings_say_what_next*.yaml and yes_no_asked_again*.yaml; here are the parts they cannot
hold: what the session kept, the backend's state, every flow and both languages at once.
"""

from __future__ import annotations

import pytest

from bot.app import bot_of
from flows.base import FAILED
from flows.catalog import LANGS, Catalog
from flows.registry import ALL_FLOWS
from tests.conftest import Chat
from tests.people import LI_NA, LIU_YANG, SUN_LI, ZHANG

ACKS = ("好的", "嗯", "ok", "收到", "好")
STARTS = {"bind_card": "绑定社保卡", "forgot_password": "忘记密码", "report_loss": "挂失",
          "lift_loss": "解除挂失"}


@pytest.fixture
def chat_en(make_app, platform_for):
    app = make_app(BOT_LANG="en")
    return Chat(platform_for(app), "oStepsEn0001", bot_of(app).backend)


@pytest.mark.parametrize("flow", STARTS)
def test_acknowledgements_at_the_first_step_never_use_up_its_tries(chat, bot, flow):
    alice = chat()
    alice.say(STARTS[flow])
    for word in ACKS * 2:  # ten of them: three misses would have ended it long ago
        reply = alice.say(word)
        assert reply.startswith("好的。") and "身份证号" in reply and "错误次数过多" not in reply
    session = bot.store.session(alice.openid)
    assert (session["flow"], session["state"]) == (flow, "ask_id")
    assert not session["slots"].get("_misses")
    assert "姓名" in alice.say(ZHANG.id)


def test_an_acknowledgement_at_the_code_step_sends_no_new_code(chat, backend):
    alice = chat()
    for word in ("绑定社保卡", ZHANG.id, "张伟", ZHANG.card):
        alice.say(word)
    sent = len(backend.sms_outbox(ZHANG.phone))
    assert "请输入发送至 138****8000 的6位短信验证码" in alice.say("好的")
    assert len(backend.sms_outbox(ZHANG.phone)) == sent
    assert "绑定成功" in alice.say(alice.sms(ZHANG.phone))


def test_an_acknowledgement_at_any_code_step_asks_for_the_code_without_claiming_a_new_one(
        chat, backend):
    alice = chat()
    backend.bind(ZHANG.card, alice.openid)
    assert "确认解绑尾号5678" in alice.say("解绑")
    assert "验证码已发送至 138****8000" in alice.say("是")
    again = alice.say("收到")
    assert again == "好的。请输入发送至 138****8000 的6位短信验证码（没收到可回复“重新发送”）。"


def test_the_id_and_the_name_in_one_message_fill_both_and_show_neither_in_full(chat, bot):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say(f"{ZHANG.id} 张伟")
    assert "收到，姓名：张*" in reply and "卡号" in reply
    assert ZHANG.id not in reply and "张伟" not in reply
    slots = bot.store.session(alice.openid)["slots"]
    assert (slots["id"], slots["name"]) == (ZHANG.id, "张伟")


@pytest.mark.parametrize("said", [
    f"我要绑卡 身份证{ZHANG.id} 张伟 卡号A12345678",
    f"绑定社保卡 我是张伟 {ZHANG.id} 卡号A12345678",
])
def test_everything_in_one_message_starts_the_service_and_fills_every_step(chat, bot, said):
    """The numbers and the name are no words of a request: they made "我要绑卡" only
    "您是想…吗", and after 是 the ID number was asked again (a new user's message)."""
    alice = chat()
    reply = alice.say(said)
    assert "您是想" not in reply and "验证码已发送" in reply
    assert "收到，姓名：张*" in reply and "A****5678" in reply and ZHANG.id not in reply
    slots = bot.store.session(alice.openid)["slots"]
    assert (slots["id"], slots["name"], slots["card"]) == (ZHANG.id, "张伟", "A12345678")


def test_the_running_flows_own_word_keeps_what_was_given(chat, bot):
    alice = chat()
    for word in ("忘记密码", ZHANG.id):
        alice.say(word)
    for word in ("忘记密码", "重置密码", "找回密码"):
        reply = alice.say(word)
        assert reply.startswith("您正在办理“忘记密码”") and "请输入持卡人的姓名" in reply
    session = bot.store.session(alice.openid)
    assert (session["state"], session["slots"]["id"]) == ("ask_name", ZHANG.id)
    assert "验证码已发送" in alice.say("张伟")


def test_the_bind_word_while_waiting_for_the_guardian_keeps_the_request(chat, bot, backend):
    guardian, minor = chat("oStepsLiuYang1"), chat("oStepsSunLi01")
    backend.bind(LIU_YANG.card, guardian.openid)
    for word in ("绑定社保卡", SUN_LI.id, "孙丽", SUN_LI.card, LIU_YANG.id):
        asked = minor.say(word)
    assert "监护人在其本人微信中确认" in asked
    rid = bot.store.session(minor.openid)["slots"]["request"]
    assert "您正在办理“绑定社保卡”" in minor.say("绑定社保卡")
    assert bot.family.status(rid) == "waiting"  # not withdrawn, as another service's word does
    assert "已同意" in guardian.say("同意")
    assert backend.binding(minor.openid).card_number == SUN_LI.card


def test_unclear_replies_to_the_loss_confirmation_never_end_it_nor_report(chat, backend):
    alice = chat()
    for word in ("挂失", LI_NA.id, "李娜", LI_NA.password):
        asked = alice.say(word)
    assert "确认挂失尾号" in asked
    for word in ("嗯嗯", "收到", "等等", "我想想", "大概吧") * 2:
        assert "请回复“是”确认，或回复“否”放弃" in alice.say(word)
    assert backend.card(LI_NA.card).status == "active"
    assert "已挂失" in alice.say("是")
    assert backend.card(LI_NA.card).status == "lost"


@pytest.mark.parametrize("lang", LANGS)
def test_every_ending_by_misses_names_the_step_the_word_to_start_again_and_12333(lang):
    catalog = Catalog(lang)
    for flow in ALL_FLOWS:
        if FAILED not in flow.specs:
            continue
        sources = {t["source"] for t in flow.transitions if t["dest"] == FAILED}
        for source in sources:
            role = flow.specs[source].get("role")
            key = next(k for k in (f"failed.{source}", f"failed.{role}", "failed.any")
                       if k in catalog.texts)
            assert key != "failed.any" or role == "text", (flow.name, source)
            why = catalog.text(key, tries=flow.max_tries)
            word = catalog.word(flow.keywords)
            said = catalog.text("flow.failed", why=why, title=catalog.text(flow.title),
                                word=word)
            assert why in said and (f"“{word}”" in said or f'"{word}"' in said), flow.name
            assert "12333" in said and "3" in why


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", ["common.code_locked", "common.code_capped",
                                 "loss.password_locked"])
def test_every_lock_says_when_it_lifts_and_the_word_to_start_again(lang, key):
    said = Catalog(lang).text(key, retry_at="10:30", word="WORD", phone="138****8000")
    assert "10:30" in said and "WORD" in said and "12333" in said


def test_english_acknowledgements_and_own_word_in_english(chat_en, make_app):
    assert "18-digit ID number" in chat_en.say("bind card")
    for word in ("ok", "got it", "sure", "okay"):
        reply = chat_en.say(word)
        assert reply.startswith("OK.") and "18-digit ID number" in reply
    chat_en.say(f"{ZHANG.id} 张伟")
    assert 'You are already doing "Bind card"' in chat_en.say("bind card")
    assert "A code was sent to 138****8000" in chat_en.say(ZHANG.card)


@pytest.mark.parametrize(("typed", "switch_to"), [
    ("算了 我不绑了 我想改密码", "忘记密码"),
    ("不绑了，我要挂失", "挂失社保卡"),
])
def test_a_change_of_mind_in_one_message_asks_to_switch_not_a_wrong_answer(chat, typed,
                                                                          switch_to):
    """Read whole, "算了 我不绑了 我想改密码" at the card step was a negation, and the step's
    "没有看出卡号"; clause by clause it is the other service, asked first as any switch."""
    alice = chat()
    for said in ("绑定社保卡", ZHANG.id, ZHANG.name):
        alice.say(said)
    reply = alice.say(typed)
    assert f"改为办理“{switch_to}”吗" in reply and "没有看出卡号" not in reply
