"""Binding a card where Python says more than a transcript: backend state, matrices, privacy.

The transcripts of the branches (refused cards, age boundary, no phone...) are the YAML
fixtures fixtures/conversations/bind_*.yaml; they are not repeated here.
"""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import ROOT
from tests.people import (
    LI_NA,
    STRANGER_ID,
    SUN_LI,
    WANG_QIANG,
    WANG_XM,
    WU_LEI,
    ZHANG,
    ZHOU_JIE,
)


def bind_up_to_code(user, id_number=ZHANG.id, name="张伟", card=ZHANG.card) -> str:
    """Walk the bind flow to the code question (or wherever the card step leads)."""
    assert "身份证号" in user.say("绑定社保卡")
    assert "姓名" in user.say(id_number)
    assert "卡号" in user.say(name)
    return user.say(card)


def test_an_adult_binds_with_the_code_sent_to_their_phone(chat, backend):
    alice = chat()
    assert "请输入持卡人的18位身份证号" in alice.say("绑定社保卡")
    assert "姓名" in alice.say(ZHANG.id)
    assert "卡号" in alice.say("张伟")
    sent = alice.say("a12345678")  # lower case is the same card
    assert "138****8000" in sent and "5分钟" in sent and "切勿告诉任何人" in sent
    assert "绑定成功" in alice.say(alice.sms(ZHANG.phone))
    assert backend.binding(alice.openid).card_number == ZHANG.card
    assert backend.card_view(ZHANG.card)["guardian_consent"] is None
    assert "没有正在办理的业务" in alice.say("123456")  # the flow has ended


@pytest.mark.parametrize(("typed", "named"), [
    ("12345", "格式不正确"),
    ("11010519900101123Y", "格式不正确"),
    ("110105199001011231", "校验位"),
    ("110105199002301234", "出生日期"),  # 30 February
    ("110105202712010015", "出生日期"),  # born after today
])
def test_an_invalid_id_number_is_named_and_asked_again(chat, typed, named):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say(typed)
    assert named in reply and "请输入持卡人的18位身份证号" in reply
    assert "姓名" in alice.say(" 110105 19900101123２")  # spaces and full-width digits are fine


def test_three_invalid_id_numbers_end_the_flow(chat):
    alice = chat()
    alice.say("绑定社保卡")
    assert "身份证号格式不正确" in alice.say("123") and "身份证号" in alice.say("11010519")
    assert "错误次数过多" in alice.say("110105199001011231")


@pytest.mark.parametrize("typed", ["我的银行卡丢了", "abc", "我在外地", "身份证在家里"])
def test_words_with_no_id_number_at_the_id_step_are_no_try(chat, typed):
    """Nothing of an ID number in it: asked again, never counted; three of them used to end
    the service with "身份证号连续3次没有通过核对", said to someone who typed none."""
    alice = chat()
    alice.say("绑定社保卡")
    for _ in range(4):
        reply = alice.say(typed)
        assert "没有看出身份证号" in reply and reply.endswith("请输入持卡人的18位身份证号。")
    assert "姓名" in alice.say(ZHANG.id)


def test_an_unknown_id_and_a_wrong_name_read_the_same(chat):
    alice, bob = chat("oAlice"), chat("oBob")
    for user, id_number in ((alice, STRANGER_ID), (bob, ZHANG.id)):
        user.say("绑定社保卡")
        user.say(id_number)
    assert alice.say("张伟") == bob.say("李四")
    assert "不匹配" in alice.say("张伟")
    assert "错误次数过多" in alice.say("张伟")  # the third miss ends it


@pytest.mark.parametrize("card", ["Z99999999", LI_NA.card, "卡号是Z99999999"])
def test_an_unknown_card_and_someone_elses_read_the_same(chat, card):
    alice = chat()
    reply = bind_up_to_code(alice, card=card)
    assert "卡号与持卡人信息不匹配" in reply and "请输入社保卡卡号" in reply
    alice.say(card)
    assert "错误次数过多" in alice.say(card)  # the third miss ends it


@pytest.mark.parametrize("typed", ["!!", "卡在家里", "abc"])
def test_a_card_step_without_a_card_number_asks_again_without_a_mismatch(chat, typed):
    alice = chat()
    reply = bind_up_to_code(alice, card=typed)
    assert "没有看出卡号" in reply and "不匹配" not in reply and "请输入社保卡卡号" in reply
    for _ in range(3):  # no card number tried: never a miss, however often
        assert "没有看出卡号" in alice.say(typed)
    assert "不匹配" in alice.say("A00000000")  # a wrong one still counts


def report(status: str):
    """The counter marks the card lost or frozen (the mock has no API for it)."""
    def act(backend) -> None:
        with backend.db.transaction() as conn:
            conn.execute("UPDATE cards SET status = ? WHERE card_number = ?", (status, ZHANG.card))
    return act


