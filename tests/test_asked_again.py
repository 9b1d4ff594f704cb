"""A step asked again after something said in passing is asked in brief, never as if new.

After a question answered, 谢谢, a picture, 否 to "end it?" or a guardian's 同意, the step's
question comes again. A code step's prompt says "验证码已发送至 138****8000…": said again, it
announced a code that was never sent. It is asked for in brief now (Talk.again), and the one
code sent when the step began still works. The transcripts are
fixtures/conversations/code_step_asked_again{,_en}.yaml; here what they cannot hold: the SMS
outbox, the guardian's chat, every code step in both languages, the "no need" words.
"""

from __future__ import annotations

import pytest

from bot.app import bot_of
from bot.dialogue.talk import Talk
from flows.base import Turn
from flows.catalog import LANGS, Catalog
from flows.registry import ALL_FLOWS
from tests.conftest import Chat
from tests.people import LIU_YANG, SUN_LI, ZHANG

BRIEF = {"zh_CN": "请输入发送至 138****8000 的6位短信验证码",
         "en": "Please enter the 6-digit code sent to 138****8000"}
SENT = {"zh_CN": "验证码已发送", "en": "A code was sent"}  # the prompt's news: a code went out
BIND = {"zh_CN": ("绑定社保卡", ZHANG.id, "张伟", ZHANG.card),
        "en": ("bind card", ZHANG.id, "张伟", ZHANG.card)}
IN_PASSING = [  # (language, what is said at the code step, what the reply starts with)
    ("zh_CN", "几岁可以绑定？", "年满18周岁"),
    ("zh_CN", "谢谢", "不客气。接着刚才的步骤："),
    ("zh_CN", "image", "这一步需要您回复文字。"),
    ("en", "how old do I have to be to bind?", "From 18"),
    ("en", "thanks", "You're welcome. Back to"),
    ("en", "image", "This step needs a text reply."),
]


class Follower(Chat):
    """A follower of a bot speaking one language, whose session the test may look at."""

    def __init__(self, app, platform_for, lang: str) -> None:  # noqa: ANN001
        self.bot = bot_of(app)
        super().__init__(platform_for(app), f"oAgain{lang}0001", self.bot.backend)

    def session(self) -> dict | None:
        return self.bot.store.session(self.openid)


@pytest.fixture
def chat_in(make_app, platform_for):
    """`chat_in(lang)`: Alice talking to a bot that speaks `lang`."""
    return lambda lang: Follower(make_app(BOT_LANG=lang), platform_for, lang)


def at_the_code_step(alice: Chat, lang: str) -> None:
    for said in BIND[lang]:
        asked = alice.say(said)
    assert SENT[lang] in asked and len(alice.backend.sms_outbox(ZHANG.phone)) == 1


def say(alice: Chat, said: str) -> str:
    return alice.send("image") if said == "image" else alice.say(said)


@pytest.mark.parametrize(("lang", "said", "starts"), IN_PASSING)
def test_after_a_question_thanks_or_a_picture_the_code_is_asked_for_and_none_is_sent(
        chat_in, lang, said, starts):
    alice = chat_in(lang)
    at_the_code_step(alice, lang)
    reply = say(alice, said)
    assert reply.startswith(starts) and BRIEF[lang] in reply and SENT[lang] not in reply
    assert len(alice.backend.sms_outbox(ZHANG.phone)) == 1  # nothing went out: nothing said
    assert alice.say(alice.sms(ZHANG.phone))  # the code sent when the step began binds
    assert alice.backend.binding(alice.openid).card_number == ZHANG.card


@pytest.mark.parametrize("lang", LANGS)
def test_no_to_ending_it_at_the_code_step_carries_on_with_the_code_asked_in_brief(chat_in, lang):
    alice = chat_in(lang)
    at_the_code_step(alice, lang)
    alice.say({"zh_CN": "不用了", "en": "no need"}[lang])
    reply = alice.say({"zh_CN": "否", "en": "no"}[lang])
    assert BRIEF[lang] in reply and SENT[lang] not in reply
    assert len(alice.backend.sms_outbox(ZHANG.phone)) == 1


def test_a_guardian_back_from_consenting_is_asked_for_their_own_code_in_brief(chat, backend):
    guardian, minor = chat("oAgainLiuYang1"), chat("oAgainSunLi001")
    backend.bind(LIU_YANG.card, guardian.openid)
    guardian.say("解绑")
    assert "验证码已发送至" in guardian.say("是")  # the guardian's own unbind, at its code
    for said in ("绑定社保卡", SUN_LI.id, "孙丽", SUN_LI.card, LIU_YANG.id):
        minor.say(said)
    reply = guardian.say("同意")
    assert "已同意" in reply and "继续刚才的办理：请输入发送至" in reply
    assert "验证码已发送" not in reply
    assert len(backend.sms_outbox(LIU_YANG.phone)) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_step_asked_again_names_the_phone_and_no_new_code(lang, backend, clock):
    """Every flow's code step, in both catalogs: the brief form, not the step's news."""
    catalog = Catalog(lang)
    talk = Talk(catalog, ALL_FLOWS)
    steps = [(flow, state) for flow in ALL_FLOWS for state, spec in flow.specs.items()
             if spec.get("role") == "code"]
    assert len(steps) >= 4  # bind, forgot password, unbind, family, loss…
    for flow_cls, state in steps:
        flow = flow_cls(Turn("oAgainUnit001", catalog, backend, clock), state,
                        {"phone": "138****8000", "card_masked": "A****5678"})
        again = talk.again(flow)
        assert again == catalog.text("common.ask_code_brief", phone="138****8000")
        assert SENT[lang] not in again and talk.prompt(flow) != again, flow_cls.name


@pytest.mark.parametrize(("lang", "no", "yes", "ended"), [
    ("zh_CN", "不用了", "是", "已取消"),
    ("en", "no need", "yes", "Cancelled"),
    ("en", "no thanks", "yes", "Cancelled"),
    ("en", "nope, not needed", "yes", "Cancelled"),
])
def test_no_need_at_a_step_asks_whether_to_stop_and_yes_stops(chat_in, lang, no, yes, ended):
    alice = chat_in(lang)
    alice.say(BIND[lang][0])
    asked = alice.say(no)
    assert ("要结束“绑定社保卡”的办理吗" if lang == "zh_CN" else 'stop "Bind card"?') in asked
    assert ended in alice.say(yes)
    assert alice.session() is None


@pytest.mark.parametrize("no", ["no need", "no thanks", "nope, not needed", "not needed"])
def test_english_no_need_then_no_asks_the_step_again_and_costs_no_try(chat_in, no):
    alice = chat_in("en")
    alice.say("bind card")
    for _ in range(3):  # three wrong answers would have ended it
        assert 'Do you want to stop "Bind card"?' in alice.say(no)
        reply = alice.say("no")
        assert 'carry on with "Bind card"' in reply and "18-digit ID number" in reply
    assert (alice.session()["state"], alice.session()["slots"].get("_misses")) == ("ask_id", None)
    assert "holder's name" in alice.say(ZHANG.id)


def test_the_services_own_word_at_its_first_question_claims_nothing_kept(chat):
    """Nothing was entered yet: "已填写的内容都保留着" would claim what was not so."""
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say("绑定社保卡")
    assert reply == "您正在办理“绑定社保卡”。绑定社保卡：请输入持卡人的18位身份证号。"
    alice.say(ZHANG.id)
    assert "已填写的内容都保留着" in alice.say("绑定社保卡")
