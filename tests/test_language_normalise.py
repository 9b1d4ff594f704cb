"""Normalisation: one form for every reader, whatever the phone or voice input added."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.language import Understander, normalise

INVISIBLE = "\u200b\u200c\u200e\u200f\u2060\ufeff"
EDGES = ["。", "！", "？", "，", ",", ".", "!", "?", "…", "~", "～", " ", "　", "🙂", "👍", "🙏",
         "!!"]
PHRASES = ["绑定社保卡", "帮我把社保卡绑到微信上", "社保卡的密码我忘了", "查一下审核进度",
           "我不想办了", "解绑社保卡", "转人工", "社保卡丢了", "bind card", "forgot my pin",
           "talk to a person",
           "i'd like to link my card", "今天天气怎么样", "我不想绑定社保卡", "几岁可以绑定"]


@pytest.mark.parametrize(("said", "text", "question"), [
    ("  绑定 社保卡 。", "绑定社保卡", False),
    ("ＢＩＮＤ　ＣＡＲＤ", "bind card", False),
    ("hello   world", "hello world", False),
    ("138 0013 8000", "13800138000", False),
    ("绑定社保卡？", "绑定社保卡", True),
    ("绑到我微信上还是孩子微信上？孩子没手机", "绑到我微信上还是孩子微信上?孩子没手机", True),
    ("？绑定社保卡", "绑定社保卡", False),  # a leading mark is noise
    ("绑定社保卡吗", "绑定社保卡吗", True),
    ("怎么绑定社保卡", "怎么绑定社保卡", True),
    ("你是谁", "你是谁", True),  # asked without a mark: not an answer to the ID step
    ("are you a robot", "are you a robot", True),  # nor a name at the name step
    ("？", "?", True),
    ("...", "...", False),
    ("🙂", "🙂", False),
    ("社保卡丢了🙏🙏", "社保卡丢了", False),
    ("I’d like to link my card!", "i'd like to link my card", False),
    ("我 要 绑 卡 ~", "我要绑卡", False),
    ("", "", False),
])
def test_normalise_gives_the_form_every_reader_sees(said, text, question) -> None:
    got = normalise(said)
    assert (got.text, got.question) == (text, question)


@settings(max_examples=300)
@given(st.text())
def test_normalise_is_idempotent_and_keeps_something(said: str) -> None:
    once = normalise(said).text
    assert normalise(once).text == once
    assert once == once.strip() and "  " not in once
    if said.translate(dict.fromkeys(map(ord, INVISIBLE))).strip():
        assert once != ""


@settings(max_examples=200)
@given(st.sampled_from(EDGES), st.sampled_from(EDGES), st.text(alphabet="?？", max_size=1))
def test_normalise_drops_what_voice_adds_but_keeps_the_question(lead, tail, ask) -> None:
    got = normalise(f"{lead}绑定社保卡{ask}{tail}")
    assert got.text == "绑定社保卡"
    assert got.question is (bool(ask) or "?" in tail or "？" in tail)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PHRASES), st.sampled_from(EDGES), st.sampled_from(EDGES),
       st.booleans(), st.booleans(), st.booleans())
def test_understand_ignores_punctuation_spacing_and_width(phrase, lead, tail, wide, spaced,
                                                           upper) -> None:
    understand = Understander.shared().understand
    said = phrase.upper() if upper else phrase
    if spaced:  # voice input and some keyboards put spaces between Chinese words
        said = " ".join(said) if not said.isascii() else said.replace(" ", "   ")
    said = f"{lead}{_full_width(said) if wide else said}{tail}"
    plain, decorated = understand(phrase), understand(said)
    assert (decorated.intent, decorated.act) == (plain.intent, plain.act)


@pytest.mark.parametrize(("typed", "read"), [
    ("驗證碼", "验证码"),
    ("請問社會保障卡怎麼綁定到微信？", "请问社会保障卡怎么绑定到微信"),
    ("我的卡之前掛失了", "我的卡之前挂失了"),
    ("於", "於"),  # also simplified in some use (a surname): kept as typed
    ("张伟 A12345678", "张伟a12345678"),  # simplified text and the rest as before
])
def test_normalise_reads_traditional_characters_simplified(typed, read):
    """A blind tester on a traditional keyboard: '驗證碼' at the proof step was 'no service
    password found', the name '吳磊' a mismatch (a try used)."""
    assert normalise(typed).text == read


def test_a_traditional_name_matches_the_simplified_record(chat):
    alice = chat()
    for said in ("解除挂失", "320102197812010197"):
        alice.say(said)
    assert alice.say("吳磊").startswith("解除挂失需要验证持卡人身份")
