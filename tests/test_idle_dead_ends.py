"""Messages a probe at idle (2026-12-07) met with "没有听懂", a wrong "您是不是想" or another
card's line; each now gets the reply a person would expect."""

from __future__ import annotations

import pytest


def test_thanks_in_more_words_is_thanks(chat, chat_en):
    assert chat().say("谢谢你啊 帮大忙了") == "不客气，还有需要随时找我。"
    assert "You're welcome" in chat_en().say("you are a lifesaver thank you")


def test_where_a_service_is_opens_it(chat):
    assert chat().say("绑定社保卡在哪里").startswith("绑定社保卡：请输入持卡人的18位身份证号")
    assert "需要先绑定您本人的社保卡" in chat("oBob0001").say("亲情服务在哪")  # family's first word
    assert "1. 绑定社保卡" in chat("oCarol0001").say("菜单在哪")


def test_the_nearest_service_point_is_not_another_card(chat):
    reply = chat().say("最近的社保网点在哪")
    assert reply.startswith("线下办理：带上有效身份证件") and "别的卡" not in reply


@pytest.mark.parametrize("said", ["线下去哪办啊 俺不会弄手机", "朝阳区有网点吗 几点下班"])
def test_going_in_person_is_told_where_and_what_to_take(chat, said):
    """Both blind testers asked this first; it was "答不上来" or the lost-card answer."""
    reply = chat().say(said)
    assert reply.startswith("线下办理：带上有效身份证件，到当地的社保卡服务网点或社保卡合作银行")
    assert "请拨打12333询问" in reply


@pytest.mark.parametrize("said", ["where do i go in person to get this sorted, is there an "
                                  "office near chaoyang", "can i do this offline instead",
                                  "service point address"])
def test_going_in_person_in_english(chat_en, said):
    reply = chat_en().say(said)
    assert reply.startswith("In person: take a valid ID") and "call 12333" in reply


def test_where_to_go_in_person_asked_at_a_step_keeps_the_step(chat):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say("网点在哪")
    assert reply.startswith("线下办理") and reply.endswith("请输入持卡人的18位身份证号。")


@pytest.mark.parametrize("said", ["我年纪大了不会弄这个，咋用嘛", "第一次用，不知道该输入啥"])
def test_an_unsure_newcomer_gets_the_menu_not_a_miss(chat, said):
    reply = chat().say(said)
    assert "1. 绑定社保卡" in reply and "没有听懂" not in reply and "答不上来" not in reply


def test_a_number_taken_back_by_the_carrier_is_a_lost_number(chat):
    reply = chat().say("号码欠费停了好久，已经被运营商回收了")
    assert reply.startswith("手机丢了或换了号码的话") and "忘记密码" not in reply


def test_a_frozen_card_question_shows_the_card(chat):
    assert "还没有绑定社保卡" in chat().say("我的卡是不是被冻结了")


@pytest.mark.parametrize("said", ["验证码没收到", "重新发送"])
def test_a_code_asked_for_with_nothing_in_progress_says_why(chat, said):
    reply = chat().say(said)
    assert reply.startswith("现在没有正在办理的业务，所以没有要重发的验证码")
    assert "“换号了”" in reply


def test_a_codes_word_in_passing_is_no_code(chat, chat_en):
    """过期 is a code's word ("验证码过期了"): it made the card's question "did you mean" bind."""
    reply = chat().say("社保卡过期了还能用吗")
    assert "本服务号答不了" in reply and "12333" in reply and "您是不是想" not in reply
    assert "cannot answer that" in chat_en().say("does my card expire")


@pytest.mark.parametrize("said", ["110105199001011232", "张伟 110105199001011232"])
def test_an_answer_typed_with_nothing_under_way_is_told_to_pick_first(chat, said):
    """After a "没听懂", testers typed their ID: "没有听懂" and the menu again, no reason."""
    reply = chat().say(said)
    assert reply.startswith("您发来的像是要填写的信息") and "现在没有正在办理的业务" in reply
    assert "1. 绑定社保卡" in reply and "没有听懂" not in reply
    assert "110105199001011232" not in reply


@pytest.mark.parametrize(("lang", "start", "said", "answer"), [
    ("en", "bind card", "wait how old do u need to be for this, my son wants to do it too",
     "From 18 you can bind your card"),
    ("zh", "绑定社保卡", "等下，多大能绑，我儿子也想绑", "年满18周岁可以自己把社保卡绑定到微信"),
])
def test_a_question_in_one_clause_of_a_step_message_is_answered(chat_in, lang, start, said,
                                                                  answer):
    """The other clause's words thinned the whole: the step's help was given instead."""
    person = chat_in(lang)
    person.say(start)
    assert person.say(said).startswith(answer)


def test_close_answers_are_offered_under_one_head(chat_en, chat):
    """Two heads in a row ("Which of these do you mean?" then "Did you mean:") read as if the
    bot asked twice."""
    reply = chat_en().say("my daughter is 6, is she even allowed to have her own card")
    assert reply.startswith("Which of these do you mean?\n1. ") and "Did you mean" not in reply
    reply = chat().say("社保卡可以不绑定微信吗")
    assert reply.startswith("您想了解的是哪一个？\n1. ") and "您是不是想" not in reply


def test_the_bots_phone_number_is_said_plainly(chat):
    reply = chat().say("你们电话多少")
    assert "电话咨询请拨12333热线" in reply


@pytest.mark.parametrize(("lang", "said", "told"), [
    ("zh", "我的社保卡被别人绑到他微信上了 我没绑过", "先回复“挂失”，在这里临时挂失这张卡"),
    ("en", "someone else bound my card to their wechat?? i never did that",
     'first reply "report lost card" to report it lost here'),
])
def test_a_card_bound_by_someone_else_is_told_what_to_do_at_once(chat_in, lang, said, told):
    """A blind tester got a list of FAQ guesses ("can i tell someone my verification code")."""
    assert told in chat_in(lang).say(said)


def test_binding_for_someone_else_is_no_stolen_binding(chat):
    assert "临时挂失这张卡" not in chat().say("帮别人绑卡")


@pytest.mark.parametrize("said", ["我的身份证号是110105199001011232", "卡号是A12345678"])
def test_a_number_said_in_words_with_no_service_asks_to_pick_one_first(chat, said):
    """A blind tester's elderly person typed their ID in a sentence at idle and got the
    knowledge base's "never share codes" warning, with no next step."""
    reply = chat().say(said)
    assert reply.startswith("您发来的像是要填写的信息") and "1. 绑定社保卡" in reply
    assert "110105199001011232" not in reply and "A12345678" not in reply


@pytest.mark.parametrize("said", ["社保卡冻结了怎么解冻", "我的社保卡为什么被冻结了"])
def test_how_a_frozen_card_is_thawed_is_said_to_be_the_issuers(chat, said):
    """A blind tester's "冻结了是什么意思 怎么解冻" got a guess at 挂失, and "how do i
    unfreeze it" in English the lifting of a loss report the card never had."""
    reply = chat().say(said)
    assert "社保卡被冻结（不是挂失）的原因和解冻办法" in reply and "12333" in reply
    assert "请输入" not in reply


def test_another_accounts_freeze_is_not_our_cards(chat):
    assert "解冻办法" not in chat().say("支付宝被冻结了")
