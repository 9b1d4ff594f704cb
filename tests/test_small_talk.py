"""Small talk: a person who says thanks, goodbye or "好的" is answered in kind, never told they
were not understood, and never offered a person for being polite. Lookups asked for in a
sentence mid-flow are answered there and the step kept."""

from __future__ import annotations

import pytest

from bot.app import bot_of
from tests.conftest import Chat
from tests.people import ZHANG

NOT_UNDERSTOOD = "没有听懂"
MENU_LINE = "1. 绑定社保卡"
PERSON = "回复“人工”联系人工客服"  # the hand-over offer (offer_person)


@pytest.mark.parametrize("said", ["谢谢", "谢谢你", "不用了，谢谢", "辛苦了", "好的谢谢", "thanks"])
def test_thanks_gets_youre_welcome_not_the_menu(chat, said):
    reply = chat().say(said)
    assert reply == "不客气，还有需要随时找我。"


@pytest.mark.parametrize("said", ["再见", "拜拜", "谢谢，再见", "bye"])
def test_goodbye_gets_a_goodbye(chat, said):
    reply = chat().say(said)
    assert reply.startswith("再见") and NOT_UNDERSTOOD not in reply and MENU_LINE not in reply


@pytest.mark.parametrize("said", ["好的", "收到", "知道了", "ok"])
def test_a_bare_ok_at_idle_gets_a_short_line(chat, said):
    assert chat().say(said) == "好的，有需要回复“菜单”。"


@pytest.mark.parametrize("said", ["你好", "您好啊", "hello"])
def test_hello_gets_a_greeting_and_the_menu(chat, said):
    reply = chat().say(said)
    assert reply.startswith("您好！") and MENU_LINE in reply and NOT_UNDERSTOOD not in reply


def test_the_greetings_menu_is_still_the_pending_pick(chat):
    alice = chat()
    alice.say("你好")
    assert "身份证号" in alice.say("1")


def test_two_thank_yous_in_a_row_bring_no_offer_of_a_person(chat):
    alice = chat()
    assert PERSON not in alice.say("谢谢")
    assert PERSON not in alice.say("谢谢")
    assert PERSON not in alice.say("不用了，谢谢")


def test_thanks_between_two_misses_is_not_a_miss_and_does_not_hide_them(chat):
    alice = chat()
    assert PERSON not in alice.say("啊啊啊")
    alice.say("谢谢")
    alice.say("谢谢")
    assert PERSON in alice.say("我想吃饭")  # the second miss in a row, thanks not counted


def test_no_thanks_to_an_offer_declines_it_and_ok_thanks_takes_it(chat):
    alice = chat()
    assert "回复“是”开始" in alice.say("几岁可以绑定？")
    assert "不办理" in alice.say("不用了，谢谢")
    alice.say("几岁可以绑定？")
    assert "身份证号" in alice.say("好的，谢谢")


def test_thanks_at_a_step_is_not_its_answer_and_the_step_is_asked_again(chat):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    reply = alice.say("谢谢")
    assert reply == "不客气。接着刚才的步骤：请输入持卡人的姓名。"
    assert "卡号" in alice.say(ZHANG.name)  # the ID number given before is still there


def test_my_card_asked_in_a_sentence_mid_flow_is_answered_and_the_step_kept(chat):
    alice = chat()
    alice.say("绑定社保卡")
    alice.say(ZHANG.id)
    reply = alice.say("看看我的社保卡")
    assert "还没有绑定社保卡" in reply and "接着刚才的步骤：请输入持卡人的姓名" in reply
    assert "已结束" not in reply
    assert "卡号" in alice.say(ZHANG.name)


def test_progress_asked_in_a_sentence_mid_flow_is_answered_and_the_step_kept(chat):
    alice = chat()
    alice.say("忘记密码")
    alice.say(ZHANG.id)
    reply = alice.say("我想查一下审核进度")
    assert "没有人工审核申请" in reply and "姓名" in reply and "已结束" not in reply


def test_the_exact_start_word_mid_flow_keeps_the_contract_and_ends_the_flow(chat):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say("我的社保卡")
    assert "已结束“绑定社保卡”的办理" in reply and "还没有绑定社保卡" in reply


@pytest.fixture
def chat_en(make_app, platform_for):
    app = make_app(BOT_LANG="en")
    return Chat(platform_for(app), "oAliceEn0001", bot_of(app).backend)


def test_an_english_bot_says_youre_welcome_and_goodbye_in_english(chat_en):
    assert chat_en.say("thank you so much") == "You're welcome. I'm here whenever you need me."
    assert chat_en.say("谢谢").startswith("You're welcome")
    assert chat_en.say("ok bye").startswith("Goodbye")
    assert chat_en.say("ok") == 'OK. Reply "menu" whenever you need me.'
    hello = chat_en.say("hello")
    assert hello.startswith("Hello!") and "1. " in hello
