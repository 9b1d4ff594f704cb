"""Slots read out of sentences: the phrasings of issue 18, the traps, and the corpus measure.

The flows' side (what a step says when it dug, or found nothing) is in test_slot_steps.py and
the conversation fixtures fixtures/conversations/*_sentences*.yaml.
"""

from __future__ import annotations

import pytest

from flows.language.slot_report import evaluate_slots, format_slot_report, load_cases
from flows.language.slots import Slot, ambiguous, find_slots, read_slot, without_slots
from tests.people import LI_NA, ZHANG


@pytest.mark.parametrize(("role", "text", "expected"), [
    ("id", "身份证号是110105199001011232", ZHANG.id),
    ("id", "110105 19900101 1232", ZHANG.id),
    ("id", "110105-1990-0101-1232", ZHANG.id),
    ("id", "my ID is 11010519900101123x", "11010519900101123X"),
    ("id", "１１０１０５１９９００１０１１２３２", ZHANG.id),
    ("guardian", "我是孩子妈妈，身份证310104198505200463", LI_NA.id),
    ("card", "卡号是A12345678", "A12345678"),
    ("card", "a12345678", "A12345678"),
    ("card", "ａ１２３４５６７８", "A12345678"),
    ("card", "卡号A 1234 5678", "A12345678"),  # the letter typed apart from its digits
    ("id", "一一零一零五一九九零零一零一一二三二", ZHANG.id),  # read out to voice input
    ("code", "幺二三四五六", "123456"),
    ("code", "a 123456", "123456"),  # a lower-case word before six digits is not a card's
    ("code", "验证码是 123 456", "123456"),
    ("code", "code: 123456", "123456"),
    ("code", "手机13800138000的验证码123456", "123456"),
    ("name", "我叫张伟", "张伟"),
    ("name", "姓名：张伟", "张伟"),
    ("name", "张伟。", "张伟"),
    ("name", "名字是张伟", "张伟"),
    ("name", "持卡人是张伟", "张伟"),
    ("name", "my name is Zhang Wei", "Zhang Wei"),
    ("name", "阿卜杜拉·买买提", "阿卜杜拉·买买提"),
    ("password", "新密码是147258", "147258"),
    ("password", "147 258", "147258"),
    ("confirm", "还是147258", "147258"),
])
def test_read_slot_takes_the_value_out_of_the_sentence(role, text, expected):
    slot = read_slot(role, text)
    assert slot is not None and slot.value == expected


@pytest.mark.parametrize(("role", "text"), [
    ("card", "我不想办了。"),
    ("name", "我不想办了"),
    ("code", "13800138000"),  # a phone number is not a code
    ("code", "110105199001011232"),  # nor are six digits inside an ID number
    ("code", "1234567"),
    ("id", "110105199001011232 310104198505200463"),  # two people: ask again
    ("card", "A12345678 或 A20000001"),
    ("name", "I don't want to do this"),
    ("password", "12345a"),
])
def test_read_slot_finds_nothing_where_there_is_no_single_slot(role, text):
    assert read_slot(role, text) is None


@pytest.mark.parametrize(("role", "text", "dug"), [
    ("id", ZHANG.id, False),
    ("id", " 110105 19900101123２", False),  # what today's exact reader takes as it is
    ("id", "110105-1990-0101-1232", True),
    ("card", "a12345678", False),
    ("card", "卡号是A12345678", True),
    ("name", "赵 敏", False),
    ("name", "张伟。", True),
    ("code", "123456", False),
    ("code", "验证码123456", True),
])
def test_read_slot_says_whether_it_had_to_dig(role, text, dug):
    slot = read_slot(role, text)
    assert slot is not None and slot.dug is dug


@pytest.mark.parametrize(("role", "text", "two"), [
    ("id", "我的是110105199001011232，我妈的是310104198505200463", True),
    ("id", "110105199001011232，就是110105199001011232", False),  # the same one twice
    ("code", "123456还是654321", True),
    ("code", "我不想办了", False),  # nothing is not two
])
def test_ambiguous_is_two_different_candidates(role, text, two):
    assert ambiguous(role, text) is two


