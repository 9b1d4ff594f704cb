"""A question that is not ours is told whose it is: each `elsewhere:` topic of the knowledge
base has its own line in each language, and the retriever names the topic a line is about."""

from __future__ import annotations

import pytest

from bot.app import bot_of
from bot.dialogue.whose import ELSEWHERE_IN_STEP, SURE_ELSEWHERE
from flows.catalog import LANGS, Catalog
from flows.knowledge import NEIGHBOUR, UNRELATED, KnowledgeBase, Retriever
from tests.conftest import Chat
from tests.people import ZHANG


@pytest.mark.parametrize("lang", LANGS)
def test_every_elsewhere_topic_has_its_own_line(lang):
    texts = Catalog(lang).texts
    topics = [name for name, _ in KnowledgeBase.load(lang).elsewhere]
    assert topics
    missing = [name for name in [*topics, UNRELATED] if f"answer.elsewhere.{name}" not in texts]
    assert not missing, f"no answer.elsewhere.<topic> line in {lang} for {missing}"


@pytest.mark.parametrize(("lang", "text", "topic"), [
    ("zh_CN", "今天天气怎么样", "daily_life"),
    ("zh_CN", "养老金什么时候发", "pension"),
    ("zh_CN", "医保报销比例是多少", "medical_insurance"),
    ("zh_CN", "银行卡丢了怎么办", "other_cards"),
    ("zh_CN", "你是机器人吗", "about_us"),
    ("zh_CN", "我想买房子怎么办", UNRELATED),
    ("zh_CN", "社保卡丢了会影响征信吗", NEIGHBOUR),
    ("zh_CN", "我的社保交了多少年", "contributions"),  # not another account: 社保 alone
    ("zh_CN", "社保怎么转移", "contributions"),  # its topic words before lines 社保 alone covers
    ("en", "what is the weather today", "daily_life"),
    ("en", "how much is my pension?", "pension"),
    ("en", "my bank card is lost what do i do", "other_cards"),
    ("en", "how do i get a passport?", "other_cards"),  # another document: its issuer
    ("en", "how do i register a car?", "other_services"),
    ("en", "who won the game?", UNRELATED),
    ("en", "who are you?", "about_us"),  # no topical word, but its topic's own
    ("en", "are you a real person?", "about_us"),
])
def test_retriever_names_whose_question_it_is(lang, text, topic):
    answer = Retriever.shared(lang).answer(text)
    assert (answer.kind, answer.elsewhere) == ("none", topic)


@pytest.mark.parametrize(("lang", "text", "topic"), [
    ("zh_CN", "社保卡芯片坏了还能用吗", "card_condition"),
    ("zh_CN", "社保卡的芯片会不会被人复制", "card_condition"),
    ("zh_CN", "社保卡上的照片能换吗", "card_account"),
    ("en", "my card is bent, will it still work?", "card_condition"),
    ("en", "the machine can't read my card, is the chip broken?", "card_condition"),
    ("en", "do i need a new card when i change jobs?", "card_account"),
    ("en", "can i change the photo on my card?", "card_account"),
    # the same words asking how to replace it are the reissue entry's
    ("zh_CN", "社保卡芯片坏了怎么补办", "reissue"),
    ("zh_CN", "补办社保卡要照片吗", "reissue"),
    ("en", "the chip on my card is broken, how do i get a replacement?", "reissue"),
])
def test_retriever_tells_the_cards_condition_from_replacing_it(lang, text, topic):
    """Whether a damaged card still works, or its photo, is asked at an outlet (the card's
    own topics no entry answers); replacing it is the reissue entry's answer."""
    answer = Retriever.shared(lang).answer(text)
    got = answer.entries[0].id if answer.kind == "one" else answer.elsewhere
    assert got == topic, answer.reason


