"""A 不 refuses only what it stands beside. Each message here was read as refusing the very
service it asks for ("好的，不办理…"): a negator in a story clause ("卡没丢"), the spoken
yes-or-no 不 ("能挂失不", "中不中"), or a slip mended into "wont". Each is now the request;
the refusals they must not swallow stay refusals."""

from __future__ import annotations

import pytest

from flows.language import Understander
from tests.people import MA_CHAO, ZHANG


@pytest.mark.parametrize(("said", "started"), [
    ("原来卡没丢，解一下挂失", "解除挂失：请输入持卡人的18位身份证号"),
    ("卡不见了 能挂失不", "挂失社保卡：请输入持卡人的18位身份证号"),
    ("社保卡关联微信中不中？我想关联上", "绑定社保卡：请输入持卡人的18位身份证号"),
    ("不要挂失了，卡找到了", "解除挂失：请输入持卡人的18位身份证号"),
])
def test_a_request_after_a_negated_clause_starts(chat, said, started):
    reply = chat().say(said)
    assert reply.startswith(started) and "不办理" not in reply


def test_unbinding_asked_for_in_words_of_not_wanting_it_bound(chat):
    bound = chat("oSeedBound0001")  # MA_CHAO's card is bound to this follower in the seed
    reply = bound.say("社保卡不要跟这个号绑了，解开")
    assert "不办理" not in reply and MA_CHAO.card[-4:] in reply


def test_a_request_only_middling_after_a_refusal_is_asked_about_not_refused(chat):
    reply = chat().say("不想用了，社保卡跟微信的关联给我断开")
    assert reply.startswith("您是想办理“解绑社保卡”吗")


def test_a_slip_is_never_mended_into_a_negator(chat_en):
    """"went" was read as "wont": the reset was refused."""
    alice = chat_en()
    reply = alice.say("went to pharmacy today and couldnt remember the card password, "
                      "want to reset it")
    assert 'Start "Forgot password" now?' in reply and 'OK, no "' not in reply


@pytest.mark.parametrize(("said", "started"), [  # probe 31: a 不 that describes the trouble
    ("密码输了好几次都不对 帮我重置下密码", "重置社保卡服务密码：请输入持卡人的18位身份证号"),
    ("社保卡找不着了 能挂失不", "挂失社保卡：请输入持卡人的18位身份证号"),
    ("不知道我绑的是哪张卡 查一下", "本微信还没有绑定社保卡"),
])
def test_a_negator_describing_the_trouble_refuses_nothing(chat, said, started):
    reply = chat().say(said)
    assert reply.startswith(started) and "不办理" not in reply


@pytest.mark.parametrize("said", ["我没说要改密码，别给我弄", "我不想绑卡，只是问问",
                                  "不想绑定，绑定太麻烦了", "没打算绑卡 别弄"])
def test_a_refusal_with_a_clause_after_it_stays_a_refusal(chat, said):
    assert "不办理" in chat().say(said)


def test_a_refusal_mid_flow_is_not_read_as_something_new(chat):
    alice = chat()
    for said in ("挂失", "其他卡", ZHANG.id, ZHANG.name):
        alice.say(said)
    assert "要结束“挂失社保卡”的办理吗" in alice.say("算了不挂了 我再找找")


@pytest.mark.parametrize(("said", "act"), [
    ("我 不 想 绑 定 社 保 卡", "negated"),  # spaces between characters part no clauses
    ("暂时不挂失", "negated"),  # 暂时不 is no spoken question
    ("社保卡收费不", "fact"),
])
def test_spoken_question_and_spaced_characters(said, act):
    assert Understander.shared().understand(said).act == act
