"""What a person meets with no service running, from a new user's probe: an offer that does
not trap them, a request no service runs, a statement of another office's business, and
changing one's mind about 挂失 in so many words."""

from __future__ import annotations

import pytest

from bot.app import bot_of
from tests.conftest import Chat
from tests.people import ZHANG

OFFER = "需要现在办理“绑定社保卡”吗？回复“是”开始。"


@pytest.mark.parametrize(("text", "said"), [
    ("今天天气怎么样？", "帮不上忙"),
    ("社保卡有效期多久", "12333"),
    ("我的卡坏了 芯片读不出来", "检测"),
    ("我的银行卡丢了", "不是社保卡"),
])
def test_a_new_question_after_an_offer_drops_the_offer(chat, text, said):
    """"是或否" asked again for every line trapped the person in the offer."""
    alice = chat()
    assert alice.say("几岁可以绑定？").endswith(OFFER)
    reply = alice.say(text)
    assert said in reply and "请回复“是”开始办理" not in reply
    assert "绑定社保卡：请输入" not in alice.say("是")  # the offer is gone: 是 starts nothing


def test_how_long_after_the_binding_age_and_its_offer_is_binding_s_time(chat):
    """A follow-up the topic answers is answered (binding takes effect at once), the offer
    made again; it was asked 'yes or no' as a vague reply."""
    alice = chat()
    alice.say("几岁可以绑定？")
    reply = alice.say("要多久？")
    assert "当即生效" in reply and reply.endswith(OFFER)


@pytest.mark.parametrize("text", ["什么意思？"])
def test_a_vague_question_after_an_offer_asks_it_again(chat, text):
    """It names nothing whose it could be (UNRELATED): the offer stands, asked again."""
    alice = chat()
    alice.say("几岁可以绑定？")
    assert alice.say(text) == "请回复“是”开始办理“绑定社保卡”，或回复“否”不办理。"
    assert alice.say("是").startswith("绑定社保卡：请输入")


def test_a_hesitation_after_an_offer_asks_it_again(chat):
    alice = chat()
    alice.say("几岁可以绑定？")
    assert alice.say("等等") == "请回复“是”开始办理“绑定社保卡”，或回复“否”不办理。"
    assert "身份证号" in alice.say("是")


def test_an_english_question_after_an_offer_is_answered(make_app, platform_for):
    app = make_app(BOT_LANG="en")
    alice = Chat(platform_for(app), "oAlice0001", bot_of(app).backend)
    # (a request in so many words, "pls help me link my card to wechat", now starts binding)
    assert 'Start "Bind card" now?' in alice.say("what age can i bind my card at")
    reply = alice.say("how do i get my pension")
    assert "12333" in reply and "reply \"yes\" to start" not in reply.lower()


@pytest.mark.parametrize(("text", "said"), [
    ("我要补办社保卡", "补卡前要先正式挂失"),
    ("帮我补一张社保卡", "补卡前要先正式挂失"),
    ("补卡", "补卡前要先正式挂失"),  # how to reissue: its phrasing "卡怎么补" leads the fee now
])
def test_a_request_no_service_runs_gets_its_answer(chat, text, said):
    """No reissue service: "补卡" was "没有听懂" and the menu, though the base answers it."""
    reply = chat().say(text)
    assert said in reply and "没有听懂" not in reply


@pytest.mark.parametrize("text", ["社保卡已经补好了", "我昨天补办了社保卡"])
def test_a_statement_of_what_was_done_is_not_answered_as_a_request(chat, text):
    assert "补卡前要先正式挂失" not in chat().say(text)


@pytest.mark.parametrize(("text", "said"), [
    ("medical insurance reimbursement", "medical insurance office"),
    ("housing fund withdrawal", "Housing fund"),
])
def test_a_statement_of_another_offices_business_says_where_to_ask(make_app, platform_for,
                                                                   text, said):
    app = make_app(BOT_LANG="en")
    alice = Chat(platform_for(app), "oAlice0001", bot_of(app).backend)
    reply = alice.say(text)
    assert said in reply and "did not understand" not in reply


def test_not_reporting_after_all_asks_whether_to_end(chat):
    alice = chat()
    for said in ("挂失", "其他卡", ZHANG.id, "张伟"):
        alice.say(said)
    assert "要结束“挂失社保卡”的办理吗" in alice.say("算了不挂了 我再找找")
    assert "已取消" in alice.say("是")


