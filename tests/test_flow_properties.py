"""What holds in every flow: the code step's rules, and invariants under random conversations.

The random follower knows every ID number, name and card number in the seed, and can read the
SMS sent to adults who are nobody's guardian, but never a guardian's or a minor's phone.
"""

from __future__ import annotations

import itertools

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.ids import age_on
from tests.conftest import ROOT, TODAY
from tests.people import FENG_JUN, LI_NA, WANG_XM, ZHANG, ZHAO_MIN

SEED = yaml.safe_load((ROOT / "fixtures" / "backend.yaml").read_text(encoding="utf-8"))
PHONES = {p["id_number"]: p.get("phone") for p in SEED["people"]}
GUARDIANS = {g["guardian"] for g in SEED["guardianships"]}
READABLE = {i: phone for i, phone in PHONES.items()
            if phone and i not in GUARDIANS and age_on(i, TODAY) >= 18}
SECRETS = [*PHONES, *(c["card_number"] for c in SEED["cards"]), *filter(None, PHONES.values())]


def to_code_step(flow, user, backend) -> str:
    if flow == "unbind":
        backend.bind(ZHANG.card, user.openid)
        user.say("解绑")
        return user.say("是")
    words = {"bind": ("绑定社保卡", ZHANG.id, "张伟", ZHANG.card),
             "reset": ("忘记密码", ZHANG.id, "张伟")}
    return [user.say(w) for w in words[flow]][-1]


CODE_FLOWS = pytest.mark.parametrize(("flow", "success"), [
    ("bind", "绑定成功"), ("reset", "身份验证通过"), ("unbind", "已解除")])


@CODE_FLOWS
def test_wrong_codes_count_down_and_five_lock_for_30_minutes(chat, clock, backend, flow, success):
    alice = chat()
    assert "138****8000" in to_code_step(flow, alice, backend)
    for left in (4, 3, 2, 1):
        assert f"还可以再试 {left} 次" in alice.say("000000")
    assert "请在 10:30 之后重新办理" in alice.say("000000")
    start = {"bind": "绑定社保卡", "reset": "忘记密码", "unbind": "解绑"}[flow]
    assert "验证已暂停至 10:30" in alice.say(start)  # starting again says it before asking
    clock.advance(30 * 60)
    to_code_step(flow, alice, backend)
    assert success in alice.say(alice.sms(ZHANG.phone))


@CODE_FLOWS
def test_an_expired_code_is_replaced_and_resending_too_soon_says_wait(chat, clock, backend,
                                                                      flow, success):
    alice = chat()
    to_code_step(flow, alice, backend)
    assert "如 60 秒后仍未收到" in alice.say("重新发送")  # a code just went out: wait, no blame
    clock.advance(5 * 60 + 1)
    assert "已过期，已为您重新发送" in alice.say(alice.sms(ZHANG.phone))
    assert len(backend.sms_outbox(ZHANG.phone)) == 2
    clock.advance(60)
    assert "已重新发送验证码" in alice.say("重发")
    assert success in alice.say(alice.sms(ZHANG.phone))


@CODE_FLOWS
def test_three_malformed_codes_end_the_flow_and_words_are_no_try(chat, backend, flow, success):
    alice = chat()
    to_code_step(flow, alice, backend)
    assert "6位数字" in alice.say("12345")
    for words in ("我在外地", "abc", "我的银行卡丢了"):  # no code tried: asked again, not counted
        assert "没有看出验证码" in alice.say(words)
    assert "错误次数过多" not in alice.say("12")
    assert "错误次数过多" in alice.say("1234567")


NAMES = {p["id_number"]: p["name"] for p in SEED["people"]}
GUARDIAN_OF = {g["minor"]: g["guardian"] for g in SEED["guardianships"]}
PASSWORDS = ["582914", "736048", "111111", "123456", ZHANG.password, "900101", "12345"]
WORDS = ["取消", "帮助", "菜单", "绑定社保卡", "忘记密码", "我的社保卡", "解绑", "查询进度",
         "重新发送", "手机号已停用", "bind card", "help", "110105199001011231", "000000",
         *PHONES, *NAMES.values(), *(c["card_number"] for c in SEED["cards"]), *PASSWORDS]
EVENTS = [*(("click", key) for key in ("BIND_CARD", "FORGOT_PASSWORD", "UNBIND", "MY_CARD", "NO")),
          ("event_subscribe", {}), ("event_unsubscribe", {}), ("image", {}), ("voice", {}),
          ("location", {"Location_X": 39.9, "Location_Y": 116.4})]
TYPED = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)  # what XML carries


def attempt(flow: str, card: dict, phone: str, passwords: list[str]) -> list[tuple]:
    """A follower who knows the holder (and a minor's guardian) and reads `phone`'s SMS."""
    holder = card["holder"]
    said = ["绑定社保卡" if flow == "bind" else "忘记密码", holder, NAMES[holder]]
    said += [card["card_number"]] if flow == "bind" else []
    said += [GUARDIAN_OF[holder]] if holder in GUARDIAN_OF else []
    return [*(("say", s) for s in said), ("sms", READABLE.get(holder, phone)),
            *(("say", p) for p in passwords)]


