"""Codes, passwords and confirmations as a careful counter clerk would handle them.

The new password's rules are said before the first try; a code replaced by a resend (or used
already) is called stale, not wrong; "没收到" at any code step sends a new code; unbinding asks
first, naming the card; a card already reported lost is described to its proven holder.
"""

from __future__ import annotations

import pytest

from bot.parts import bot_of
from flows.catalog import Catalog
from flows.ids import birth_date
from flows.passwords import weakness
from tests.conftest import Chat
from tests.people import LI_NA, LIU_YANG, SUN_LI, WANG_XM, WU_LEI, ZHANG

RESET_UP_TO_CODE = ("忘记密码", ZHANG.id, ZHANG.name)


def verified_for_reset(alice) -> str:
    """忘记密码 -> ID -> name -> the code: the reply that asks for the new password."""
    for said in RESET_UP_TO_CODE:
        alice.say(said)
    return alice.say(alice.sms(ZHANG.phone))


# -- 1. the new password's rules, up front ---------------------------------------------------

def test_the_new_password_step_states_every_rule_before_the_first_try(chat):
    asked = verified_for_reset(chat())
    for rule in ("6位数字", "111111", "123456、654321", "出生日期", "原密码"):
        assert rule in asked


# every refusal the rules can give -> how the prompt names that rule, in zh_CN and en
RULES = {"reset.pw_format": ("6位数字", "6 digits"),
         "reset.pw_repeated": ("同一数字重复（如111111）", "one digit repeated (like 111111)"),
         "reset.pw_sequence": ("连续数字（如123456、654321）", "a run (like 123456 or 654321)"),
         "reset.pw_birthday": ("出生日期", "birth date"),
         "reset.pw_current": ("原密码", "current password")}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_prompt_names_every_rule_a_refusal_can_give(lang):
    catalog, n = Catalog(lang), 0 if lang == "zh_CN" else 1
    for refusal, named in RULES.items():
        assert named[n] in catalog.text("reset.ask_password"), refusal


@pytest.mark.parametrize("password", ["12345a", "111111", "123456", "654321", "890123",
                                      "900101", "010190"])
def test_each_weak_password_is_refused_by_one_of_those_rules(password):
    assert weakness(password, birth_date(ZHANG.id)) in RULES


def test_a_refused_password_is_asked_again_without_saying_verified_again(chat):
    alice = chat()
    verified_for_reset(alice)
    reply = alice.say("111111")
    assert "同一个数字重复" in reply
    assert "身份验证通过" not in reply and "请输入新的6位数字服务密码" in reply
    reply = alice.say("135790")
    assert "请再输入一次新密码" in reply
    reply = alice.say("135791")
    assert "两次输入的密码不一致" in reply and "身份验证通过" not in reply


# -- 2. a code replaced by a resend, or used already: stale, not wrong ------------------------

def test_the_code_before_a_resend_is_called_stale_and_costs_no_try(chat, clock, backend):
    alice = chat()
    for said in ("绑定社保卡", ZHANG.id, ZHANG.name, ZHANG.card):
        alice.say(said)
    first = alice.sms(ZHANG.phone)
    clock.advance(61)
    assert "已重新发送验证码" in alice.say("重新发送")
    sent = len(backend.sms_outbox(ZHANG.phone))
    for _ in range(4):  # more than the step's three misses: none of these is one
        reply = alice.say(first)
        assert "这个验证码已失效，请输入最新收到的验证码" in reply
        assert "验证码不正确" not in reply and "验证码已发送至" not in reply
    assert len(backend.sms_outbox(ZHANG.phone)) == sent  # nothing new went out
    assert "还可以再试 4 次" in alice.say(f"{(int(first) + 1) % 10**6:06d}")
    assert "绑定成功" in alice.say(alice.sms(ZHANG.phone))


def test_a_code_used_already_is_stale_in_the_next_request(chat, clock):
    alice = chat()
    verified_for_reset(alice)
    used = alice.sms(ZHANG.phone)
    alice.say("取消")
    clock.advance(61)
    for said in RESET_UP_TO_CODE:
        alice.say(said)
    assert "这个验证码已失效" in alice.say(used)
    assert "身份验证通过" in alice.say(alice.sms(ZHANG.phone))


# -- 3. "没收到" / "didn't get it" at every code step --------------------------------------------

