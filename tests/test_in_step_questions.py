"""A question asked inside a service may lean on it for what it is about.

"要多久" while reporting a loss asks how long the report lasts; alone it names nothing of
ours, and got the step's help ("当前步骤说明：服务密码是…"). Read with the service's name
beside it, it is answered when the entry found speaks of the line's own words
(Retriever.answer_in); "安全吗" there holds none of them and still gets the step's help.
"""

from __future__ import annotations

import pytest

from tests.people import WANG_XM, ZHANG

REPORTING = ("挂失", ZHANG.id, ZHANG.name)  # at the proof step
BINDING = ("绑定社保卡", ZHANG.id)  # at the name step
RESETTING = ("忘记密码", ZHANG.id)  # at the name step


@pytest.mark.parametrize(("service", "asked", "answered"), [
    (REPORTING, "要多久", "临时挂失的有效期各地不同"),
    (REPORTING, "能代办吗", "家人可以代办"),
    (REPORTING, "孩子的也行吗", "孩子的卡由监护人办理"),
    (BINDING, "要钱吗", "在本服务号绑定不收费"),
    (BINDING, "安全吗", "您填的信息只用于这次办理"),  # how what is typed here is kept
    (RESETTING, "要多久", "重置申请通常要经过审核"),
])
def test_a_question_leaning_on_the_service_is_answered_then_the_step(chat, service, asked,
                                                                    answered):
    alice = chat()
    for said in service:
        step = alice.say(said)
    reply = alice.say(asked)
    assert answered in reply
    assert reply.endswith(step) and "接着刚才的步骤" in reply  # the step, kept


@pytest.mark.parametrize(("asked", "said"), [
    ("安全吗", "您填的信息只用于这次办理"),  # how what is typed is kept, not report_loss's
    ("今天天气怎么样", "我是社保卡服务助手"),  # whose it is, as anywhere else
])
def test_a_question_the_service_does_not_answer_is_not_given_its_answer(chat, asked, said):
    alice = chat()
    for line in REPORTING:
        alice.say(line)
    reply = alice.say(asked)
    assert said in reply and "社保卡丢了请尽快挂失" not in reply


def test_a_parent_asking_at_the_guardian_step_is_answered_and_asked_again(chat):
    """"孩子爸爸的行不行" (行不行 asks) at the guardian's ID step was "没有看出身份证号"."""
    alice = chat()
    for said in ("绑定社保卡", WANG_XM.id, WANG_XM.name, WANG_XM.card):
        step = alice.say(said)
    assert "监护人" in step
    reply = alice.say("孩子爸爸的行不行")
    assert "父母或法定监护人" in reply and reply.endswith(step) and "没有看出身份证号" not in reply


@pytest.mark.parametrize(("service", "asked", "why"), [
    (REPORTING[:1], "为什么要我的身份证号", "身份证号用来在社保系统里找到这张卡"),
    (BINDING, "为啥要名字", "姓名要和身份证号对得上"),
    (BINDING, "要这个干嘛", "姓名要和身份证号对得上"),
    (("挂失", ZHANG.id, ZHANG.name), "为什么要密码", "别人拿着身份证号也动不了您的卡"),
    ((*BINDING, ZHANG.name, ZHANG.card), "要验证码干嘛", "验证码只发到登记在册的手机上"),
])
def test_why_a_step_asks_what_it_asks_is_answered_then_the_step(chat, service, asked, why):
    """"为什么要我的身份证号" got the binding age's answer, or the step's help."""
    alice = chat()
    for said in service:
        step = alice.say(said)
    reply = alice.say(asked)
    assert why in reply and "您填的信息只用于这次办理" in reply
    back = reply.split("\n")[-1].removeprefix("接着刚才的步骤：")  # the step again; a code
    brief = "请输入发送至 138****8000 的6位短信验证码"  # step's in brief: no new code said
    assert back == step.split("\n")[-1] or back.startswith(brief)
    assert reply.split("\n")[-1].startswith("接着刚才的步骤：") and "年满18周岁" not in reply


def test_a_why_about_something_else_is_the_knowledge_bases(chat):
    alice = chat()
    for said in BINDING[:1]:
        alice.say(said)
    reply = alice.say("为啥要18岁")  # the age, not the ID step's thing
    assert "年满18周岁可以自己把社保卡绑定到微信" in reply and "身份证号用来" not in reply


@pytest.mark.parametrize(("asked", "why"), [
    ("why do you need my id", "The ID number finds the card"),
    ("is this safe", "What you type is used for this service only"),
    ("how old do i have to be", "From 18 you can bind your card"),
    ("what if i am 16", "From 18 you can bind your card"),
])
def test_english_questions_at_the_id_step_are_answered_then_the_step(chat_en, asked, why):
    bob = chat_en()
    bob.say("bind card")
    reply = bob.say(asked)
    assert why in reply and reply.endswith("please enter the holder's 18-digit ID number.")


def test_a_why_beside_a_change_of_mind_asks_whether_to_end(chat):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say("为什么要身份证 算了我不绑了")
    assert "要结束" in reply and "身份证号用来" not in reply


def test_why_the_new_password_twice_is_its_own_reason(chat):
    alice = chat()
    for said in ("忘记密码", ZHANG.id, ZHANG.name):
        alice.say(said)
    alice.say(alice.sms(ZHANG.phone))
    alice.say("582046")  # a new password: now it is asked again
    reply = alice.say("为什么要再输一次密码")
    assert "确认两次一样" in reply and "回复“是”才办理" not in reply


@pytest.mark.parametrize("asked", ["用这个卡干什么", "短信怎么还要等这么久"])
def test_a_question_with_why_words_about_something_else_is_not_the_steps_reason(chat, asked):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say(asked)
    assert "身份证号用来" not in reply and "您填的信息只用于" not in reply