def test_find_slots_names_each_kind_in_a_free_sentence():
    said = "我叫张伟，身份证110105 19900101 1232，卡号a12345678，验证码 123 456，手机13800138000"
    assert find_slots(said) == {"name": "张伟", "id": ZHANG.id, "card": "A12345678",
                                "code": "123456", "phone": "13800138000"}
    assert find_slots("今天天气怎么样") == {}
    assert find_slots("查询进度") == {}  # at the name step it would be a (wrong) name
    assert find_slots("my name is Li Na, code 582046") == {"name": "Li Na", "code": "582046"}


@pytest.mark.parametrize(("said", "name"), [
    (f"我要绑卡 身份证{ZHANG.id} 张伟 卡号A12345678", "张伟"),
    (f"绑定社保卡 我是李娜 {LI_NA.id} 卡号A20000001", "李娜"),
    (f"{ZHANG.id}，张伟", "张伟"),
    (f"{ZHANG.id} 查询进度", None),  # the bot's own words are never a name
    (f"挂失 {ZHANG.id} 身份证", None),
    (f"帮忙 {ZHANG.id}", None),
    (f"{ZHANG.id} 好的", None),
    (f"张伟 李娜 {ZHANG.id}", None),  # two names: neither
    ("张伟", None),  # alone, with no answer beside it: a bare word is no name to a sentence
    (f"挂失 {ZHANG.id} 张伟 卡被偷了", "张伟"),
    (f"{ZHANG.id} 张伟 挂失 谢谢", "张伟"),
    (f"绑卡 {ZHANG.id} 上海", None),  # a word, not a name: no common surname opens it
    (f"{ZHANG.id} 急用 挂失", None),
    (f"my id is {ZHANG.id}, name li na", "li na"),  # a Latin name holds its space
])
def test_find_slots_reads_a_name_typed_among_other_answers(said, name):
    assert find_slots(said).get("name") == name


def test_without_slots_leaves_what_the_sentence_asks():
    said = f"我要绑卡 身份证{ZHANG.id} 张伟 卡号A12345678"
    rest = without_slots(said)
    assert "绑卡" in rest and "1101" not in rest and "张伟" not in rest and "12345678" not in rest


def test_read_slot_of_a_free_text_role_is_the_whole_message():
    assert read_slot("reason", "  手机号  已注销 ") == Slot("手机号 已注销", dug=False)
    assert read_slot("reason", "　") is None


def test_evaluate_slots_reads_the_whole_corpus_as_labelled():
    report = evaluate_slots()
    assert report.misses == [], format_slot_report(report)
    assert sum(report.total.values()) >= 120
    assert {"id", "guardian", "name", "card", "code", "password", "confirm"} <= set(report.total)


def test_corpus_holds_both_languages_and_the_traps():
    cases = load_cases()
    assert any(text.isascii() and expected for _, text, expected in cases)  # English
    assert ("card", "我不想办了。", None) in cases
    assert ("code", "13800138000", None) in cases


def test_format_slot_report_names_a_miss(tmp_path):
    corpus = tmp_path / "slots.yaml"
    corpus.write_text('cases:\n  - {role: code, text: "验证码123456", expect: "123456"}\n'
                      '  - {role: code, text: "13800138000", expect: "13800138000"}\n',
                      encoding="utf-8")
    report = evaluate_slots(corpus)
    assert report.accuracy == 0.5 and report.role_accuracy("code") == 0.5
    text = format_slot_report(report)
    assert "1/2 (50.0%)" in text and "MISS code: '13800138000'" in text


def test_load_cases_names_a_malformed_case(tmp_path):
    corpus = tmp_path / "slots.yaml"
    corpus.write_text("cases:\n  - {role: code, text: '1'}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="case 1"):
        load_cases(corpus)


@pytest.mark.parametrize("text", ["说了OK 1234 5678", "NO 1234 5678 不对", "I 1234 5678 yes"])
def test_a_word_before_eight_digits_in_a_sentence_is_not_a_cards_letter(text):
    """Only one capital standing alone is joined to the digits after it ("卡号A 1234 5678")."""
    assert find_slots(text).get("card") is None
