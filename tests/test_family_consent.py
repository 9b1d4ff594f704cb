"""A minor's bind asks the guardian in the guardian's own chat: two followers, one decision.

Conversations in process (the sends captured, so each follower's messages are counted), then
the same fixtures through `wxbot serve` over HTTP in safe mode.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from bot.app import bot_of
from bot.cli import main
from tests.conftest import AES_KEY, APP_ID, ROOT, TOKEN, Chat
from tests.servers import Server

MINOR, GUARDIAN, STRANGER = "oSunLiMinor0009", "oLiuYangGuard09", "oStrangerX00009"
SUNLI, LIU = "320102201003150623", "510104200007070333"
FIXTURES = sorted([*(ROOT / "fixtures" / "conversations").glob("consent_*.yaml"),
                   *(ROOT / "fixtures" / "conversations").glob("family_*.yaml")])


@pytest.fixture
def family(make_app, platform_for):
    """An app whose API sends land in `sent` (nothing refuses them), and a chat per follower."""
    sent: list[dict] = []
    app = make_app(OUTBOUND_SEND=sent.append)
    wechat = platform_for(app)
    bot = bot_of(app)
    bot.backend.bind("A20000003", GUARDIAN)  # 刘洋 follows with his own card bound
    chats = {who: Chat(wechat, who, bot.backend) for who in (MINOR, GUARDIAN, STRANGER)}
    return bot, sent, chats


def to(sent: list[dict], openid: str, within: float = 5.0, count: int | None = None) -> list[str]:
    """The texts sent to `openid` through the API, once the courier had time to send them."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        texts = [b["text"]["content"] for b in sent if b.get("touser") == openid]
        if count is not None and len(texts) >= count:
            break
        time.sleep(0.05)
    return [b["text"]["content"] for b in sent if b.get("touser") == openid]


def ask_guardian(chats: dict[str, Chat]) -> str:
    minor = chats[MINOR]
    for said in ("绑定社保卡", SUNLI, "孙丽", "C10000002"):
        minor.say(said)
    return minor.say(LIU)


def test_the_guardians_agreement_binds_with_no_code_and_each_hears_once(family):
    bot, sent, chats = family
    asked = ask_guardian(chats)
    assert "监护人在其本人微信中确认" in asked and "验证码已发送" not in asked
    request = to(sent, GUARDIAN, count=1)
    assert len(request) == 1 and "孙* 正在把社保卡 C****0002 绑定" in request[0]
    assert LIU not in request[0] and SUNLI not in request[0]  # masked, never the ID
    assert bot.backend.sms_outbox("13900000006") == []  # no code went to his phone
    assert "没有待您确认的请求" in chats[STRANGER].say("同意")
    assert bot.backend.binding(MINOR) is None  # the stranger decided nothing
    assert "已同意" in chats[GUARDIAN].say("同意")
    assert "没有待您确认的请求" in chats[GUARDIAN].say("同意")  # again: nothing more
    told = to(sent, MINOR, count=1)
    time.sleep(1.5)  # a sweep or two later: still once
    assert to(sent, MINOR) == told and len(told) == 1 and "已绑定到本微信" in told[0]
    assert len(to(sent, GUARDIAN)) == 1  # the request only: his answer was his reply
    card = bot.backend.card_view("C10000002")
    assert card["bound_openid"] == MINOR
    assert card["guardian_consent"]["via"] == "wechat"
    assert card["guardian_consent"]["relation"] == "guardian"


def test_a_decision_written_but_not_applied_is_applied_once_by_whoever_looks(family):
    """A process killed between the decision and its effects: a later look finishes it."""
    bot, sent, chats = family
    ask_guardian(chats)
    desk = bot.family
    rid = desk.records.members(f"pending:{GUARDIAN}")[0]
    assert desk.decide(rid, "yes", "guardian")["answer"] == "yes"  # ...and then it died
    assert desk.decide(rid, "no", "guardian")["answer"] == "yes"  # the first one holds
    desk.sweep()
    desk.sweep()
    desk.apply(rid)
    assert bot.backend.binding(MINOR).card_number == "C10000002"
    assert len(to(sent, MINOR, count=1)) == 1
    assert desk.pending(GUARDIAN) == []
    assert "监护人已同意" in chats[MINOR].say("嗯")


