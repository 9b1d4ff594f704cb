"""A short question right after an answer or a service leans on it (bot/dialogue/topic.py,
flows/knowledge/follow_up.py): "那要多久" after a loss report met "答不上来", though the bot
had just named what it asked about; "那孩子呢" after the binding age guessed at 亲情服务."""

from __future__ import annotations

import pytest

from flows.knowledge.follow_eval import evaluate_follow_ups, format_follow_ups
from flows.knowledge.follow_up import follow_up, next_entries
from flows.knowledge.retriever import Retriever
from tests.people import ZHANG
from tests.test_forgot_password import reset_up_to_code
from tests.test_loss_flow import report_by_password

REISSUE = "补卡前要先正式挂失"
FEE = "第一次领社保卡是免费的"
MINOR = "未成年人的社保卡可以绑定"
NOT_ANSWERED = "这个问题我答不上来"


@pytest.mark.parametrize(("said", "answer"), [
    ("那要多久", REISSUE),  # until a new card: the replacement's answer says
    ("多少钱", FEE),
    ("收费吗", FEE),
])
def test_a_follow_up_after_a_loss_report_is_answered(chat, said, answer):
    alice = chat()
    assert "已挂失" in report_by_password(alice)
    reply = alice.say(said)
    assert answer in reply and NOT_ANSWERED not in reply
    assert "需要现在办理“挂失社保卡”吗" not in reply  # it was just done


def test_the_service_just_done_is_not_offered_again_after_further_answers(chat):
    alice = chat()
    report_by_password(alice)
    assert REISSUE in alice.say("那要多久")
    reply = alice.say("补卡要带啥")
    assert REISSUE in reply and "挂失社保卡" not in reply.split("\n")[-1]


def test_a_follow_up_naming_nothing_is_offered_what_people_ask_next(chat):
    alice = chat()
    report_by_password(alice)
    reply = alice.say("为什么")
    assert reply.startswith("接着您可能想了解：") and "1. " in reply
    assert "补办一般要带" not in reply  # a choice, not a guess
    assert alice.say("1").startswith("卡丢了，补卡前要先正式挂失")


@pytest.mark.parametrize("said", ["今天天气怎么样", "你是谁"])
def test_a_line_about_something_else_is_no_follow_up(chat, said):
    alice = chat()
    report_by_password(alice)
    assert "接着您可能想了解" not in alice.say(said)


def test_a_follow_up_to_an_answer_leans_on_it(chat):
    alice = chat()
    assert "年满18周岁" in alice.say("几岁能绑社保卡")
    reply = alice.say("那孩子呢")  # not "您是想办理“亲情服务”吗"
    assert reply.startswith(MINOR)


def test_a_follow_up_to_the_replacement_asks_its_fee(chat):
    alice = chat()
    alice.say("社保卡怎么补办")
    assert FEE in alice.say("多少钱")  # was "社保的缴费…不在本服务号办理"


def test_the_topic_lapses(chat, clock):
    alice = chat()
    report_by_password(alice)
    clock.advance(11 * 60)
    assert NOT_ANSWERED in alice.say("那要多久")


def test_a_follow_up_in_english(chat_en):
    alice = chat_en()
    for said in ("report loss", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(said)
    assert "reported lost" in alice.say("yes").lower()
    assert "first card is free" in alice.say("how much?")
    assert alice.say("then what").startswith("You may want to know next:")


def test_follow_ups_on_dev_gain_more_right_than_wrong():
    """Read after their topic, dev's follow-ups gain right answers over the plain reading by
    more than they add wrong ones (a list without the entry is wrong); the held-out part is
    scored by `wxbot understand --eval` alone, never by a test that could steer tuning."""
    for group in evaluate_follow_ups("dev"):
        gained = group.right - group.plain_right
        assert gained > 0 and group.wrong - group.plain_wrong < gained, group.lang
        assert (group.none_answered + group.none_listed) * 2 <= group.none, group.lang


def test_follow_up_report_never_prints_held_out_lines():
    report = format_follow_ups(evaluate_follow_ups("all"))
    assert "zh_CN heldout right" in report and "en    dev" in report
    assert "miss zh_CN heldout" not in report and "miss en heldout" not in report


def test_next_entries_name_only_known_entries_and_services():
    table = next_entries()
    assert set(table) == {"answers", "services"}
    assert {"report_loss", "bind_card", "forgot_password"} <= set(table["services"])


def test_thanks_for_an_answer_is_no_yes_to_its_offer(chat, backend):
    """"好的明白了 谢谢" after the replacement answer started a loss report of a working card."""
    alice = chat()
    assert "需要现在办理“挂失社保卡”吗" in alice.say("社保卡丢了怎么补办")
    reply = alice.say("好的明白了 谢谢")
    assert "身份证号" not in reply and reply.startswith("不客气")


@pytest.mark.parametrize(("said", "offered"), [("换卡要带啥", False), ("社保卡丢了怎么补办", True),
                                               ("my card was stolen how do i get a new one", True)])
def test_the_replacement_answer_offers_a_loss_report_only_for_a_loss(chat, said, offered):
    reply = chat().say(said)
    assert ("需要现在办理“挂失社保卡”吗" in reply) is offered


@pytest.mark.parametrize(("after", "said", "entry"), [
    ("forgot_password", "银行卡密码也一起改了吗", "password_forgot"),  # the card's bank side
    ("forgot_password", "那去银行改要带啥", "password_forgot"),
    ("report_loss", "身份证也丢了咋办", None),  # another card: never read as ours
    ("report_loss", "那医保呢", None),  # a neighbour's topic named
])
def test_a_follow_up_naming_a_bank_card_may_mean_the_cards_own_bank_side(after, said, entry):
    """"银行卡密码也一起改了吗" right after a reset was "您说的是别的卡"."""
    found = follow_up(Retriever.shared("zh_CN"), said, "services", after)
    assert (found.entries[0].id if found.kind == "one" else None) == entry
    assert found.kind != "choices"


def test_one_who_unsubscribes_keeps_no_topic(chat, bot):
    alice = chat()
    alice.say("几岁能绑社保卡")
    assert bot.store.session(alice.openid)["topic"][:2] == ["answers", "bind_age"]
    alice.send("event_unsubscribe")
    assert bot.store.session(alice.openid) is None


def test_a_service_that_failed_is_still_offered(chat):
    """Three wrong names end a binding; the age answer after it offers binding again (the
    service just ended was not offered again, however it had ended)."""
    alice = chat()
    for said in ("绑定社保卡", ZHANG.id, "李四", "李四"):
        alice.say(said)
    assert "错误次数过多" in alice.say("李四")
    assert "需要现在办理“绑定社保卡”吗" in alice.say("几岁能绑社保卡")


def test_after_an_instant_reset_how_long_is_no_review(chat, backend):
    """'那要等多久' after '密码重置成功' was the review's waiting time."""
    alice = chat()
    reset_up_to_code(alice)
    alice.say(alice.sms(ZHANG.phone))
    for said in ("135792", "135792"):
        reply = alice.say(said)
    assert "重置成功" in reply
    assert "审核" not in alice.say("那要等多久")
