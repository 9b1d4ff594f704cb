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
    (BINDING, "安全吗", "验证码和密码只供本人办理时使用"),
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
    ("安全吗", "当前步骤说明"),  # nothing of report_loss's own words: the step's help
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