@pytest.mark.parametrize(("lang", "text", "topic"), [
    ("zh_CN", "验证码老是收不到是咋回事", "card_phone"),
    ("zh_CN", "验证码几分钟就失效了吗", "card_phone"),
    ("zh_CN", "社保卡留的手机号停机了怎么办", "card_phone"),
    ("zh_CN", "淘宝的验证码收不到是为什么", "other_cards"),  # another platform's code
    ("en", "why does the code never come?", "card_phone"),
    ("en", "how long does the code last?", "card_phone"),
    ("en", "the phone number on record is not mine anymore, what do i do?", "card_phone"),
    ("en", "my taobao verification code never arrives, why?", "other_cards"),
    # giving a code away is the scam answer's, and whose phone a child's code goes to binding's
    ("zh_CN", "有人打电话要我的验证码 能给吗", "personal_info"),
    ("zh_CN", "给孩子绑卡 验证码发到谁手机上", "bind_minor"),
    ("en", "someone on the phone wants my verification code, should i give it?", "personal_info"),
])
def test_retriever_tells_a_code_that_does_not_come_from_a_code_asked_for(lang, text, topic):
    """A code that does not arrive or has run out, and the phone number on record, are the
    card office's and the bank's (`card_phone`): they once got the scam answer, which their
    word 验证码 ranked first."""
    answer = Retriever.shared(lang).answer(text)
    got = answer.entries[0].id if answer.kind == "one" else answer.elsewhere
    assert got == topic, answer.reason


def test_a_code_that_never_comes_is_told_what_to_check_and_where_the_number_is_changed(chat):
    alice = chat()
    reply = alice.say("验证码一直收不到是怎么回事")
    assert "登记的号码是不是还在用" in reply and "社保卡服务网点" in reply
    assert "骗子" not in reply and "没有听懂" not in reply
    assert "骗子" in alice.say("有人打电话要我的验证码 能给吗")


@pytest.mark.parametrize(("lang", "text"), [
    ("zh_CN", "怎么办？"), ("zh_CN", "在吗？"), ("en", "what is this"), ("en", "can you help me?"),
])
def test_retriever_leaves_a_line_with_no_topic_unread(lang, text):
    """Nothing in it says whose it is: the dialogue says it did not understand, and offers."""
    assert Retriever.shared(lang).answer(text).elsewhere == ""


@pytest.mark.parametrize(("lang", "text"), [
    ("zh_CN", "社保卡能干什么"), ("zh_CN", "几岁可以绑定社保卡？"), ("en", "what is the card for?"),
])
def test_retriever_answers_our_own_questions_as_before(lang, text):
    answer = Retriever.shared(lang).answer(text)
    assert answer.kind == "one" and answer.elsewhere == ""


def test_a_question_not_ours_mid_step_says_whose_and_keeps_the_step(chat):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say("今天天气怎么样？")
    assert "帮不上忙" in reply and reply.rstrip().endswith("请输入持卡人的18位身份证号。")
    # about the step by the card's other names, though the words are another office's
    assert "当前步骤说明" in alice.say("医保卡上的号码可以吗？")
    assert "当前步骤说明" in alice.say("退休人员的身份证可以吗？")
    assert "当前步骤说明" in alice.say("银行卡号行吗？")
    assert "姓名" in alice.say(ZHANG.id)  # the flow kept what it had, nothing counted


def test_a_question_not_ours_mid_step_in_english(make_app, platform_for):
    app = make_app(BOT_LANG="en")
    alice = Chat(platform_for(app), "oAlice0001", bot_of(app).backend)
    alice.say("bind card")
    reply = alice.say("what is the weather today?")
    assert "can't help with that" in reply and "ID" in reply


@pytest.mark.parametrize(("said", "meets"), [
    ("孩子的医保卡丢了", "挂失社保卡"),  # our card by its medical name: the loss service asked
    ("医保卡密码被锁了", "重置社保卡服务密码"),  # a locked password: the reset starts
    ("银行卡丢了怎么办", "别的卡、证件或账号"),  # another card named: its line, which says 挂失
    ("商场礼品卡过期了还能用吗", "别的卡、证件或账号"),  # not our card's account line
    ("银行卡余额怎么查", "别的卡、证件或账号"),
    ("社保卡怎么激活", "社保卡的激活和余额查询"),
])
def test_words_near_our_services_keep_the_service_and_other_cards_their_line(chat, said, meets):
    assert meets in chat().say(said)