def test_a_parent_binding_a_childs_card_starts_with_the_childs_id(chat):
    """儿子, 孩子, 宝宝 are one word to the matcher now: a parent's plain request starts the
    service, which asks the holder's (the child's) number; the 12 is no answer of it."""
    reply = chat().say("我想给我儿子绑社保卡 他12岁")
    assert reply == "绑定社保卡：请输入持卡人的18位身份证号。"


@pytest.mark.parametrize(("text", "start"), [
    ("绑定电子社保卡", "绑定社保卡：请输入"),  # a request naming an unserved topic: it starts
    ("电子社保卡丢了", "挂失社保卡：请输入"),
    ("能帮我绑一下社保卡吗", "绑定社保卡：请输入"),  # a question asking for the service
    ("能不能帮我重置一下密码？", "重置社保卡服务密码：请输入"),
])
def test_a_request_starts_its_service_whatever_an_entry_or_topic_says(chat, text, start):
    assert chat().say(text).startswith(start)


def test_words_at_a_step_twice_in_a_row_say_how_out(chat):
    """No try is counted for them, so nothing ends the step: the way out is said instead."""
    alice = chat()
    alice.say("绑定社保卡")
    assert "回复“取消”" not in alice.say("我在外地")
    reply = alice.say("我的卡在家里")
    assert "没有看出身份证号" in reply and "回复“取消”结束" in reply and "12333" in reply


def test_not_understanding_a_step_is_help_not_cancel(chat):
    """"搞不懂" read as 不搞了 (cancel) ended the service; it asks for help."""
    alice = chat()
    alice.say("绑定社保卡")
    assert "当前步骤说明" in alice.say("搞不懂")
    assert "姓名" in alice.say(ZHANG.id)


def test_a_yes_with_no_question_waiting_says_so_not_that_it_was_not_understood(chat):
    """"否" to 确认挂失？ ends the service; a "是" after it (a change of mind, or a late
    reply) got "抱歉，没有听懂" and the menu, though a yes was plainly understood."""
    alice = chat()
    for line in ("挂失", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(line)
    assert "没有挂失" in alice.say("否")
    reply = alice.say("是")
    assert reply.startswith("现在没有等您回答“是”或“否”的问题。") and "1. 绑定社保卡" in reply
    assert "没有听懂" not in reply
    assert "没有听懂" not in alice.say("否") and "挂失社保卡：请输入" not in alice.say("是")


@pytest.mark.parametrize(("text", "said"), [
    ("验证码能告诉别人不", "不要告诉任何人"),  # its 不 asks; it was read as "no, don't start"
    ("人工审核一般多长时间", "重置申请通常要经过审核"),
    ("服务密码是啥 跟银行卡密码一样吗", "社保卡有两个密码"),  # not another card's
])
def test_a_question_after_an_offer_is_answered_not_taken_for_a_no(chat, text, said):
    """From a new user's run: after "需要现在办理…吗？", a follow-up question was asked
    "是或否" again, and one ending in 不 was taken for "不办理"."""
    alice = chat()
    assert alice.say("几岁可以绑定？").endswith(OFFER)
    reply = alice.say(text)
    assert said in reply and "好的，不办理" not in reply and "请回复“是”开始办理" not in reply


@pytest.mark.parametrize("text", ["5", "9"])
def test_a_menu_number_with_no_list_pending_shows_the_menu_to_pick_from(chat, text):
    """"5" before any list in this chat (the menu seen another day) got "没有听懂" with the
    menu; it is not guessed at (a "did you mean" list numbers other things), and the menu
    shown is the pending list, so the same number then picks from it."""
    alice = chat()
    reply = alice.say(text)
    assert reply.startswith("这个序号对应的列表已经用过或过期了") and "5. 挂失社保卡" in reply
    assert "没有听懂" not in reply
    assert alice.say("5").startswith("挂失社保卡：请输入持卡人的18位身份证号。")


@pytest.mark.parametrize("text", ["你们这个太难用了", "什么破玩意 绑个卡这么麻烦", "我要投诉"])
def test_a_complaint_gets_an_apology_and_a_person_not_not_understood(chat, text):
    reply = chat().say(text)
    assert reply.startswith("抱歉给您添麻烦了") and "人工" in reply and "12333" in reply
    assert "没有听懂" not in reply and "1. 绑定社保卡" in reply


def test_a_complaint_in_english_is_owed_the_same(make_app, platform_for):
    app = make_app(BOT_LANG="en")
    alice = Chat(platform_for(app), "oComplainEn01", bot_of(app).backend)
    reply = alice.say("this is so hard to use honestly")
    assert reply.startswith("Sorry for the trouble") and '"agent"' in reply