def test_an_unanswered_request_expires_on_the_clock_and_both_are_told(family, clock):
    bot, sent, chats = family
    ask_guardian(chats)
    clock.advance(29 * 60)
    bot.family.sweep()
    assert bot.family.pending(GUARDIAN) != []  # 29 minutes: still waiting
    clock.advance(2 * 60)
    bot.family.sweep()
    minor, guardian = to(sent, MINOR, count=1), to(sent, GUARDIAN, count=2)
    assert len(minor) == 1 and "未在有效时间内答复" in minor[0]
    assert len(guardian) == 2 and "已超时" in guardian[1]
    assert "没有待您确认的请求" in chats[GUARDIAN].say("同意")
    assert bot.backend.binding(MINOR) is None


def test_a_guardian_in_the_middle_of_a_flow_answers_and_carries_on(family):
    bot, sent, chats = family
    guardian = chats[GUARDIAN]
    assert "身份证号" in guardian.say("忘记密码")
    ask_guardian(chats)
    answered = guardian.say("同意")
    assert "已同意" in answered and "继续刚才的办理" in answered and "身份证号" in answered
    assert "姓名" in guardian.say(LIU)  # his own flow went on where it was


def test_a_guardian_not_reachable_in_chat_falls_back_to_sms(make_app, platform_for):
    class Refused(Exception):
        errcode = 45015

    def refuse(body: dict) -> None:
        if body["touser"] == GUARDIAN:
            raise Refused("out of the 48-hour window")
        sent.append(body)

    sent: list[dict] = []
    app = make_app(OUTBOUND_SEND=refuse)
    bot = bot_of(app)
    bot.backend.bind("A20000003", GUARDIAN)
    chats = {who: Chat(platform_for(app), who, bot.backend) for who in (MINOR, GUARDIAN)}
    ask_guardian(chats)
    told = to(sent, MINOR, count=1)
    assert len(told) == 1 and "暂时无法在微信中联系到监护人" in told[0]
    assert "监护人的手机 139****0006" in chats[MINOR].say("好的")
    assert "绑定成功" in chats[MINOR].say(chats[MINOR].sms("13900000006"))
    assert bot.backend.card_view("C10000002")["guardian_consent"]["via"] == "sms"


def test_the_wait_is_a_setting_and_a_short_one_is_refused(make_app):
    from bot.config import ConfigError

    assert bot_of(make_app(BOT_CONSENT_WAIT="600")).family.minutes == 10
    with pytest.raises(ConfigError, match="BOT_CONSENT_WAIT"):
        make_app(BOT_CONSENT_WAIT="30")


@pytest.fixture
def server(tmp_path):
    """`wxbot serve` in safe mode with the simulator on, its API calls to its own mock."""
    env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_SIMULATOR": "1",
           "WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID,
           "WECHAT_APP_SECRET": "test-app-secret", "BOT_REPLY_DEADLINE": "1"}
    served = Server(["serve"], env, tmp_path / "serve.log")
    served.env["WECHAT_API_BASE"] = f"{served.url}/cgi-bin/"
    served.start()
    yield served
    served.stop()


