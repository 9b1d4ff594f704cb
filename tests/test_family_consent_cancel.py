"""A minor's 取消 while the guardian is asked in chat withdraws the request, and one guardian
with one request or several: two followers, each follower's API messages counted.
"""

from __future__ import annotations

import threading
import time

import pytest

from bot.app import bot_of
from tests.conftest import Chat
from tests.test_family_consent import GUARDIAN, LIU, MINOR, SUNLI, ask_guardian, to


@pytest.fixture
def family(make_app, platform_for):
    """As in tests/test_family_consent.py: API sends land in `sent`; 刘洋's card is bound."""
    sent: list[dict] = []
    app = make_app(OUTBOUND_SEND=sent.append)
    bot, wechat = bot_of(app), platform_for(app)
    bot.backend.bind("A20000003", GUARDIAN)
    return bot, sent, {who: Chat(wechat, who, bot.backend) for who in (MINOR, GUARDIAN)}


def test_a_minors_cancel_withdraws_the_request_and_the_guardians_yes_binds_nothing(family):
    bot, sent, chats = family
    ask_guardian(chats)
    assert len(to(sent, GUARDIAN, count=1)) == 1  # the request
    cancelled = chats[MINOR].say("取消")
    assert "已取消本次绑定" in cancelled and "请求已撤回" in cancelled
    guardian = to(sent, GUARDIAN, count=2)
    assert len(guardian) == 2 and "已取消办理" in guardian[1] and "请求已撤回" in guardian[1]
    assert bot.family.pending(GUARDIAN) == []
    assert "没有待您确认的请求" in chats[GUARDIAN].say("同意")  # decides nothing, kindly
    assert bot.backend.binding(MINOR) is None
    assert "当前没有正在办理的业务" in chats[MINOR].say("取消")  # again: nothing more
    bot.family.sweep()
    time.sleep(1.5)  # a sweep or two later: still once each
    assert len(to(sent, GUARDIAN)) == 2
    assert to(sent, MINOR) == []  # the minor heard it in their reply, nothing through the API
    assert bot.backend.binding(MINOR) is None


def test_a_cancel_sentence_withdraws_and_a_guardian_holding_it_hears_it_was_withdrawn(family):
    bot, sent, chats = family
    ask_guardian(chats)
    assert "孙*" in chats[GUARDIAN].say("待确认")  # one request: shown, his answer pending
    assert "已取消本次绑定" in chats[MINOR].say("不办了")
    answered = chats[GUARDIAN].say("同意")
    assert "已经处理过" in answered and "对方已取消办理" in answered
    assert bot.backend.binding(MINOR) is None
    assert len(to(sent, GUARDIAN, count=2)) == 2 and to(sent, MINOR) == []


def test_a_guardians_yes_before_the_cancel_holds_and_the_minor_hears_it_once(family):
    bot, sent, chats = family
    ask_guardian(chats)
    assert "已同意" in chats[GUARDIAN].say("同意")
    late = chats[MINOR].say("取消")
    assert "无法取消" in late and "已取消本次绑定" not in late
    assert bot.backend.binding(MINOR).card_number == "C10000002"
    told = to(sent, MINOR, count=1)
    time.sleep(1.2)
    assert to(sent, MINOR) == told and len(told) == 1 and "已绑定到本微信" in told[0]
    assert len(to(sent, GUARDIAN)) == 1  # the request only: no withdrawal after his yes


def test_the_cancel_and_the_guardians_answer_racing_leave_one_decision(family):
    """Both at once, from two threads: whichever wrote first holds, the other is told it."""
    bot, sent, chats = family
    ask_guardian(chats)
    rid = bot.family.records.members(f"pending:{GUARDIAN}")[0]
    start, got = threading.Barrier(2), {}

    def minor() -> None:
        start.wait()
        got["minor"] = bot.family.withdraw(rid, "withdrawn")

    def guardian() -> None:
        start.wait()
        got["guardian"] = bot.family.answer(GUARDIAN, rid, True)[0]

    threads = [threading.Thread(target=minor), threading.Thread(target=guardian)]
    for each in threads:
        each.start()
    for each in threads:
        each.join(10)
    assert got["minor"] == got["guardian"] in ("yes", "withdrawn")
    bound = bot.backend.binding(MINOR)
    time.sleep(1.2)
    if got["minor"] == "yes":
        assert bound.card_number == "C10000002" and len(to(sent, MINOR)) == 1
        assert len(to(sent, GUARDIAN)) == 1
    else:
        assert bound is None and to(sent, MINOR) == [] and len(to(sent, GUARDIAN)) == 2
    assert bot.family.withdraw(rid, "withdrawn") == got["minor"]  # idempotent: nothing new
    assert len(to(sent, GUARDIAN)) + len(to(sent, MINOR)) == 2


def test_the_minors_session_ending_by_itself_keeps_the_request(family, clock):
    """Idle expiry is not a cancel: the request outlives the conversation."""
    bot, sent, chats = family
    ask_guardian(chats)
    clock.advance(bot.config["BOT_SESSION_TTL"] + 60)
    assert "已同意" in chats[GUARDIAN].say("同意")
    assert bot.backend.binding(MINOR).card_number == "C10000002"
    assert len(to(sent, MINOR, count=1)) == 1