BIND_LI_NA = ("bind", LI_NA.id, LI_NA.name, LI_NA.card, f"sms:{LI_NA.phone}")
# flow -> (the words that reach its code step, in the zh / en start words; the phone it texts)
CODE_STEPS = {
    "bind": ((ZHANG.id, ZHANG.name, ZHANG.card), ZHANG.phone),
    "reset": ((ZHANG.id, ZHANG.name), ZHANG.phone),
    "consent": ((SUN_LI.id, SUN_LI.name, SUN_LI.card, LIU_YANG.id), LIU_YANG.phone),
    "report_loss": ((ZHANG.id, ZHANG.name, "use_code"), ZHANG.phone),
    "lift_loss": ((WU_LEI.id, WU_LEI.name, "use_code"), WU_LEI.phone),
    "family": (("family", "1", WANG_XM.id, WANG_XM.name), LI_NA.phone),
    "unbind": (("yes",), ZHANG.phone),
}
START = {"bind": "bind_card", "reset": "forgot_password", "consent": "bind_card",
         "report_loss": "report_loss", "lift_loss": "lift_loss", "family": None,
         "unbind": "unbind"}
NOT_RECEIVED = {"zh_CN": ["没收到", "没有收到", "还没收到", "验证码没收到", "收不到"],
                "en": ["didn't get it", "resend", "I didn't receive the code", "not received",
                       "nothing came"]}


def talk(alice: Chat, catalog: Catalog, clock, words) -> str:
    """Say each of `words`: keyword keys in the chat's language, `sms:PHONE` the latest code."""
    reply = ""
    for said in words:
        if said.startswith("sms:"):
            said = alice.sms(said[4:])
        elif said in catalog.words:
            said = catalog.word(said)
        reply = alice.say(said)
    return reply


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("flow", CODE_STEPS)
def test_not_received_sends_a_new_code_at_every_code_step(make_app, platform_for, clock,
                                                          flow, lang):
    app = make_app(BOT_LANG=lang)
    backend, catalog = bot_of(app).backend, Catalog(lang)
    words, phone = CODE_STEPS[flow]
    for n, said in enumerate(NOT_RECEIVED[lang]):
        alice = Chat(platform_for(app), f"oResend{flow[:6]}{n}", backend)
        if flow == "family":
            talk(alice, catalog, clock, BIND_LI_NA)
            clock.advance(61)
        if flow == "unbind":
            backend.bind(ZHANG.card, alice.openid)
        reached = talk(alice, catalog, clock, [*([START[flow]] if START[flow] else []), *words])
        assert phone[:3] + "****" + phone[-4:] in reached and backend.sms_outbox(phone)
        sent = len(backend.sms_outbox(phone))
        clock.advance(61)  # past the one-a-minute limit
        reply = alice.say(said)
        assert catalog.text("common.code_resent") in reply, (said, reply)
        assert len(backend.sms_outbox(phone)) == sent + 1
        assert alice.say(alice.sms(phone))  # the new code goes on with the flow
        clock.advance(3600)  # a fresh minute-and-day budget for the next phrase
        backend.reset()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_not_received_within_the_minute_says_the_wait_and_sends_nothing(make_app,
                                                                        platform_for, lang):
    app = make_app(BOT_LANG=lang)
    backend, catalog = bot_of(app).backend, Catalog(lang)
    alice = Chat(platform_for(app), "oResendSoon01", backend)
    talk(alice, catalog, None, ("forgot_password", ZHANG.id, ZHANG.name))
    reply = alice.say(NOT_RECEIVED[lang][1])
    assert catalog.text("common.code_wait", wait=60) in reply
    assert len(backend.sms_outbox(ZHANG.phone)) == 1


def test_the_days_cap_names_the_phone_even_on_the_first_send(chat, clock, backend):
    alice = chat()
    for _ in range(10):
        backend.send_code(ZHANG.id, "bind")
        clock.advance(61)
    reply = talk(alice, Catalog(), clock, ("忘记密码", ZHANG.id, ZHANG.name))
    assert "今天发送到 138****8000 的验证码已达上限" in reply


# -- 4. 解绑 names the card and asks first ----------------------------------------------------

def test_unbind_names_the_masked_card_and_sends_nothing_before_yes(chat, backend):
    backend.bind(ZHANG.card, "oAlice0001")
    alice = chat()
    asked = alice.say("解绑")
    assert "确认解绑尾号5678的社保卡（持卡人 张*）？回复“是”确认" in asked
    assert ZHANG.card not in asked and backend.sms_outbox(ZHANG.phone) == []
    kept = alice.say("否")
    assert "没有解绑" in kept and "A****5678 仍绑定在本微信" in kept
    assert backend.binding("oAlice0001").card_number == ZHANG.card
    assert backend.sms_outbox(ZHANG.phone) == []