@pytest.mark.parametrize(("meanwhile", "says", "alice_holds", "zhang_card_on"), [
    (lambda backend: backend.bind(ZHANG.card, "oSomeoneElse"), "这张社保卡已绑定微信",
     None, "oSomeoneElse"),
    (lambda backend: backend.bind(LI_NA.card, "oAlice0001"), "本微信已绑定社保卡 A****0001",
     LI_NA.card, None),
    (report("lost"), "已挂失", None, None),
    (report("frozen"), "已冻结", None, None),
])
def test_what_changed_meanwhile_is_refused_at_the_code(chat, backend, meanwhile, says,
                                                       alice_holds, zhang_card_on):
    alice = chat()
    bind_up_to_code(alice)
    meanwhile(backend)
    assert says in alice.say(alice.sms(ZHANG.phone))
    held = backend.binding(alice.openid)
    assert (held.card_number if held else None) == alice_holds  # the code bound nothing new
    assert backend.card(ZHANG.card).bound_openid == zhang_card_on


def test_a_minor_binds_with_the_guardians_code_and_consent_is_recorded(chat, backend):
    alice = chat()
    assert "未满18周岁" in bind_up_to_code(alice, WANG_XM.id, "王小明", WANG_XM.card)
    assert "不是持卡人已登记的成年监护人" in alice.say(ZHANG.id)
    assert "这是持卡人本人的身份证号" in alice.say(WANG_XM.id)  # the minor's own: said so
    assert "139****0001" in alice.say(LI_NA.id)
    reply = alice.say(alice.sms(LI_NA.phone))
    assert "绑定成功" in reply and "监护人的同意" in reply
    consent = backend.card_view(WANG_XM.card)["guardian_consent"]
    assert consent["relation"] == "mother" and consent["guardian_id_masked"] == "3101**********0463"
    assert backend.binding(alice.openid).card_number == WANG_XM.card


def test_a_minor_without_a_guardian_on_record_cannot_bind(chat, backend):
    alice = chat()
    bind_up_to_code(alice, ZHOU_JIE.id, "周杰", ZHOU_JIE.card)
    alice.say(LI_NA.id)
    alice.say(ZHANG.id)
    assert "错误次数过多" in alice.say(WANG_QIANG.id)
    assert backend.card(ZHOU_JIE.card).bound_openid is None


def test_a_guardian_on_record_must_be_an_adult(chat, backend):
    seed = yaml.safe_load((ROOT / "fixtures" / "backend.yaml").read_text(encoding="utf-8"))
    sun_li = SUN_LI.id  # 16
    seed["guardianships"].append({"minor": WANG_XM.id, "guardian": sun_li, "relation": "guardian"})
    backend.reset(seed)
    alice = chat()
    bind_up_to_code(alice, WANG_XM.id, "王小明", WANG_XM.card)
    assert "成年监护人" in alice.say(sun_li)


@pytest.mark.parametrize(("answers", "help_says"), [
    ((), "18位身份证号"),
    ((ZHANG.id,), "姓名"),
    ((ZHANG.id, "张伟"), "卡片正面"),
    ((ZHANG.id, "张伟", ZHANG.card), "重新发送"),
    ((WANG_XM.id, "王小明", WANG_XM.card), "监护人"),
])
def test_help_explains_the_step_and_cancel_ends_it(chat, backend, answers, help_says):
    alice = chat()
    alice.say("绑定社保卡")
    for answer in answers:
        alice.say(answer)
    reply = alice.say("帮助")
    assert help_says in reply and "取消" in reply
    assert alice.say("帮助") == reply  # the step is kept
    assert "已取消" in alice.say("取消")
    assert "没有正在办理的业务" in alice.say(ZHANG.id)  # nothing takes the ID now
    assert backend.binding(alice.openid) is None


def test_a_lost_card_is_not_bound_and_the_finder_is_told_how_to_lift_it(chat, backend):
    """A card they hold again after reporting it is not only "get a new one": a new card
    ends the old for good (no lifting after a reissue is applied for)."""
    alice = chat()
    said = bind_up_to_code(alice, WU_LEI.id, WU_LEI.name, WU_LEI.card)
    assert "已挂失，不能绑定" in said and "回复“解除挂失”" in said and "补办新卡" in said
    assert backend.binding(alice.openid) is None


def test_a_minors_code_prompt_asks_for_the_guardians_code_not_silence(chat):
    """The code goes to the guardian's phone and the minor types it: "仅供本人办理使用，切勿告诉
    任何人" forbade the very passing-on the step needs (a blind tester)."""
    minor = chat()
    for said in ("绑定社保卡", "320102201003150623", "孙丽", "C10000002"):
        minor.say(said)
    reply = minor.say("510104200007070333")
    assert "请监护人把收到的6位验证码告诉您" in reply and "切勿告诉任何人" not in reply
