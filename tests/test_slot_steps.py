"""The steps with answers wrapped in words: said back masked, asked again, never misjudged.

Transcripts of the whole conversations are the fixtures *_sentences*.yaml; here are the parts
a transcript cannot hold: the full values never appear, the backend state, the miss counting.
"""

from __future__ import annotations

import pytest

from bot.app import bot_of
from tests.conftest import Chat
from tests.people import ZHANG

BIND = ("绑定社保卡", ZHANG.id, "张伟", ZHANG.card)  # the exact answers, step by step


@pytest.mark.parametrize(("step", "typed", "shown", "secret"), [
    (1, f"身份证号是{ZHANG.id}", "收到，身份证号：1101**********1232", ZHANG.id),
    (2, "我叫张伟", "收到，姓名：张*", "张伟"),
    (3, "卡号是a12345678", "收到，卡号：A****5678", ZHANG.card),
])
def test_a_dug_answer_is_said_back_masked_then_the_step_goes_on(chat, step, typed, shown, secret):
    alice = chat()
    for word in BIND[:step]:
        alice.say(word)
    reply = alice.say(typed)
    assert reply.startswith(shown) and secret not in reply
    assert "不匹配" not in reply and "格式不正确" not in reply


def test_a_code_in_a_sentence_binds_and_is_never_shown(chat, backend):
    alice = chat()
    for word in BIND:
        alice.say(word)
    code = alice.sms(ZHANG.phone)
    reply = alice.say(f"收到了，验证码是 {code[:3]} {code[3:]}，谢谢")
    assert "收到，验证码：******" in reply and "绑定成功" in reply and code not in reply
    assert backend.binding(alice.openid).card_number == ZHANG.card


def test_an_exact_answer_is_not_said_back(chat):
    alice = chat()
    alice.say("绑定社保卡")
    assert "收到" not in alice.say(ZHANG.id) and "收到" not in alice.say("张 伟")


@pytest.mark.parametrize(("typed", "says"), [
    ("刚才输过了", "没有看出姓名"),
    ("abc", "没有看出姓名"),
    ("姓名：李四", "身份证号与姓名不匹配"),  # a name was read: that it is not the holder's is true
])
def test_the_name_step_judges_only_a_name_it_read(chat, typed, says):
    alice = chat()
    for word in BIND[:2]:
        alice.say(word)
    reply = alice.say(typed)
    assert says in reply
    assert ("不匹配" in reply) is (says == "身份证号与姓名不匹配")
    assert "卡号" in alice.say("张伟")  # still at the name step


def test_the_code_step_asks_again_for_a_phone_number_without_spending_a_try(chat, backend):
    alice = chat()
    for word in BIND:
        alice.say(word)
    assert "验证码是6位数字" in alice.say(f"我的手机是{ZHANG.phone}")
    assert "不正确" not in alice.say("稍等一下")  # no code checked, so none counted wrong
    code = alice.sms(ZHANG.phone)
    assert "绑定成功" in alice.say(code)


def reset_to_confirm(alice, new: str) -> None:
    for word in ("忘记密码", ZHANG.id, "张伟"):
        alice.say(word)
    alice.say(alice.sms(ZHANG.phone))
    assert "再输入一次" in alice.say(f"新密码是{new}")


def test_the_confirm_step_without_a_password_keeps_the_first_one(chat, backend):
    alice = chat()
    reset_to_confirm(alice, "135790")
    again = alice.say("稍等")  # a wait (and an acknowledgement such as 嗯嗯): no try
    assert "不着急" in again and "不一致" not in again
    assert "密码重置成功" in alice.say("135 790")
    assert backend.verify_password(ZHANG.card, "135790")


def test_the_confirm_step_asks_again_for_answers_without_a_password(chat, backend):
    alice = chat()
    reset_to_confirm(alice, "135790")
    for words in ("稍等", "等一下"):  # no password tried: never a miss
        assert "不着急" in alice.say(words)
    for words in ("马上", "就是上面那个"):
        assert "没有看出密码" in alice.say(words)
    assert backend.verify_password(ZHANG.card, ZHANG.password)  # nothing changed yet
    assert "密码重置成功" in alice.say("135790")
    assert backend.verify_password(ZHANG.card, "135790")


def test_two_id_numbers_are_asked_again_as_one(chat):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say(f"{ZHANG.id}或者310104198505200463")
    assert "不止一个号码" in reply and "1101" not in reply
    assert "姓名" in alice.say(ZHANG.id)


def test_english_steps_say_back_what_they_read(make_app, platform_for):
    app = make_app(BOT_LANG="en")
    bob = Chat(platform_for(app), "oBobEnglish01", bot_of(app).backend)
    bob.say("bind card")
    assert "Got it - ID number: 1101**********1232" in bob.say(f"my ID is {ZHANG.id}")
    named = bob.say("my name is Zhang Wei")  # read, but the record holds 张伟: pinyin
    assert "Got it - name: Z********" in named and "do not match" not in named
    assert "in Chinese characters" in named and "not in pinyin" in named  # no try spent


def test_an_id_number_read_out_to_voice_input_is_read_as_digits(chat):
    """Voice input writes "一一零一零五…": six numerals or more in a row are a number."""
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say("一一零一零五一九九零零一零一一二三二")
    assert "收到，身份证号：1101" in reply and "请输入持卡人的姓名" in reply