def test_a_question_not_ours_is_no_miss_and_keeps_the_misses_before_it(chat):
    alice = chat()
    alice.say("嗯那个啥")  # a miss
    assert "人工" not in alice.say("今天天气怎么样")
    assert "回复“人工”联系人工客服" in alice.say("嗯那个啥")  # the second miss in a row


@pytest.mark.parametrize("lang", LANGS)
def test_the_dialogues_topic_lists_name_topics_the_data_has(lang):
    topics = {name for name, _ in KnowledgeBase.load(lang).elsewhere} | {NEIGHBOUR}
    assert set(ELSEWHERE_IN_STEP) | set(SURE_ELSEWHERE) <= topics


def test_asking_about_a_new_card_mid_step_keeps_the_service(chat):
    alice = chat()
    alice.say("绑定社保卡")
    reply = alice.say("社保卡怎么补办")  # 补办 once read by sound as 不办: the service cancelled
    assert "已取消" not in reply and "补卡前要先正式挂失" in reply
    assert "姓名" in alice.say(ZHANG.id)


def test_a_benefit_near_a_services_word_is_still_told_where_to_ask(make_app, platform_for):
    """"withdraw" is near 解除挂失's words; the housing fund is another office's all the same."""
    app = make_app(BOT_LANG="en")
    alice = Chat(platform_for(app), "oAlice0001", bot_of(app).backend)
    reply = alice.say("how do i withdraw my housing fund")
    assert "housing fund" in reply.lower() and "lift" not in reply.lower()


@pytest.mark.parametrize("text", ["我的手机丢了", "手机丢了怎么办", "换手机号了"])
def test_a_lost_phone_at_idle_says_what_the_phone_is_for_here(chat, text):
    """A code step's word said with no service running: not "没有听懂", nor another card's."""
    reply = chat().say(text)
    assert "登记的手机号" in reply and "回复“挂失”" in reply and "没有听懂" not in reply


@pytest.mark.parametrize(("lang", "said", "shown"), [
    ("zh", "换了个新手机 微信也是新号 社保卡要重新绑吗", "原来的微信里回复“解绑”"),
    ("zh", "原来那个微信号登不上了 咋解绑", "解除原来的绑定"),
    ("en", "but i cant log into the old wechat anymore, its gone", "old binding removed"),
    ("en", "how do i unbind from my old wechat?", 'reply "unbind" there'),
])
def test_a_card_bound_in_another_wechat_is_told_how_to_move_it(chat_in, lang, said, shown):
    """Two blind testers: "这件事本服务号答不了", the lost-phone line, or 解绑 here, which says
    nothing is bound here to unbind - no way on for a card left in a WeChat that is gone."""
    reply = chat_in(lang).say(said)
    assert shown in reply
    assert "没有绑定社保卡" not in reply and "手机丢了" not in reply


def test_a_card_blocked_though_never_reported_lost_is_told_whose_it_is(chat_en):
    """"the hospital said my card is blocked?? i never reported it lost" was offered a loss
    report, the opposite of what was asked."""
    reply = chat_en().say("the hospital said my card is blocked?? i never reported it lost")
    assert "Why a card was frozen" in reply and 'Start "Report a lost card"' not in reply


@pytest.mark.parametrize(("lang", "said", "told"), [
    ("zh", "社保卡坏了怎么补办", "卡损坏、到期或信息有变的，不用挂失"),
    ("en", "so what do i do with a broken card", "damaged or expired card"),
])
def test_replacing_a_damaged_card_needs_no_loss_report(chat_in, lang, said, told):
    """The reissue answer began "A formal loss report comes first", said of a broken card."""
    assert told in chat_in(lang).say(said)


@pytest.mark.parametrize("said", ["社保卡丢了 能用别的微信挂失吗",
                                  "微信被封了 社保卡丢了 怎么挂失"])
def test_a_loss_beside_another_wechat_is_the_losses(chat, said):
    reply = chat().say(said)
    assert "挂失" in reply and "原来的微信里回复“解绑”" not in reply
