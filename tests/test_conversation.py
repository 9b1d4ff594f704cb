"""The dialogue around the flows: sentences, the one pending choice, confirmations, no dead ends.

What a follower meets when they type like people do; the language stage's own accuracy is
measured by `wxbot understand --eval` (tests/test_language.py), not here.
"""

from __future__ import annotations

import pytest

from tests.people import ZHANG


@pytest.mark.parametrize(("said", "asked"), [
    ("帮我把社保卡绑到微信上", "请输入持卡人的18位身份证号"),
    ("绑定社保卡？", "请输入持卡人的18位身份证号"),
    ("社保卡的密码我忘了", "重置社保卡服务密码"),
    ("I'd like to link my card", "请输入持卡人的18位身份证号"),  # heard in either language
    ("forgot my pin", "重置社保卡服务密码"),
])
def test_conversation_a_sentence_starts_its_service(chat, said, asked):
    assert asked in chat().say(said)


def test_conversation_a_number_after_the_menu_picks_that_service(chat):
    alice = chat()
    menu = alice.say("菜单")
    assert "1. 绑定社保卡" in menu and "2. 忘记密码" in menu
    assert "请输入持卡人的18位身份证号" in alice.say("1")


def test_conversation_the_pending_choice_is_used_up_by_the_next_message(chat):
    alice = chat()
    alice.say("菜单")
    assert "还没有绑定社保卡" in alice.say("我的社保卡")  # not a pick: the menu's choice is gone
    assert "重置社保卡服务密码" not in alice.say("2")  # no list is pending now: 2 picks nothing


def test_conversation_a_pick_out_of_range_asks_again_with_the_same_list(chat):
    alice = chat()
    alice.say("菜单")
    again = alice.say("9")
    assert "序号" in again and "1. 绑定社保卡" in again
    assert "重置社保卡服务密码" in alice.say("2")


@pytest.mark.parametrize("said", ["我不想绑定社保卡", "不用重置密码", "don't unbind"])
def test_conversation_a_negation_never_starts_a_service(chat, backend, said):
    alice = chat()
    reply = alice.say(said)
    assert "身份证号" not in reply and "ID number" not in reply and "验证码" not in reply
    assert not backend.sms_outbox(ZHANG.phone)


def test_conversation_a_sentence_mid_flow_asks_before_it_throws_answers_away(chat):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    asked = alice.say("我想挂失社保卡")
    assert "您正在办理“绑定社保卡”" in asked and "挂失社保卡" in asked
    kept = alice.say("否")
    assert "继续办理“绑定社保卡”" in kept and "姓名" in kept
    assert "卡号" in alice.say("张伟")  # the ID number given before is still there


def test_conversation_yes_to_the_switch_ends_the_flow_and_starts_the_other(chat):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say("我想挂失社保卡")
    switched = alice.say("是")
    assert "已结束“绑定社保卡”的办理" in switched and "挂失" in switched


def test_conversation_an_exact_start_word_mid_flow_still_switches_at_once(chat):
    alice = chat()
    alice.say("绑定社保卡")
    assert "已结束“绑定社保卡”的办理" in alice.say("忘记密码")


@pytest.mark.parametrize("said", ["我不想办了。", "不办了", "算了吧"])
def test_conversation_giving_up_in_words_cancels_the_flow(chat, said):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    alice.say("张伟")
    assert "已取消本次办理" in alice.say(said)


def test_conversation_a_question_in_a_flow_gets_the_steps_help_and_keeps_it(chat):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    alice.say("张伟")
    helped = alice.say("卡号在哪里看？")
    assert "卡片正面" in helped
    assert "验证码" in alice.say(ZHANG.card)


@pytest.mark.parametrize(("asked", "answer"), [("怎么查姓名", "与身份证上一致")])
def test_conversation_a_question_about_the_step_is_not_a_switch(chat, asked, answer):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    helped = alice.say(asked)
    assert answer in helped and "您正在办理" not in helped
    assert "卡号" in alice.say("张伟")