ONE = st.one_of(
    st.tuples(st.just("say"), st.sampled_from(WORDS) | TYPED),
    st.tuples(st.just("say"), st.from_regex(r"[0-9]{6}", fullmatch=True)),
    st.tuples(st.just("sms"), st.sampled_from(sorted(READABLE.values()))),
    st.tuples(st.just("event"), st.sampled_from(EVENTS)),
    st.tuples(st.just("wait"), st.sampled_from([61, 301, 1000])),
)
ATTEMPT = st.builds(attempt, st.sampled_from(["bind", "reset"]), st.sampled_from(SEED["cards"]),
                    st.sampled_from(sorted(READABLE.values())),
                    st.lists(st.sampled_from(PASSWORDS), max_size=3))
MOVES = st.lists(ONE.map(lambda move: [move]) | ATTEMPT, max_size=10)
USERS = itertools.count()


def play(user, move, clock) -> list[str]:
    """One move of the random follower; returns the replies it got."""
    kind, what = move
    if kind == "wait":
        clock.advance(what)
        return []
    if kind == "event":
        return [user.click(what[1]) if what[0] == "click" else user.send(what[0], **what[1])]
    if kind == "sms":
        sent = user.backend.sms_outbox(what)
        return [user.say(sent[-1]["code"] if sent else "000000")]
    return [user.say(what)]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES.map(lambda groups: [move for group in groups for move in group]))
def test_random_conversations_bind_and_reset_only_with_a_readable_code(chat, backend, clock, moves):
    backend.reset()
    user = chat(f"oRandom{next(USERS)}")
    replies, read = [], set()
    for move in moves:
        replies += play(user, move, clock)
        if move[0] == "sms":
            read.add(move[1])
    for reply in filter(None, replies):
        assert not [s for s in SECRETS if s.lower() in reply.lower()], reply
    for card in SEED["cards"]:
        holder, now = card["holder"], backend.card(card["card_number"])
        proved = READABLE.get(holder) in read
        assert now.bound_openid == card.get("bound_openid") or proved, card
        assert backend.verify_password(card["card_number"], card["password"]) or proved, card


def test_no_reply_ever_shows_a_full_id_card_number_or_phone(chat, backend):
    alice, said = chat(), []
    for words in (["绑定社保卡", "帮助", WANG_XM.id, "王小明", WANG_XM.card, "帮助",
                   LI_NA.id, "帮助", "{13900000001}", "我的社保卡"],
                  ["忘记密码", ZHANG.id, "张伟", "帮助", "{13800138000}", "582914", "帮助",
                   "582914"],
                  ["解绑", "是", "忘记密码", FENG_JUN.id, "冯军", "停机", "查询进度"]):
        for word in words:
            sms = word.startswith("{") and alice.sms(word.strip("{}"))
            said.append(alice.say(sms or word))
    assert "绑定成功" in said[8] and "密码重置成功" in said[17] and "确认解绑" in said[18]
    assert "监护人" in said[19]  # 王小明's card: no phone of his, so his guardian unbinds it
    assert "受理编号" in said[-2]
    assert not [s for s in SECRETS for reply in said if s.lower() in reply.lower()]


@pytest.mark.parametrize(("start", "card"), [("绑定社保卡", [LI_NA.card]), ("忘记密码", [])])
def test_a_guardian_locked_out_of_their_own_codes_cannot_consent(chat, start, card):
    lina, alice = chat("oLina"), chat()
    for word in [start, LI_NA.id, "李娜", *card, *["000000"] * 5]:
        locked = lina.say(word)
    assert "10:30" in locked
    for word in [start, ZHAO_MIN.id, "赵敏", *([ZHAO_MIN.card] if card else [])]:
        asked = alice.say(word)
    assert "未满18" in asked
    assert "10:30" in alice.say(LI_NA.id)  # 李娜, the minor's mother


@pytest.mark.parametrize(("typed", "starts"), [
    ("绑定社保卡", "绑定社保卡：请输入持卡人的18位身份证号"),
    ("bind card", "绑定社保卡：请输入持卡人的18位身份证号"),
    ("挂失", "挂失社保卡：请输入持卡人的18位身份证号"),
    ("我的社保卡", "本微信还没有绑定社保卡"),
])  # the running flow's own word (重置密码 here) keeps it: tests/test_conversation_steps.py
def test_a_start_word_mid_flow_ends_that_flow_and_starts_its_own(chat, bot, typed, starts):
    alice = chat()
    for word in ("忘记密码", ZHANG.id, "张伟"):
        alice.say(word)
    for _ in range(3):  # three times: none of them is a wrong code
        reply = alice.say(typed)
        assert reply.startswith("已结束“忘记密码”的办理。")
        assert starts in reply and "错误次数过多" not in reply and "验证码" not in reply
        alice.say("忘记密码")
    session = bot.store.session(alice.openid)
    assert (session["flow"], session["state"]) == ("forgot_password", "ask_id")


def test_a_menu_click_mid_flow_says_the_flow_it_ended(chat, bot):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.click("FORGOT_PASSWORD")
    assert reply.startswith("已结束“绑定社保卡”的办理。") and "重置社保卡服务密码" in reply
    assert bot.store.session(alice.openid)["flow"] == "forgot_password"