def test_one_waiting_request_is_decided_at_once_and_several_are_listed_by_number(family):
    bot, sent, chats = family
    assert "没有待您确认的请求" in chats[GUARDIAN].say("同意")  # nothing waiting yet
    ask_guardian(chats)
    assert len(bot.family.pending(GUARDIAN)) == 1
    agreed = chats[GUARDIAN].say("同意")  # exactly one waiting: no pick first
    assert "已同意" in agreed and "请先选择" not in agreed
    assert bot.backend.binding(MINOR).card_number == "C10000002"


def test_two_requests_for_one_guardian_are_numbered_then_each_answered(family):
    bot, sent, chats = family
    lina = Chat(chats[GUARDIAN].wechat, "oLiNaMother0001", bot.backend)
    bot.backend.bind("A20000001", lina.openid)  # 李娜 follows with her own card bound
    kids = {"oWangXiaoMing01": ("310104201406010159", "王小明", "C10000001"),
            "oZhaoMinKid0001": ("440305200811230448", "赵敏", "B10000002")}
    for openid, (id_number, name, card) in kids.items():
        kid = Chat(lina.wechat, openid, bot.backend)
        for said in ("绑定社保卡", id_number, name, card):
            kid.say(said)
        assert "监护人在其本人微信中确认" in kid.say("310104198505200463")
    assert len(to(sent, lina.openid, count=2)) == 2
    listed = lina.say("待确认")
    assert "1. 王**" in listed and "2. 赵*" in listed
    which = lina.say("同意")  # two waiting: which one first
    assert "2 个待确认的请求" in which and "1. " in which and "2. " in which
    assert "赵*" in lina.say("2")
    assert "已同意" in lina.say("同意")
    assert bot.backend.binding("oZhaoMinKid0001").card_number == "B10000002"
    assert bot.backend.binding("oWangXiaoMing01") is None  # the other still waits
    assert "已拒绝" in lina.say("拒绝")  # one left: decided at once
    assert bot.backend.binding("oWangXiaoMing01") is None
    assert len(to(sent, "oZhaoMinKid0001", count=1)) == 1
    assert len(to(sent, "oWangXiaoMing01", count=1)) == 1
    assert len(to(sent, lina.openid)) == 2  # the two requests; her answers were replies
    assert LIU not in "".join(to(sent, lina.openid)) and SUNLI not in listed


def test_starting_another_service_while_the_guardian_is_asked_withdraws_the_request(family):
    """挂失 mid-wait: the bind ends by its own step (said once, no second 'ended' line), the
    guardian is told and no longer holds it, and his later 同意 binds nothing."""
    bot, sent, chats = family
    ask_guardian(chats)
    switched = chats[MINOR].say("挂失")
    assert "给监护人的确认请求已撤回" in switched and "身份证号" in switched
    assert "已结束" not in switched  # the withdrawal says the bind ended
    assert bot.store.session(MINOR)["flow"] == "report_loss"
    guardian = to(sent, GUARDIAN, count=2)
    assert len(guardian) == 2 and "请求已撤回" in guardian[1]
    assert bot.family.pending(GUARDIAN) == []
    assert "没有待您确认的请求" in chats[GUARDIAN].say("同意")
    assert bot.backend.binding(MINOR) is None and to(sent, MINOR) == []


def test_a_switch_after_the_guardians_yes_tells_the_minor_it_was_bound(family):
    bot, sent, chats = family
    ask_guardian(chats)
    assert "已同意" in chats[GUARDIAN].say("同意")
    switched = chats[MINOR].say("忘记密码")
    assert "监护人已同意" in switched and "请求已撤回" not in switched
    assert bot.backend.binding(MINOR).card_number == "C10000002"
    assert len(to(sent, GUARDIAN)) == 1  # the request only: nothing withdrawn after his yes


def test_a_cancel_after_the_platform_could_not_reach_the_guardian_sends_no_code(family):
    """Unreachable in chat means the next message sends the code; 取消 is not such a message."""
    bot, sent, chats = family
    ask_guardian(chats)
    bot.family.unreachable(bot.family.records.members(f"pending:{GUARDIAN}")[0])
    assert "已取消本次绑定" in chats[MINOR].say("取消")
    assert bot.backend.sms_outbox("13900000006") == []
    assert set(bot.store.session(MINOR) or {}) <= {"topic", "done", "at"}  # ended: only
    # what was just talked about is kept


@pytest.mark.parametrize("said", ["身份证输错了 重新来", "go back"])
def test_words_of_starting_over_while_the_guardian_decides_keep_the_request(family, said):
    """A reviewer's find: "start over" there began a new bind while the guardian's request
    stayed live, so the guardian's yes bound the card after the minor was told it was
    dropped. Starting over is for typed fields, never a step that waits on someone."""
    bot, sent, chats = family
    ask_guardian(chats)
    reply = chats[MINOR].say(said)
    assert "从头重新填" not in reply and "from the top" not in reply
    assert len(bot.family.pending(GUARDIAN)) == 1


def test_the_family_menu_takes_its_own_start_words_as_picks(chat):
    """A blind tester's "添加家人" at 亲情服务's menu re-showed the menu ("you are already
    doing 亲情服务"), and "重置密码" there ended the service for the holder's own reset."""
    holder = chat("oSeedBound0001")  # 马超, his own card bound here
    holder.say("亲情服务")
    assert holder.say("添加家人").startswith("请输入家人（未满18周岁、您是其登记的监护人）")
    holder.say("取消")
    holder.say("亲情服务")
    reply = holder.say("重置密码")
    assert reply.startswith("还没有添加家人") and "已结束" not in reply
