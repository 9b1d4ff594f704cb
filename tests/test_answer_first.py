"""A question that names a service but asks something else is answered before the service
is offered: starting the flow at once left "16周岁能自己绑吗" unanswered. The service's own
how-to question still starts it, the flow being the better how-to."""

from __future__ import annotations

import pytest

from bot.app import bot_of
from tests.conftest import Chat

START = {"bind_card": "绑定社保卡：请输入持卡人的18位身份证号。",
         "forgot_password": "重置社保卡服务密码：请输入持卡人的18位身份证号。",
         "report_loss": "挂失社保卡：请输入持卡人的18位身份证号。"}


@pytest.mark.parametrize(("text", "answer", "offered"), [
    ("16周岁能自己在微信绑社保卡吗", "年满18周岁", "绑定社保卡"),
    ("孩子社保卡能绑定微信吗", "监护人", "绑定社保卡"),
    ("社保卡丢了怎么补办", "补卡前要先正式挂失", "挂失社保卡"),
    ("重置密码是马上就好吗", "审核", "查询进度"),
    ("社保卡挂失后怎么补办", "补卡前要先正式挂失", "挂失社保卡"),  # not lifting the report
])
def test_a_question_naming_a_service_is_answered_then_offered(chat, text, answer, offered):
    alice = chat()
    reply = alice.say(text)
    assert answer in reply and f"需要现在办理“{offered}”吗？回复“是”开始。" in reply
    assert "请输入持卡人的18位身份证号" not in reply  # no flow started behind the answer


def test_yes_after_the_answer_starts_the_service(chat):
    alice = chat()
    alice.say("社保卡丢了怎么补办")
    assert alice.say("是") == START["report_loss"]


@pytest.mark.parametrize("text", ["社保卡余额怎么查", "社保卡芯片坏了还能用吗",
                                  "我那个卡刷不了了咋整", "医院说卡不能用"])
def test_our_cards_topic_no_service_touches_says_where_to_ask(chat, text):
    """"余额" read as 我的社保卡 showed the bound card, which has no balance to show."""
    reply = chat().say(text)
    assert reply.startswith(("电子社保卡的申领，以及社保卡的激活和余额查询",
                              "卡刷不了、或芯片磁条卡面受损"))
    assert "本微信还没有绑定社保卡" not in reply and "身份证号" not in reply


@pytest.mark.parametrize(("text", "intent"), [
    ("怎么绑定社保卡", "bind_card"),  # binding's own how-to: the flow is the answer
    ("社保卡密码忘了怎么办", "forgot_password"),
    ("社保卡丢了", "report_loss"),
])
def test_the_services_own_how_to_still_starts_it(chat, text, intent):
    assert chat().say(text).endswith(START[intent])


def test_an_english_question_is_answered_then_offered(make_app, platform_for):
    app = make_app(BOT_LANG="en")
    alice = Chat(platform_for(app), "oAlice0001", bot_of(app).backend)
    reply = alice.say("can i bind the card myself at 16?")
    assert "18" in reply and reply.endswith('Start "Bind card" now? Reply "yes" to begin.')
    assert alice.say("yes").startswith("Bind a social-security card - please enter")


def test_another_card_lost_is_told_whose_it_is_in_english(make_app, platform_for):
    """"i lost my id card" started 挂失 and asked for an ID number: the ID card is not ours."""
    app = make_app(BOT_LANG="en")
    alice = Chat(platform_for(app), "oAlice0001", bot_of(app).backend)
    reply = alice.say("i lost my id card")
    assert "not the social-security card" in reply and "ID number" not in reply
    assert alice.say("i lost my card").startswith("Report a lost card")


def test_the_card_and_the_medical_card_is_answered_not_offered_binding(chat):
    """"社保卡和医保卡是一张卡吗" asked whether to bind a card: the card's purpose answers it."""
    reply = chat().say("社保卡和医保卡是一张卡吗")
    assert "医保账户" in reply and "绑定社保卡" not in reply


def test_a_question_mid_step_about_something_else_is_answered_then_the_step(chat):
    """Answered from 35 % of its words held (it was 60 %: the step's help, which answers
    nothing of regions); a question naming the step's own thing keeps the step's help."""
    alice = chat()
    alice.say("挂失")
    reply = alice.say("外地的社保卡能在北京用吗")
    assert "各地人社部门" in reply and reply.endswith("挂失社保卡：请输入持卡人的18位身份证号。")
    assert "当前步骤说明" in alice.say("身份证号是哪个")


@pytest.mark.parametrize("text", ["几岁能绑卡？补办要多少钱？", "孩子几岁能绑卡？补办要多少钱？"])
def test_two_questions_in_one_message_are_both_answered(chat, text):
    """Read whole, the second question's words made the first's entry refuse the line, and
    the person got "暂时回答不了" for two questions the bot answers one by one."""
    reply = chat().say(text)
    assert reply.index("年满18周岁") < reply.index("工本费")  # in the order asked
    assert "需要现在办理“绑定社保卡”吗？回复“是”开始。" in reply  # the first one's service


def test_two_questions_mid_step_are_both_answered_then_the_step(chat):
    alice = chat()
    alice.say("挂失")
    reply = alice.say("孩子几岁能绑卡？补办要多少钱？")
    assert "年满18周岁" in reply and "工本费" in reply
    assert reply.endswith("接着刚才的步骤：挂失社保卡：请输入持卡人的18位身份证号。")


def test_the_bank_pin_of_the_card_is_answered_not_offered_the_reset(chat_en):
    """A blind tester was asked 'Did you mean "Forgot password"?', which resets the service
    password, not the bank account's."""
    reply = chat_en().say("how do I change the PIN of the bank account on the card")
    assert "partner bank" in reply and 'Did you mean "Forgot password"' not in reply


def test_paying_at_the_hospital_with_the_card_is_what_the_card_is_for(chat):
    """A blind tester's "医院看病能用社保卡直接刷吗" got the line for a card that will not swipe."""
    reply = chat().say("医院看病能用社保卡直接刷吗")
    assert "能在医院、药店结算" in reply and "卡刷不了" not in reply


def test_a_parent_of_a_teenager_is_told_how_a_minor_binds(chat_en):
    reply = chat_en().say("my 14 year old son needs his card on wechat, I'm his mum. what do I do?")
    assert "guardian" in reply.lower() and not reply.startswith("From 18")


@pytest.mark.parametrize("said", ["那我自己能挂失吗", "社保卡丢了能挂失吗"])
def test_whether_a_loss_can_be_reported_is_answered_then_offered(chat, said):
    """'那我自己能挂失吗' right after binding started a report of a card that was fine."""
    reply = chat().say(said)
    assert "临时挂失" in reply and "需要现在办理“挂失社保卡”吗" in reply
    assert "请输入持卡人的18位身份证号" not in reply


@pytest.mark.parametrize("said", ["能帮我挂失吗", "在这能挂失吗", "能不能先给我挂失了"])
def test_a_loss_asked_for_as_a_question_starts_it(chat, said):
    assert chat().say(said) == START["report_loss"]
