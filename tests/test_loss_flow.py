"""Loss reports through the bot: the region's facts in the reply, BOT_REGION, redelivery."""

from __future__ import annotations

import copy

import pytest
import yaml

from bot.config import ConfigError, load_config
from bot.parts import bot_of
from flows.base import Turn
from flows.catalog import Catalog
from flows.loss import ReportLoss
from flows.regions import TABLE
from tests.conftest import Chat
from tests.people import WANG_XM, ZHANG, ZHENG_JIE

DAY = 86400


def at_the_proof_step(chat: Chat) -> None:
    """挂失 -> ID -> name: the step that asks for the service password or 验证码."""
    for said in ("挂失", ZHANG.id, ZHANG.name):
        chat.say(said)


def report_by_password(chat: Chat) -> str:
    """挂失 -> ID -> name -> password -> 是: the reply that reports the card lost."""
    for said in ("挂失", ZHANG.id, ZHANG.name, ZHANG.password):
        chat.say(said)
    return chat.say("是")


@pytest.mark.parametrize(("region", "said"), [
    ("default", ("临时挂失有效期7天", "2026-11-29 10:00", "费用以当地规定为准", "当场领卡")),
    ("beijing", ("临时挂失有效期10天（北京）", "2026-12-02 10:00", "工本费20元", "约15个工作日")),
    ("shanghai", ("临时挂失有效期5天（上海）", "2026-11-27 10:00", "费用以当地规定为准")),
])
def test_report_loss_reply_states_the_regions_facts(make_app, platform_for, region, said):
    app = make_app(BOT_REGION=region)
    reply = report_by_password(Chat(platform_for(app), "oLossRegion01", bot_of(app).backend))
    assert "已挂失尾号5678" in reply
    for fact in said:
        assert fact in reply
    assert ZHANG.card not in reply and ZHANG.id not in reply


def test_report_loss_lapses_after_the_regions_days(make_app, platform_for, clock):
    app = make_app(BOT_REGION="shanghai")
    backend = bot_of(app).backend
    report_by_password(Chat(platform_for(app), "oLossRegion02", backend))
    clock.advance(5 * DAY - 60)
    assert backend.card(ZHANG.card).status == "lost"
    clock.advance(60)
    assert backend.card(ZHANG.card).status == "active"


def test_bot_region_must_be_in_the_table(tmp_path):
    with pytest.raises(ConfigError, match="BOT_REGION must be one of default, shanghai"):
        load_config({"WECHAT_TOKEN": "t", "BOT_DATA_DIR": str(tmp_path), "BOT_REGION": "110105"})


def test_regions_table_cites_its_sources():
    for key, row in yaml.safe_load(TABLE.read_text(encoding="utf-8")).items():
        assert row["sources"], f"{key} names no source"
        assert 1 <= row["temporary_days"] <= 30 and {"zh_CN", "en"} <= set(row["name"])


def test_confirmation_delivered_again_reports_once(backend, clock):
    """The step's save was lost, so the same answer runs again from the same state."""
    turn = Turn("oLossAgain001", Catalog(), backend, clock)
    flow = ReportLoss(turn)
    flow.start()
    for said in (ZHANG.id, ZHANG.name, ZHANG.password):
        flow.answer(said)
    assert flow.state == "ask_confirm"
    saved = copy.deepcopy(flow.slots)
    replies = []
    for _ in range(2):
        again = ReportLoss(Turn("oLossAgain001", Catalog(), backend, clock), "ask_confirm",
                           copy.deepcopy(saved))
        again.answer("是")
        replies.append(again.turn.out[-1])
    assert replies[0] == replies[1] and "已挂失尾号5678" in replies[0]
    assert [r.action for r in backend.loss_history(ZHANG.card)] == ["report"]


