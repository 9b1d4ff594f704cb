"""Binding a card, every branch, through the webhook: the order is the contract in DESIGN.md."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import ROOT

ZHANG_ID, ZHANG_PHONE = "110105199001011232", "13800138000"  # adult 张伟, card A12345678
LINA_ID, LINA_PHONE = "310104198505200463", "13900000001"  # 李娜, mother of 王小明 and 赵敏
XIAOMING_ID = "310104201406010159"  # 王小明, 12, no phone; card C10000001
STRANGER_ID = "110105198001010016"  # a valid ID number nobody in the seed has


def bind_up_to_code(user, id_number=ZHANG_ID, name="张伟", card="A12345678") -> str:
    """Walk the bind flow to the code question (or wherever the card step leads)."""
    assert "身份证号" in user.say("绑定社保卡")
    assert "姓名" in user.say(id_number)
    assert "卡号" in user.say(name)
    return user.say(card)


def test_an_adult_binds_with_the_code_sent_to_their_phone(chat, backend):
    alice = chat()
    assert "请输入持卡人的18位身份证号" in alice.say("绑定社保卡")
    assert "姓名" in alice.say(ZHANG_ID)
    assert "卡号" in alice.say("张伟")
    sent = alice.say("a12345678")  # lower case is the same card
    assert "138****8000" in sent and "5分钟" in sent and "切勿告诉任何人" in sent
    assert "绑定成功" in alice.say(alice.sms(ZHANG_PHONE))
    assert backend.binding(alice.openid).card_number == "A12345678"
    assert backend.card_view("A12345678")["guardian_consent"] is None
    assert "没有听懂" in alice.say("123456")  # the flow has ended


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
    assert "身份证号" in alice.say("123") and "身份证号" in alice.say("abc")
    assert "错误次数过多" in alice.say("110105199001011231")


def test_an_unknown_id_and_a_wrong_name_read_the_same(chat):
    alice, bob = chat("oAlice"), chat("oBob")
    for user, id_number in ((alice, STRANGER_ID), (bob, ZHANG_ID)):
        user.say("绑定社保卡")
        user.say(id_number)
    assert alice.say("张伟") == bob.say("李四")
    assert "不匹配" in alice.say("张伟")
    assert "错误次数过多" in alice.say("张伟")  # the third miss ends it


@pytest.mark.parametrize("card", ["Z99999999", "A20000001", "!!"])
def test_an_unknown_card_and_someone_elses_read_the_same(chat, card):
    alice = chat()
    reply = bind_up_to_code(alice, card=card)
    assert reply.startswith("卡号与持卡人信息不匹配") and "请输入社保卡卡号" in reply
    alice.say(card)
    assert "错误次数过多" in alice.say(card)  # the third miss ends it


@pytest.mark.parametrize(("id_number", "name", "card", "says"), [
    ("320102197812010197", "吴磊", "D10000001", ["已挂失", "服务网点", "12333"]),
    ("510104199504300827", "郑洁", "D10000002", ["已冻结", "服务网点", "12333"]),
    ("320102198811110350", "马超", "A20000005", ["已绑定微信", "解绑", "服务网点"]),
])
def test_a_lost_frozen_or_bound_card_explains_the_way_out_and_ends(chat, backend, id_number,
                                                                   name, card, says):
    alice = chat()
    reply = bind_up_to_code(alice, id_number, name, card)
    assert all(each in reply for each in says)
    assert "没有听懂" in alice.say("000000")
    assert backend.binding(alice.openid) is None


def test_an_account_already_bound_is_refused_before_any_question(chat, backend):
    backend.bind("A12345678", "oAlice0001")
    reply = chat().say("绑定社保卡")
    assert "本微信已绑定社保卡 A****5678" in reply and "解绑" in reply
    assert "身份证号" not in reply


def report(status: str):
    """The counter marks the card lost or frozen (the mock has no API for it)."""
    def act(backend) -> None:
        with backend.db.transaction() as conn:
            conn.execute("UPDATE cards SET status = ? WHERE card_number = 'A12345678'", (status,))
    return act


@pytest.mark.parametrize(("meanwhile", "says"), [
    (lambda backend: backend.bind("A12345678", "oSomeoneElse"), "这张社保卡已绑定微信"),
    (lambda backend: backend.bind("A20000001", "oAlice0001"), "本微信已绑定社保卡 A****0001"),
    (report("lost"), "已挂失"),
    (report("frozen"), "已冻结"),
])
def test_what_changed_meanwhile_is_refused_at_the_code(chat, backend, meanwhile, says):
    alice = chat()
    bind_up_to_code(alice)
    meanwhile(backend)
    assert says in alice.say(alice.sms(ZHANG_PHONE))
    assert backend.binding(alice.openid) is None or says.startswith("本微信")


@pytest.mark.parametrize(("id_number", "name", "card", "then"), [
    ("440305200811220282", "陈晨", "B10000001", "139****0003"),  # 18 today: her own phone
    ("440305200811230448", "赵敏", "B10000002", "监护人"),  # 18 tomorrow: a guardian
])
def test_the_18th_birthday_counts(chat, id_number, name, card, then):
    assert then in bind_up_to_code(chat(), id_number, name, card)


def test_a_minor_binds_with_the_guardians_code_and_consent_is_recorded(chat, backend):
    alice = chat()
    assert "未满18周岁" in bind_up_to_code(alice, XIAOMING_ID, "王小明", "C10000001")
    assert "不是持卡人已登记的成年监护人" in alice.say(ZHANG_ID)
    assert "不是持卡人已登记的成年监护人" in alice.say(XIAOMING_ID)
    assert "139****0001" in alice.say(LINA_ID)
    reply = alice.say(alice.sms(LINA_PHONE))
    assert "绑定成功" in reply and "监护人的同意" in reply
    consent = backend.card_view("C10000001")["guardian_consent"]
    assert consent["relation"] == "mother" and consent["guardian_id_masked"] == "3101**********0463"
    assert backend.binding(alice.openid).card_number == "C10000001"


def test_a_minor_without_a_guardian_on_record_cannot_bind(chat, backend):
    alice = chat()
    bind_up_to_code(alice, "110105201109090577", "周杰", "C10000003")
    alice.say(LINA_ID)
    alice.say(ZHANG_ID)
    assert "错误次数过多" in alice.say("310104198308080714")
    assert backend.card("C10000003").bound_openid is None


def test_a_guardian_on_record_must_be_an_adult(chat, backend):
    seed = yaml.safe_load((ROOT / "fixtures" / "backend.yaml").read_text(encoding="utf-8"))
    sun_li = "320102201003150623"  # 16
    seed["guardianships"].append({"minor": XIAOMING_ID, "guardian": sun_li, "relation": "guardian"})
    backend.reset(seed)
    alice = chat()
    bind_up_to_code(alice, XIAOMING_ID, "王小明", "C10000001")
    assert "成年监护人" in alice.say(sun_li)


@pytest.mark.parametrize(("id_number", "name", "card", "then"), [
    ("110105196210100916", "冯军", "A20000004", ()),  # an adult without a phone
    ("110105201605050486", "冯小雨", "C10000004", ("110105196210100916",)),  # guardian: none
    (ZHANG_ID, "张伟", "A12345678", ("换号了",)),  # the phone on record is no longer theirs
])
def test_no_usable_phone_sends_the_holder_to_a_counter(chat, id_number, name, card, then):
    alice = chat()
    reply = [bind_up_to_code(alice, id_number, name, card), *map(alice.say, then)][-1]
    assert "没有可用的手机号" in reply and "服务网点" in reply
    assert "没有听懂" in alice.say("000000")


@pytest.mark.parametrize(("answers", "help_says"), [
    ((), "18位身份证号"),
    ((ZHANG_ID,), "姓名"),
    ((ZHANG_ID, "张伟"), "卡片正面"),
    ((ZHANG_ID, "张伟", "A12345678"), "重新发送"),
    ((XIAOMING_ID, "王小明", "C10000001"), "监护人"),
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
    assert "没有听懂" in alice.say(ZHANG_ID)
    assert backend.binding(alice.openid) is None