def test_conversation_a_question_naming_another_service_offers_the_switch(chat):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    assert "改为办理“挂失社保卡”吗" in alice.say("怎么挂失？")


def test_conversation_two_misses_in_a_row_offer_a_person(chat):
    alice = chat()
    first = alice.say("asdfgh qwerty")
    assert "没有" in first and "联系人工客服" not in first
    assert "联系人工客服" in alice.say("zxcvbn uiop")
    assert "联系人工客服" not in alice.say("菜单")


def test_conversation_a_middling_sentence_asks_once_and_yes_starts(chat):
    alice = chat()
    asked = alice.say("社保卡连微信")  # binding, most likely; a middling score: ask, don't start
    assert "您是想办理“绑定社保卡”吗" in asked and "身份证号" not in asked
    assert "请输入持卡人的18位身份证号" in alice.say("好的")


def test_conversation_no_to_a_confirmation_starts_nothing(chat):
    alice = chat()
    alice.say("社保卡连微信")
    assert "不办理" in alice.say("不用")
    assert "重置社保卡服务密码" not in alice.say("2")  # the confirmation was used up


def test_conversation_a_bare_word_near_a_service_offers_it_numbered(chat):
    alice = chat()
    offered = alice.say("密码")
    assert "您是不是想" in offered and "1. 忘记密码" in offered
    assert "重置社保卡服务密码" in alice.say("1")


# -- not knowing what a step asks: the step's help, once; never a try, never another service --
def test_conversation_i_dont_know_at_a_step_gets_its_help_once_and_costs_no_try(chat):
    alice = chat()
    alice.say("绑定社保卡")
    helped = alice.say("我不知道")
    assert "18位身份证号" in helped and "取消" in helped
    assert helped.count("18位身份证号") == 1  # the step's help once, not the prompt again
    assert "格式不正确" not in helped  # "我不知道" is not a malformed ID number
    for _ in range(4):  # more than the step's tries: none of them counted
        assert "错误次数过多" not in alice.say("不知道")
    assert "姓名" in alice.say(ZHANG.id)


@pytest.mark.parametrize("said", ["不记得了", "忘了", "我也不知道啊", "no idea"])
def test_conversation_not_remembering_the_name_is_about_the_name(chat, said):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    helped = alice.say(said)
    assert "社保卡正面都印有持卡人姓名" in helped and "取消" in helped
    assert "您正在办理" not in helped and "忘记密码" not in helped
    assert "卡号" in alice.say("张伟")  # the flow went on where it was


def test_conversation_a_forgotten_card_number_gets_where_to_find_it(chat):
    alice = chat()
    for said in ("绑定社保卡", ZHANG.id, "张伟"):
        alice.say(said)
    helped = alice.say("卡号忘了")
    assert "印在卡片正面" in helped and "您正在办理" not in helped
    assert "验证码" in alice.say(ZHANG.card)


def test_conversation_a_forgotten_password_at_the_name_step_is_another_service(chat):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    assert "改为办理“忘记密码”吗" in alice.say("我的社保卡密码忘了")  # it names the password


def test_conversation_a_forgotten_password_where_the_password_is_asked_gets_the_code_way(chat):
    alice = chat()
    for said in ("挂失", ZHANG.id, ZHANG.name):
        alice.say(said)
    helped = alice.say("密码忘了")  # the code, which is the way there, sent at once
    assert "改用短信验证" in helped and "验证码已发送" in helped and "您正在办理" not in helped


def test_conversation_a_lost_card_at_the_card_step_offers_the_loss_report(chat):
    alice = chat()
    for said in ("绑定社保卡", ZHANG.id, "张伟"):
        alice.say(said)
    assert "改为办理“挂失社保卡”吗" in alice.say("卡丢了怎么办")


def test_conversation_i_dont_know_with_no_flow_is_not_a_service(chat):
    reply = chat().say("我不知道")
    assert "身份证号" not in reply and "1. 绑定社保卡" in reply  # what the bot can do