@pytest.mark.parametrize(("said", "reported"), [
    ("好", True), ("行", True), ("对的", True), ("可以", True), ("是", True),
    ("算了不挂了", False), ("不挂了", False), ("否", False),
    ("是的 快点", True), ("好的，确认", True), ("不要 我再找找", False),  # a blind tester's words
])
def test_report_loss_confirmation_hears_yes_and_no_in_the_persons_words(chat, said, reported):
    """确认挂失…？ -> 好 / 行 / 对的 were each asked again ("请回复“是”确认"): the step read
    only its exact 是 and 否."""
    alice = chat("oLossWords01")
    for line in ("挂失", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(line)
    reply = alice.say(said)
    assert ("已挂失尾号5678" in reply) is reported
    assert ("没有挂失" in reply) is not reported
    assert "请回复“是”确认" not in reply


@pytest.mark.parametrize("said", ["嗯嗯", "嗯嗯嗯", "嗯嗯，谢谢", "恩"])
def test_report_loss_confirmation_asks_again_after_a_hum(chat, backend, said):
    """"I hear you" is not "report it": the card stays as it is, the question is asked."""
    alice = chat("oLossHum0001")
    for line in ("挂失", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(line)
    assert "请回复“是”确认" in alice.say(said)
    assert backend.card(ZHANG.card).status == "active"


@pytest.mark.parametrize("said", ["不是这张，我要挂失孩子的卡", "不是我的 是孩子的卡丢了"])
def test_report_loss_offer_hears_another_card_in_a_sentence(chat, backend, said):
    """At 挂失本微信绑定的社保卡？ (是/其他卡/否), "不是这张，我要挂失孩子的卡" is no 否, and
    (a blind tester) "不是我的 是孩子的卡丢了" was asked the three words again: it is 其他卡."""
    backend.bind(ZHANG.card, "oLossOffer01")
    alice = chat("oLossOffer01")
    alice.say("挂失")
    reply = alice.say(said)
    assert "没有挂失" not in reply and reply.endswith("请输入持卡人的18位身份证号。")


def test_report_loss_offer_takes_another_id_typed_there_as_that_card(chat, backend):
    """The child's ID (and name) typed at the offer were "请回复“是”、“其他卡”或“否”"."""
    backend.bind(ZHANG.card, "oLossOffer02")
    alice = chat("oLossOffer02")
    alice.say("挂失")
    reply = alice.say(f"{WANG_XM.id} 王小明")
    assert "监护人" in reply and "请回复“是”、“其他卡”或“否”" not in reply
    assert "请输入持卡人的18位身份证号" not in reply  # taken, not asked


@pytest.mark.parametrize("said", ["不解了", "算了先不解了", "否"])
def test_lift_loss_confirmation_hears_a_refusal_of_lifting(chat, said):
    alice = chat("oLossWords02")
    assert "已挂失" in report_by_password(alice)
    for line in ("卡找到了", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(line)
    reply = alice.say(said)
    assert "没有解除挂失" in reply and "请回复“是”确认" not in reply


def test_my_card_says_what_its_loss_report_means_and_what_next(chat, backend):
    """我的社保卡 said only "状态：已挂失": no reference, no date it lapses, no way back."""
    backend.bind(ZHANG.card, "oLossMine001")
    alice = chat("oLossMine001")
    for line in ("挂失", "是", ZHANG.password):
        alice.say(line)
    assert "已挂失尾号5678" in alice.say("是")
    shown = alice.say("我的社保卡")
    assert "状态：已挂失" in shown and "L20261122-0001" in shown
    assert "2026-11-29 10:00 自动解除" in shown and "回复“解除挂失”" in shown
    assert ZHANG.card not in shown and ZHANG.id not in shown


@pytest.mark.parametrize("typed", ["密码是147258", "服务密码 147258", "１４７２５８"])
def test_the_service_password_is_read_out_of_a_sentence(chat, typed):
    """"密码是147258" at 挂失's proof step was "请输入6位数字服务密码" (and a try): every
    other slot step digs its answer out of the sentence around it."""
    alice = chat("oLossPwSay01")
    at_the_proof_step(alice)
    reply = alice.say(typed)
    assert "确认挂失尾号5678的社保卡" in reply and "新密码" not in reply
    assert "147258" not in reply and "１４７２５８" not in reply


@pytest.mark.parametrize(("said", "reported"), [
    ("yes hurry", True), ("ok do it", True), ("no wait dont actually, i think its at home", False),
    ("hmm actually keep it", False), ("no problem, go ahead", True),
])
def test_report_loss_confirmation_in_english_everyday_words(chat_en, said, reported):
    """A blind English tester's "no wait dont actually…" was asked again."""
    alice = chat_en("oLossWordsEn1")
    for line in ("report lost card", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(line)
    reply = alice.say(said)
    assert ("Please reply" not in reply) and (("5678" in reply and "reported" in reply.lower())
                                               or not reported)


@pytest.mark.parametrize("said", ["社保卡丢了，密码也忘了", "密码忘了，卡也丢了",
                                  "我卡丢了顺便密码也忘了怎么办"])  # asked, still urgent
def test_a_lost_card_and_a_forgotten_password_report_the_loss_first(chat, said):
    """Read whole, the reset won; a lost card can be used by whoever holds it, so its
    report comes first and the reset is told to follow."""
    reply = chat().say(said)
    assert reply.endswith("挂失社保卡：请输入持卡人的18位身份证号。")
    assert "“忘记密码”，这件办完后回复“忘记密码”" in reply


def test_a_lost_card_and_a_forgotten_password_in_english(chat_en):
    reply = chat_en().say("lost my card, forgot my password too")
    assert reply.startswith('Let\'s do "Report a lost card" first. For "Forgot password"')
    assert reply.endswith("Report a lost card - please enter the holder's 18-digit ID number.")


@pytest.mark.parametrize("said", ["快 挂失 钱包被偷了", "包被偷了社保卡也在里面快点挂失"])
def test_a_stolen_wallet_with_the_card_reports_the_loss_at_once(chat, said):
    """A blind tester's panicked first message: the first was told it was about another
    card (a wallet is no card, and 挂失 is ours), the second got the loss FAQ and '是'."""
    assert chat().say(said) == "挂失社保卡：请输入持卡人的18位身份证号。"


def test_a_lost_wallet_alone_is_asked_whether_the_card_was_in_it(chat):
    assert "如果说的是社保卡：丢了回复“挂失”" in chat().say("钱包丢了")


def at_confirmation(chat: Chat) -> Chat:
    """挂失 -> ID -> name -> password: the card's loss report waits for its yes or no."""
    for said in ("挂失", ZHANG.id, ZHANG.name, ZHANG.password):
        chat.say(said)
    return chat


@pytest.mark.parametrize(("said", "ending"), [
    ("等等我再找找", "好的，不着急，想好了再回复。\n\n请回复“是”确认"),  # no hurry, still asked
    ("我再想想", "好的，不着急，想好了再回复。\n\n请回复“是”确认"),
    ("等等 是的 挂吧", "请回复“是”确认，或回复“否”放弃"),  # a yes after the wait: asked again
    ("是本人的卡", "已挂失尾号5678的社保卡"),  # whose card? mine: a yes
])
def test_the_final_confirmation_in_a_persons_words(chat, said, ending):
    """A blind tester's hesitations met "请回复“是”确认" again and again."""
    assert at_confirmation(chat()).say(said).startswith(ending)


def test_a_hum_then_a_no_at_the_final_confirmation_in_english(chat_en):
    alice = chat_en()
    for said in ("report loss", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(said)
    reply = alice.say("hmm, no, dont do it, I think my wife has it")
    assert reply.startswith("All right - nothing was reported; the card is unchanged.")


def test_asking_what_the_report_blocks_at_its_confirmation_is_told(chat_en):
    """A blind tester asked "will this also block my bank account?" and got only "Reply
    yes to do it now": the step's help now says what stops and what is the bank's."""
    alice = chat_en()
    for said in ("report loss", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(said)
    reply = alice.say("wait, will this also block my bank account?")
    assert "call the partner bank" in reply and "reported lost" not in reply


@pytest.mark.parametrize("said", ["发短信", "短信吧", "用短信验证吧", "密码忘了 发短信吧",
                                  "发个短信过来"])
def test_asking_for_a_text_at_the_proof_step_sends_the_code(chat, said):
    """A blind tester's "发短信" / "短信吧" / "用短信验证吧" were each a wrong password, and the
    third ended the loss report ("服务密码连续3次不正确") of a card that was stolen."""
    alice = chat("oLossSms0001")
    at_the_proof_step(alice)
    assert "验证码已发送至 138****8000" in alice.say(said)


def test_words_that_are_no_password_at_the_proof_step_cost_no_try(chat):
    alice = chat("oLossNoTry01")
    at_the_proof_step(alice)
    for said in ("哎呀", "等一下啊", "这个在哪看"):
        reply = alice.say(said)
        assert "连续3次" not in reply and "办理已结束" not in reply
    assert "确认挂失尾号5678的社保卡" in alice.say(ZHANG.password)


def test_six_wrong_digits_at_the_proof_step_still_count(chat):
    alice = chat("oLossTries01")
    for line in ("挂失", ZHANG.id, ZHANG.name, "111111", "222222"):
        alice.say(line)
    assert "连续3次" in alice.say("333333")


@pytest.mark.parametrize("said", ["对对对", "中", "那行 解吧", "成"])
def test_lift_loss_confirmation_hears_the_norths_and_doubled_yes(chat, said):
    alice = chat("oLossYesN001")
    assert "已挂失" in report_by_password(alice)
    for line in ("卡找到了", ZHANG.id, ZHANG.name, ZHANG.password):
        alice.say(line)
    assert "的挂失，卡片恢复正常使用" in alice.say(said)


def test_not_remembering_the_password_at_the_proof_step_sends_the_code(chat):
    """"我不记得密码了" got the step's help and "回复“验证码”": the code is what will do."""
    alice = chat("oLossNoPw001")
    at_the_proof_step(alice)
    reply = alice.say("我不记得密码了")
    assert "改用短信验证" in reply and "验证码已发送至 138****8000" in reply


def test_no_password_and_no_phone_at_the_proof_step_says_where_to_go(chat):
    """"密码忘了 手机也丢了" was told to reply 验证码, a code for the phone just lost."""
    alice = chat("oLossNoWay01")
    at_the_proof_step(alice)
    reply = alice.say("密码忘了 手机也丢了")
    assert "12333" in reply and "服务网点" in reply and "验证码已发送" not in reply


def test_lifting_a_frozen_card_says_it_is_frozen_and_where_it_is_unfrozen(chat):
    """'can u unfreeze it here' (a frozen card) ended, after the whole proof, on 'nothing is
    reported lost, nothing to lift'."""
    alice = chat()
    for said in ("解除挂失", ZHENG_JIE.id, ZHENG_JIE.name, "验证码"):
        alice.say(said)
    reply = alice.say(alice.sms(ZHENG_JIE.phone))
    assert "被冻结了" in reply and "网点办理解冻" in reply and "无需解除" not in reply