def test_the_consent_fixtures_pass_through_wxbot_serve_in_safe_mode(server):
    assert len(FIXTURES) >= 6  # consent: agreed, refused/expired, SMS; family services
    result = CliRunner().invoke(main, ["replay", *map(str, FIXTURES), "--url", server.url,
                                       "--mode", "safe", "--token", TOKEN,
                                       "--aes-key", AES_KEY, "--app-id", APP_ID],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{len(FIXTURES)} fixtures: {len(FIXTURES)} passed" in result.output
    assert requests.get(f"{server.url}/healthz", timeout=5).ok


def test_the_workbench_inspector_links_the_minor_and_the_guardian(make_app, platform_for):
    sent: list[dict] = []
    app = make_app(OUTBOUND_SEND=sent.append, BOT_SIMULATOR=True)
    bot = bot_of(app)
    bot.backend.bind("A20000003", GUARDIAN)
    chats = {who: Chat(platform_for(app), who, bot.backend) for who in (MINOR, GUARDIAN)}
    ask_guardian(chats)
    web = app.test_client()
    minor = web.get(f"/sim/api/state?user={MINOR}").get_json()["family"]
    guardian = web.get(f"/sim/api/state?user={GUARDIAN}").get_json()["family"]
    assert [(x["role"], x["other"], x["state"]) for x in minor] == [("minor", GUARDIAN,
                                                                     "waiting")]
    assert [(x["role"], x["other"], x["card"]) for x in guardian] == [("guardian", MINOR,
                                                                       "C****0002")]
    chats[GUARDIAN].say("拒绝")
    assert web.get(f"/sim/api/state?user={GUARDIAN}").get_json()["family"] == []
    assert web.get(f"/sim/api/state?user={MINOR}").get_json()["family"][0]["state"] == "no"


@pytest.mark.parametrize("said", ["孙丽让我在这里同意一下", "我闺女说让我点同意",
                                  "我儿子说要我同意什么"])
def test_a_guardian_sent_by_the_child_in_plain_words_is_shown_the_request(family, said):
    """A blind tester's guardian got "没有听懂" or a list of services: only 待确认 / 同意 found
    the request. Shown, it still waits for the guardian's own 同意."""
    bot, _, chats = family
    ask_guardian(chats)
    reply = chats[GUARDIAN].say(said)
    assert "孙*" in reply and "C****0002" in reply and "同意" in reply
    assert bot.backend.binding(MINOR) is None
    assert "已同意" in chats[GUARDIAN].say("同意")


@pytest.mark.parametrize("said", ["还在吗", "好了没"])
def test_the_minor_hears_the_guardians_decision_whatever_they_say_next(family, said):
    """A blind tester's minor got the waiting step's help ("请他/她在自己的微信中确认") after the
    guardian's 同意 had bound the card, and "好了没" the review lookup and that step again."""
    _, _, chats = family
    ask_guardian(chats)
    assert "已同意" in chats[GUARDIAN].say("同意")
    assert chats[MINOR].say(said).startswith("监护人已同意")


@pytest.mark.parametrize("said", ["这是啥 谁要绑卡", "刚收到个通知，这是什么意思？"])
def test_a_guardian_asking_what_reached_them_is_shown_the_request(family, said):
    """A blind tester's guardian asking "这是啥 谁要绑卡" was told their own WeChat already has
    a card bound, as if they had asked to bind one."""
    bot, _, chats = family
    ask_guardian(chats)
    reply = chats[GUARDIAN].say(said)
    assert "孙*" in reply and "C****0002" in reply and "一个微信只能绑定" not in reply
    assert bot.backend.binding(MINOR) is None


def asked_in_english(make_app, platform_for) -> tuple[Any, dict[str, Chat]]:
    """A bot speaking English whose minor has just asked the guardian (through the API)."""
    app = make_app(BOT_LANG="en", OUTBOUND_SEND=lambda body: None)
    wechat, bot = platform_for(app), bot_of(app)
    bot.backend.bind("A20000003", GUARDIAN)
    chats = {who: Chat(wechat, who, bot.backend) for who in (MINOR, GUARDIAN)}
    for said in ("bind my card", SUNLI, "孙丽", "C10000002", LIU):
        chats[MINOR].say(said)
    return bot, chats


def test_a_guardians_everyday_english_yes_agrees(make_app, platform_for):
    """"yeah thats fine go ahead" to the request was "Sorry, I did not understand that" and
    the menu, whose "1" then bound nothing (it picked 'Bind card')."""
    bot, chats = asked_in_english(make_app, platform_for)
    reply = chats[GUARDIAN].say("yeah thats fine go ahead")
    assert "did not understand" not in reply
    assert bot.backend.binding(MINOR) is not None


@pytest.mark.parametrize("shown", [False, True])
def test_a_guardians_question_keeps_the_request_waiting_for_its_number(family, shown):
    """A blind tester's guardian asked '这是我儿子吗？绑了有什么风险没' before answering; the
    answer dropped the request's 1 / 2, and '1' met '这个序号对应的列表已经用过或过期了'."""
    bot, _, chats = family
    ask_guardian(chats)
    if shown:
        assert "同意" in chats[GUARDIAN].say("待确认")
    reply = chats[GUARDIAN].say("绑了有什么风险没")
    assert "请回复“同意”或“拒绝”" in reply
    assert "已同意" in chats[GUARDIAN].say("1")
    assert bot.backend.binding(MINOR) is not None


@pytest.mark.parametrize("said", ["要等多久", "好了没", "我爸同意了吗"])
def test_a_minor_asking_how_the_wait_stands_is_told_the_guardian_has_not_answered(family,
                                                                                   said):
    """'how long do i have to wait' met the review's days of a password reset, and '好了没'
    'no manual review here' (a blind tester's 12-year-old): the waiting step says itself."""
    _, _, chats = family
    ask_guardian(chats)
    reply = chats[MINOR].say(said)
    assert reply.startswith("监护人还没有答复") and "分钟内有效" in reply
    assert "审核" not in reply


@pytest.mark.parametrize(("said", "bound"), [
    ("我儿子要绑卡？那就同意吧", True),
    ("孙丽要绑卡？她跟我说过了 嗯 行吧", True),
    ("这是我闺女吗？不行 拒绝", False),
    # a refusal amid its reasons, and said again (a blind tester's mother, round five)
    ("这孩子 又瞎弄 不同意 她才16岁", False),
    ("我说了不同意！", False),
])
def test_a_guardians_answer_closing_a_sentence_decides(family, said, bound):
    """'那就同意吧' after asking who it was met the same request again, word for word; '嗯 行吧'
    met a list of services whose '1' then picked 绑定社保卡 (two blind testers' guardians)."""
    bot, _, chats = family
    ask_guardian(chats)
    reply = chats[GUARDIAN].say(said)
    assert ("已同意" if bound else "已拒绝") in reply
    assert (bot.backend.binding(MINOR) is not None) is bound


@pytest.mark.parametrize("said", ["好的，这是什么？", "嗯，这是什么意思", "我先问问孩子 好吧",
                                  "好吧 我再想想"])
def test_a_guardians_sentence_that_puts_off_or_asks_decides_nothing(family, said):
    """A yes opening a question, or beside 'let me ask her first', is no consent (a review
    found each binding the child)."""
    bot, _, chats = family
    ask_guardian(chats)
    reply = chats[GUARDIAN].say(said)
    assert "已同意" not in reply and "已拒绝" not in reply
    assert bot.backend.binding(MINOR) is None
    assert "已同意" in chats[GUARDIAN].say("同意")  # still waiting for the real answer


@pytest.mark.parametrize("said", ["yes, what is this about?", "ok, but who is this?",
                                  "sure, let me think about it",
                                  "no, wait, let me ask her first"])
def test_a_guardians_english_sentence_that_puts_off_or_asks_decides_nothing(make_app,
                                                                            platform_for,
                                                                            said):
    bot, chats = asked_in_english(make_app, platform_for)
    reply = chats[GUARDIAN].say(said)
    assert "agreed" not in reply.lower() and "refused" not in reply.lower()
    assert bot.backend.binding(MINOR) is None


@pytest.mark.parametrize("said", ["no i dont want him on wechat yet"])
def test_a_guardians_refusal_in_everyday_english_refuses(make_app, platform_for, said):
    """'no i dont want him on wechat yet' met 'OK, nothing started' and the request again:
    the child went on waiting."""
    bot, chats = asked_in_english(make_app, platform_for)
    reply = chats[GUARDIAN].say(said)  # the request reached them through the API only
    assert "refused" in reply.lower() and "nothing started" not in reply
    assert bot.backend.binding(MINOR) is None


def test_a_guardians_yes_in_a_sentence_at_their_own_step_is_their_own(family):
    """A request that arrived while the guardian was at their own loss offer took
    '对 就是这张卡' as its consent (a review): a sentence at a step is the step's."""
    bot, _, chats = family
    assert "挂失本微信绑定的社保卡" in chats[GUARDIAN].say("挂失")
    ask_guardian(chats)
    reply = chats[GUARDIAN].say("对 就是这张卡")
    assert "已同意" not in reply and bot.backend.binding(MINOR) is None