def test_unbind_yes_sends_the_holders_code_and_not_received_resends_it(chat, clock, backend):
    backend.bind(ZHANG.card, "oAlice0001")
    alice = chat()
    alice.say("解绑")
    assert "验证码已发送至 138****8000" in alice.say("是")
    clock.advance(61)
    assert "已重新发送验证码" in alice.say("没收到")
    assert "已解除社保卡 A****5678" in alice.say(alice.sms(ZHANG.phone))
    assert backend.binding("oAlice0001") is None


# -- 5. a card already reported lost, described to its proven holder only ---------------------

def report_by_password(alice) -> list[str]:
    """挂失 -> ID -> name -> service password: every reply on the way."""
    return [alice.say(said) for said in ("挂失", ZHANG.id, ZHANG.name, ZHANG.password)]


def test_reporting_again_names_the_report_and_offers_lifting_or_a_new_card(chat):
    alice = chat()
    report_by_password(alice)
    reported = alice.say("是")
    ref = reported.split("受理编号 ")[1].split("，")[0]
    *before, again = report_by_password(alice)
    assert not [r for r in before if "挂失时间" in r or "5678" in r or ref in r]  # before proof
    for said in ("尾号5678的社保卡已经挂失", "无需重复办理", f"受理编号 {ref}",
                 "挂失时间 2026-11-22 10:00", "到 2026-11-29 10:00 自动解除", "回复“解除挂失”",
                 "补办新卡", "费用以当地规定为准"):
        assert said in again, said
    assert ZHANG.card not in again and "确认挂失" not in again


def test_a_card_lost_at_a_counter_is_said_without_a_reference(chat):
    alice = chat()
    for said in ("挂失", WU_LEI.id, WU_LEI.name):
        assert "已经挂失" not in alice.say(said)
    told = alice.say(WU_LEI.password)
    assert "尾号0001的社保卡已经挂失" in told and "在社保服务网点或合作银行挂失的" in told
    assert "受理编号" not in told and "解除挂失" in told and "补办新卡" in told


def test_a_wrong_password_hears_nothing_about_the_lost_card(chat, backend):
    backend.report_loss(ZHANG.card, "oSomeone")
    alice = chat()
    for said in ("挂失", ZHANG.id, ZHANG.name):
        alice.say(said)
    refused = alice.say("000000")
    assert "服务密码不正确" in refused and "挂失" not in refused.replace("服务密码", "")
    assert "5678" not in refused


def test_already_lost_in_english(make_app, platform_for):
    app = make_app(BOT_LANG="en")
    backend = bot_of(app).backend
    record = backend.report_loss(ZHANG.card, "oSomeone")
    alice = Chat(platform_for(app), "oLostEn0001", backend)
    told = [alice.say(said) for said in ("report loss", ZHANG.id, ZHANG.name, ZHANG.password)]
    assert "already reported lost" in told[-1] and f"Reference {record.ref}" in told[-1]
    assert 'reply "lift loss"' in told[-1] and "new card" in told[-1]
    assert not [t for t in told[:-1] if "already" in t or "5678" in t]


def test_unclear_replies_to_the_unbind_question_never_end_it_nor_unbind(chat, backend):
    backend.bind(ZHANG.card, "oAlice0001")
    alice = chat()
    alice.say("解绑")
    for said in ("等等", "我想想", "嗯嗯", "随便") * 2:
        assert "请回复“是”确认解绑，或回复“否”保留绑定" in alice.say(said)
    assert backend.binding("oAlice0001") is not None and backend.sms_outbox(ZHANG.phone) == []
    assert "验证码已发送至 138****8000" in alice.say("是")


def at_the_unbind_question(chat, backend):
    """张伟's card bound to alice, who has asked to unbind it: "确认解绑…？"."""
    backend.bind(ZHANG.card, "oAlice0001")
    alice = chat()
    alice.say("解绑")
    return alice


@pytest.mark.parametrize("said", ["那算了先不解了", "ok nvm keep it", "不解了", "no keep it"])
def test_taking_the_unbinding_back_in_words_keeps_the_binding(chat, backend, said):
    """Both were "请回复“是”…或“否”" (不解了 reads as lifting's 解; nvm as a middling 取消)."""
    alice = at_the_unbind_question(chat, backend)
    assert "没有解绑" in alice.say(said)
    assert backend.binding("oAlice0001") is not None


def test_a_story_ending_in_a_take_back_at_the_code_step_asks_to_end(chat, backend):
    """"没有看出验证码" came back to a wife finding the card in a drawer."""
    alice = chat()
    for said in ("挂失", ZHANG.id, ZHANG.name, "验证码"):
        alice.say(said)
    assert alice.say("等等 我老婆说卡在抽屉里 不用挂了").startswith("要结束“挂失社保卡”的办理吗")
    assert "已取消" in alice.say("是") and backend.card(ZHANG.card).status != "lost"
