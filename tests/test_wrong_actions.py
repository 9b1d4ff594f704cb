"""Lines that made the bot take a wrong action, found by two blind testers (2026-12-08): a
question at a step ended the service, a worried question chose another card, a lost phone
met a code sent to it. Each is a conversation; what must not happen is asserted beside what
should."""

from __future__ import annotations

import pytest

from flows.knowledge import Retriever
from tests.people import LI_NA, MA_CHAO, WANG_XM, ZHANG, ZHAO_MIN
from tests.test_up_front import locked_out_of_binding, wrong_codes


@pytest.mark.parametrize("said", ["ok so how do i do it", "so how do i do this?",
                                  "how do i do it"])
def test_how_do_i_do_it_at_a_step_is_its_help_not_a_cancel(chat_en, said):
    """Read as 'dont want to do this anymore' (a negated example sharing only 'do it'): the
    service was cancelled, and the ID typed next met 'nothing is in progress'."""
    alice = chat_en()
    alice.say("bind card")
    reply = alice.say(said)
    assert "Cancelled" not in reply and "ID number" in reply
    assert alice.say("110105199001011232").startswith("Please enter the card holder's name")


def test_a_childs_lost_card_is_a_loss_not_a_forgotten_password(chat_en):
    """It was answered with the child's forgotten password, and 'yes' started a reset."""
    mum = chat_en()
    reply = mum.say("my son lost his card at school")
    assert reply.startswith("Report a lost card as soon as you can")
    assert "password is forgotten" not in reply
    assert mum.say("yes").startswith("Report a lost card - please enter")


@pytest.mark.parametrize(("said", "answer"), [
    ("will someone be able to use my money?", "Report a lost card as soon as you can"),
    ("how much does a new one cost?", "Your first card is free"),
])
def test_a_question_at_the_loss_offer_is_answered_and_the_offer_kept(chat_en, said, answer):
    """'someone' chose another card (a person named), and the replacement's cost got the
    step's help: both lean on the loss report now, and the card bound here is asked again."""
    ma = chat_en("oSeedBound0001")
    assert ma.say("report lost card").startswith("Report the card bound to this WeChat")
    reply = ma.say(said)
    assert reply.startswith(answer) and "enter the holder's 18-digit ID" not in reply
    assert reply.endswith('or "no" to leave it.')
    assert ma.say("yes").startswith("Please prove who you are")


@pytest.mark.parametrize(("lang", "start", "gone", "no_password", "instead", "nowhere"), [
    ("en", "report lost card", "i cant get sms my phone is gone",
     "i dont remember the password either", "type the card's 6-digit service password",
     "Without the service password and with no phone"),
    ("zh", "挂失", "手机也被偷了 收不到短信", "密码我也不记得",
     "直接输入6位服务密码", "服务密码想不起来、手机也收不到短信"),
])
def test_a_phone_said_gone_at_the_proof_step_is_never_sent_a_code(
        chat, chat_en, lang, start, gone, no_password, instead, nowhere):
    """It was 'not the service password' (a try used), then 'i dont remember the password
    either' sent a code to the stolen phone; the way out came only after shouting."""
    ma = (chat_en if lang == "en" else chat)("oSeedBound0001")
    ma.say(start)
    assert "6" in ma.say("yes" if lang == "en" else "是")  # the password or a code
    reply = ma.say(gone)
    assert instead in reply and "did not look like" not in reply and "不是" not in reply
    reply = ma.say(no_password)
    assert nowhere in reply and "was sent" not in reply and "已发送" not in reply


@pytest.mark.parametrize(("lang", "lines", "says"), [
    ("zh", ["刚才有个电话说是社保局的，让我把手机收到的验证码报给他，是真的吗",
            "我已经告诉他了 咋办啊", "要报警吗"], ("都是骗子", "挂失社保卡", "110")),
    ("en", ["got a text saying my social security card is frozen and to click a link "
            "socialsec-cn.top to unfreeze. real??", "i already gave it to them what do i do",
            "should i call the police"], ("is a scammer", "Report a lost card", "110")),
])
def test_a_fraud_victim_is_told_it_is_a_scam_and_what_to_do_at_once(chat_in, lang, lines,
                                                                    says):
    """A scam text was offered 'Lift a loss report' (its 'unfreeze'), and once the code was
    given away the victim met a list of unrelated entries, then 'cannot answer'."""
    victim = chat_in(lang)
    scam, offer, police = says
    assert scam in victim.say(lines[0])
    for line in lines[1:]:  # the code given away: what to do at once, and the report offered
        reply = victim.say(line)
        assert offer in reply and police in reply, (line, reply)
        assert "Lift a loss report" not in reply and "接着您可能想了解" not in reply


def test_a_greeting_in_everyday_words_is_a_hello_not_a_service(chat):
    reply = chat().say("吃了没")
    assert reply.startswith("您好") and "您是想办理" not in reply


@pytest.mark.parametrize(("lang", "said", "sorry", "offered"), [
    ("zh", "你们这破系统 绑个卡绑了三天都没绑上 气死我了", "抱歉给您添麻烦了",
     "您是想办理“绑定社保卡”吗"),
    ("en", "this stupid bot, i tried to bind my card for an hour and it never works",
     "Sorry for the trouble", None),
])
def test_an_angry_line_naming_a_service_gets_an_apology_first(chat_in, lang, said, sorry,
                                                               offered):
    """Binding was started with no word of regret; the English one met 'OK, nothing
    started' (its 'never' read as a refusal)."""
    reply = chat_in(lang).say(said)
    assert reply.startswith(sorry) and "nothing started" not in reply
    assert "18位身份证号" not in reply
    if offered:
        assert offered in reply


@pytest.mark.parametrize(("lang", "start", "said"), [
    ("zh", "绑定社保卡", "稍等我去拿身份证"),
    ("en", "bind card", "hold on, let me get my card"),
])
def test_fetching_what_a_step_asks_is_no_wrong_answer(chat_in, lang, start, said):
    alice = chat_in(lang)
    alice.say(start)
    reply = alice.say(said)
    assert reply.startswith(("好的，不着急", "Sure, take your time"))
    assert "没有看出身份证号" not in reply
    assert ("姓名" if lang == "zh" else "holder's name") in alice.say("110105199001011232")


def test_thanks_with_how_one_addresses_the_bot_is_thanks_at_a_step(chat):
    alice = chat()
    alice.say("绑定社保卡")
    assert alice.say("谢谢你啊小助手").startswith("不客气")


def test_no_wait_rather_another_service_offers_the_switch(chat):
    alice = chat()
    alice.say("忘记密码")
    reply = alice.say("哦不对 还是先绑卡吧")
    assert "改为办理“绑定社保卡”吗" in reply
    assert alice.say("是").endswith("绑定社保卡：请输入持卡人的18位身份证号。")


def test_just_asking_not_now_at_a_step_asks_to_end(chat):
    alice = chat()
    alice.say("绑定社保卡")
    assert alice.say("不是 我是问问 先不办").startswith("要结束“绑定社保卡”的办理吗")


@pytest.mark.parametrize(("lang", "first", "again", "part", "not_again"), [
    ("zh", "验证码被别人骗走了怎么办", "要报警吗", "已经告诉了别人的话", "不要告诉任何人"),
    ("en", "someone asked for my sms code should i give it", "should i call the police",
     "If you already gave or told someone a code", "for you alone"),
])
def test_a_follow_up_the_answer_just_given_answers_is_said_its_sentence(chat_in, lang,
                                                                        first, again, part,
                                                                        not_again):
    """The whole scam answer came three times in a row, to three different follow-ups."""
    someone = chat_in(lang)
    assert not_again in someone.say(first)
    reply = someone.say(again)
    assert reply.startswith(part) and not_again not in reply


@pytest.mark.parametrize(("lang", "steps", "asked", "done"), [
    ("zh", ["绑定社保卡", "110105199001011232", "张伟", "A12345678"], "绑好了吗",
     "办好了：刚才的“绑定社保卡”已经完成"),
    ("en", ["bind card", "110105199001011232", "张伟", "A12345678"], "is it done?",
     'Yes - "Bind card" is done'),
])
def test_is_it_done_right_after_a_service_is_answered_yes(chat_in, lang, steps, asked, done):
    """'is it done?' right after binding got the how-to-bind answer again."""
    alice = chat_in(lang)
    for said in steps:
        alice.say(said)
    assert ("绑定成功" if lang == "zh" else "bound") in alice.say(alice.sms("13800138000"))
    assert alice.say(asked).startswith(done)


def test_is_it_done_about_someone_else_or_with_a_trouble_is_no_yes(chat):
    alice = chat()
    for said in ("绑定社保卡", "110105199001011232", "张伟", "A12345678"):
        alice.say(said)
    alice.say(alice.sms("13800138000"))
    assert "已经完成" not in alice.say("那我儿子的卡绑好了吗")


def test_a_step_answered_after_the_service_lapsed_is_offered_the_service_again(chat_en,
                                                                              clock):
    """'张伟' after sixteen minutes met 'please start again. Sorry, I did not understand that',
    naming no service, for an urgent loss report."""
    alice = chat_en()
    alice.say("report lost card")
    clock.advance(16 * 60)
    reply = alice.say("110105199001011232")
    assert reply.startswith('"Report a lost card" had no reply for 15 minutes')
    assert 'Start "Report a lost card" again? Reply "yes"' in reply
    assert "did not understand" not in reply
    assert "ID number" in alice.say("yes")


def test_a_stray_line_after_a_lapse_is_offered_nothing(chat, clock):
    """The restart offer fired on anything ('啊啊啊'), and a hum then started the service."""
    alice = chat()
    alice.say("绑定社保卡")
    clock.advance(16 * 60)
    reply = alice.say("啊啊啊")
    assert "已超过 15 分钟未操作" in reply and "要重新办理" not in reply


@pytest.mark.parametrize(("said", "whose"), [("帮我查下社保交了几年", "社保的缴费"),
                                            ("查一下我的养老金到账没", "养老金")])
def test_a_lookup_of_what_no_service_here_shows_says_where_to_ask(chat, said, whose):
    """'帮我查下社保交了几年' met '本微信还没有绑定社保卡。回复“绑定社保卡”即可办理', as if
    binding would show the years paid."""
    reply = chat().say(said)
    assert reply.startswith(whose) and "12333" in reply and "还没有绑定" not in reply


@pytest.mark.parametrize(("lang", "said", "refused"), [
    ("zh", "帮我查一下李娜的社保卡号 她是我邻居", "别人的卡号和信息不能代查"),
    ("en", "check my friends card", "cannot be looked up for them"),
])
def test_a_strangers_card_looked_up_is_refused_in_so_many_words(chat_in, lang, said, refused):
    """It was 'did you mean: 1. My card 2. Progress', whose 1 then showed their own card."""
    assert refused in chat_in(lang).say(said)


def test_ones_own_card_number_is_still_looked_up_when_a_friend_is_named(chat):
    """'朋友' named beside one's own card refused the follower their own card (review)."""
    reply = chat("oSeedBound0001").say("我朋友说这里能查社保卡号 帮我查一下我的卡号")
    assert "A****0005" in reply and "不能代查" not in reply


def at_the_code_step(alice, lang: str) -> None:
    for said in ("bind card" if lang == "en" else "绑定社保卡", "110105199001011232", "张伟"):
        alice.say(said)
    assert "138****8000" in alice.say("A12345678")


def test_asking_whether_the_code_reaches_a_changed_number_keeps_the_step(chat_en):
    """The question was read as 'not my phone' and ended the binding ('No code can be sent')."""
    alice = chat_en()
    at_the_code_step(alice, "en")
    reply = alice.say("i changed my phone number last year, will the code still come?")
    assert "No code can be sent" not in reply and "138****8000" in reply
    assert 'reply "not my phone"' in reply
    assert "bound" in alice.say(alice.sms("13800138000"))


@pytest.mark.parametrize(("lang", "said", "says", "not_says"), [
    ("en", "wait what code? the one from the bank?", "About this step", "scammer"),
    ("zh", "这个验证码要告诉客服吗", "都是骗子", "当前步骤说明"),
])
def test_a_question_about_the_code_at_the_code_step(chat_in, lang, said, says, not_says):
    """Which code was met with the scam warning; whether to tell the staff with the step's
    help: the scam answer is for sharing and safety (in_step_if), the step's help for the
    rest."""
    alice = chat_in(lang)
    at_the_code_step(alice, lang)
    reply = alice.say(said)
    assert says in reply and not_says not in reply


def test_no_card_number_at_the_card_step_says_where_it_is_and_how_to_get_a_card(chat):
    alice = chat()
    for said in ("绑定社保卡", "110105199001011232", "张伟"):
        alice.say(said)
    reply = alice.say("没有卡号")
    assert reply.startswith("没关系") and "没有看出卡号" not in reply


@pytest.mark.parametrize(("lang", "said", "again"), [
    ("zh", "刚才客服咋不说话了", "回复“人工”再次转接"),
    ("zh", "人呢？怎么还没人理我", "回复“人工”再次转接"),
    ("en", "why did the agent not answer me", 'Reply "agent" to be put through again'),
])
def test_asking_why_the_agent_went_quiet_says_how_to_reach_one_again(chat_in, lang, said,
                                                                     again):
    reply = chat_in(lang).say(said)
    assert again in reply and "不办理" not in reply and "您是想办理" not in reply


def test_what_customer_service_said_is_no_agent_gone_quiet(chat_en):
    reply = chat_en().say("customer service told me not to bind my card yet")
    assert "put through again" not in reply


def test_an_angry_request_in_so_many_words_starts_after_the_apology(chat):
    """'气死我了 卡丢了 快帮我挂失' had only been offered (review): an urgent request starts."""
    reply = chat().say("气死我了 卡丢了 快帮我挂失")
    assert reply.startswith("抱歉给您添麻烦了") and "请输入持卡人的18位身份证号" in reply


def test_a_second_refused_new_password_is_not_told_to_come_back_when_it_is_found(chat):
    """'一时找不到的话…' (if you cannot find it now) followed a birthday refused as a new
    password: a new password is made up, so its own way out is said."""
    alice = chat()
    for said in ("忘记密码", ZHANG.id, "张伟"):
        alice.say(said)
    assert "设置新的6位数字服务密码" in alice.say(alice.sms(ZHANG.phone))
    alice.say("900101")
    reply = alice.say("900101")
    assert "一时找不到" not in reply and "一时想不好新密码的话" in reply


@pytest.mark.parametrize(("lang", "start", "fine", "forgot", "sent"), [
    ("zh", "挂失", "手机没丢 发验证码吧", "密码忘了", "验证码已发送"),
    ("zh", "挂失", "钱包丢了 手机号码没变", "密码忘了", "验证码已发送"),
    ("en", "report lost card", "my phone wasn't stolen, only my card",
     "i forgot the password", "A code was sent"),
])
def test_a_phone_said_to_be_fine_at_the_proof_step_still_gets_a_code(chat, chat_en, lang,
                                                                     start, fine, forgot,
                                                                     sent):
    """The phone-gone reading ignored its negation, and the code was then refused (review)."""
    ma = (chat_en if lang == "en" else chat)("oSeedBound0001")
    ma.say(start)
    ma.say("yes" if lang == "en" else "是")
    ma.say(fine)
    assert sent in ma.say(forgot)


def test_a_person_asked_for_after_refusing_the_robot_is_handed_over(chat):
    """'我不想跟机器说话 给我找个真人' met '好的，不办理' (its refused clause named a person)."""
    assert chat().say("我不想跟机器说话 给我找个真人") == ""  # a transfer (no text)


def test_one_with_no_card_yet_asking_to_bind_is_told_how_to_get_one(chat):
    """'我还没有社保卡，能在这绑吗' started the binding, which then asked for a card number."""
    reply = chat().say("我还没有社保卡，能在这绑吗")
    assert reply.startswith("社保卡主要发给") and "请输入持卡人的18位身份证号" not in reply


def test_yes_to_a_did_you_mean_list_asks_for_its_number(chat_en):
    """'yes' threw the list away ('OK. Reply menu…'), and its '1' later had expired."""
    alice = chat_en()
    assert "1. Report a lost card" in alice.say(
        "omg i think i lost my card at the supermarket, what do i do")
    assert alice.say("yes").startswith("Please reply with a number from the list (1–2)")
    assert "ID number" in alice.say("1")


@pytest.mark.parametrize(("lang", "said", "scam"), [
    ("zh", "有个人说是工作人员 让我把这个验证码发给他帮我加快 可以吗", "都是骗子"),
    ("zh", "刚才有个人打电话说是社保局的 要我的验证码 可以给吗", "都是骗子"),
    ("en", "a guy from your office is on the phone right now, he says he needs the code... "
           "should i read it to him?", "is a scammer"),
])
def test_someone_asking_for_the_code_at_the_code_step_is_told_it_is_a_scam(chat_in, lang,
                                                                          said, scam):
    """It got only the step's help, which never said no (fourth round of blind testers)."""
    alice = chat_in(lang)
    at_the_code_step(alice, lang)
    reply = alice.say(said)
    assert scam in reply and "138****8000" in reply  # answered, then the step again


def test_a_scam_text_with_its_web_address_is_answered_as_a_scam(chat):
    reply = chat().say("收到短信说我社保卡异常要点链接认证 http://sb-12333.cc 是官方的吗")
    assert "都是骗子" in reply and "没有听懂" not in reply


@pytest.mark.parametrize(("lang", "said", "family"), [
    ("zh", "看看他的卡", "亲情服务（为您监护的未成年家人办理）"),
    ("en", "whats his card status", "Family services"),
])
def test_asking_for_a_family_members_card_opens_family_services(chat, chat_en, lang, said,
                                                               family):
    """'看看他的卡' right after adding a child showed the parent's own card (both rounds)."""
    ma = (chat_en if lang == "en" else chat)("oSeedBound0001")
    reply = ma.say(said)
    assert reply.startswith(family) and "A****0005" not in reply
    assert "A****0005" in ma.say("取消" if lang == "zh" else "cancel") + ma.say(
        "看看我的卡" if lang == "zh" else "show me my card")


@pytest.mark.parametrize("said", ["怎么办 我被锁了吗", "能不能帮我解锁"])
def test_asking_about_the_lock_just_met_is_told_about_it(chat, said):
    """'怎么办 我被锁了吗' right after a code lockout started a password reset, and 'can someone
    unlock it now?' a loss report's lifting (both rounds of blind testers)."""
    alice = chat()
    locked_out_of_binding(alice)
    reply = alice.say(said)
    assert reply.startswith("是的，刚才的验证错误次数太多") and "请输入" not in reply


def test_can_someone_unlock_it_right_after_a_lock_is_no_lifting(chat_en):
    alice = chat_en()
    for said in ("bind card", ZHANG.id, ZHANG.name, ZHANG.card):
        alice.say(said)
    wrong_codes(alice, ZHANG.phone)
    reply = alice.say("can someone unlock it now? i really need it today")
    assert reply.startswith("Yes - too many wrong tries") and "Lift a loss report" not in reply


@pytest.mark.parametrize("said", ["nvm i'll do it myself. bind card", "cancel. bind card"])
def test_calling_off_then_asking_for_a_service_starts_that_service(chat_en, said):
    """'cancel' and 'bind card' were read together as 'cancel my card binding': 'No card is
    bound to this WeChat account, so there is nothing to unbind.'"""
    reply = chat_en().say(said)
    assert reply.startswith("Bind a social-security card") and "unbind" not in reply


@pytest.mark.parametrize(("lang", "said", "told"), [
    ("zh", "我手机被偷了 社保卡绑在微信上 怎么办", "冻结微信账号"),
    ("en", "my phone was stolen, my card is bound here. what do i do", "freezing it"),
])
def test_a_stolen_phone_with_the_card_bound_is_told_what_to_do_about_the_phone(
        chat_in, lang, said, told):
    """Its clause 社保卡绑在微信上 was read as a request to bind ('您是想办理“绑定社保卡”吗'),
    and the English line got the general 'this account can't answer that'."""
    reply = chat_in(lang).say(said)
    assert told in reply and "绑定社保卡”吗" not in reply and "can't answer" not in reply


@pytest.mark.parametrize(("lang", "scam", "then", "sentence", "whole"), [
    ("zh", "有人打电话说是社保局的要验证码", "我没给他 他还知道我身份证号",
     "对方说得出您的身份证号", "不管自称谁都是骗子"),
    ("en", "someone called saying he's from social security and wants my code",
     "i didnt give it but he knew my ID number", "A caller who knew your ID number",
     "is a scammer"),
])
def test_a_frightened_follow_up_to_the_scam_answer_gets_its_sentence(
        chat_in, lang, scam, then, sentence, whole):
    """The whole scam answer was said again, which read as the bot not listening."""
    alice = chat_in(lang)
    assert whole in alice.say(scam)
    reply = alice.say(then)
    assert reply.startswith(sentence) and whole not in reply


def mother_with_her_son_added(chat):
    """李娜 binds her own card here and adds 王小明 in 亲情服务."""
    mum = chat("oLiNa0001")
    for said in ("绑定社保卡", LI_NA.id, LI_NA.name, LI_NA.card):
        mum.say(said)
    assert mum.say(mum.sms(LI_NA.phone)).startswith("绑定成功")
    for said in ("亲情服务", "添加家人", WANG_XM.id, WANG_XM.name):
        mum.say(said)
    assert mum.say(mum.sms(LI_NA.phone)).startswith("已添加家人")
    return mum


def test_his_password_right_after_adding_him_is_the_members_reset(chat):
    """'帮他改个密码' right after adding a child started the holder's own reset (a blind
    tester, round four); at 亲情服务's menu it offered to end it for the holder's own."""
    mum = mother_with_her_son_added(chat)
    reply = mum.say("帮他改个密码")
    assert reply.startswith("请回复要办理的家人序号") and "C****0001" in reply
    mum.say("取消")
    mum.say("亲情服务")
    reply = mum.say("帮他改个密码")
    assert reply.startswith("请回复要办理的家人序号") and "改为办理“忘记密码”" not in reply
    mum.say("取消")
    assert "请输入持卡人的18位身份证号" in mum.say("我自己的密码忘了")  # her own: her reset


@pytest.mark.parametrize(("lang", "said", "told"), [
    ("zh", "我爸64岁了 他的社保卡能绑在我微信上吗", "替家人（比如老人）绑定也可以"),
    ("zh", "帮我妈绑卡 她70多了 验证码发到谁手机上", "替家人（比如老人）绑定也可以"),
    ("en", "my dad is 64, can i bind his card to my wechat?", "You may bind a family member's"),
])
def test_an_elderly_parents_card_is_binding_for_family_not_a_minors(chat_in, lang, said, told):
    """A father of 64 was answered with a minor's binding (a guardian's consent); the code's
    question got the scam answer. A minor's own stays the minor's (below)."""
    reply = chat_in(lang).say(said)
    assert told in reply and "监护人" not in reply and "guardian" not in reply
    assert "骗子" not in reply


@pytest.mark.parametrize(("lang", "text", "entry_id"), [
    ("zh_CN", "我儿子12岁 绑卡的时候验证码发谁手机上", "bind_minor"),
    ("zh_CN", "帮我妈绑卡 她70多了 验证码发到谁手机上", "bind_how"),
    ("zh_CN", "有人打电话要我的验证码 能给吗", "personal_info"),
    ("en", "my son is 12, whose phone gets the code when binding his card?", "bind_minor"),
    ("en", "my dad is 64, can i bind his card to my wechat?", "bind_how"),
])
def test_an_entrys_not_if_rules_it_out_and_nothing_else(lang, text, entry_id):
    """`not_if` (data): an adult's age is no minor's, where a code goes no scam."""
    answer = Retriever.shared(lang).answer(text)
    assert [e.id for e in answer.entries] == [entry_id], answer.reason


@pytest.mark.parametrize(("lang", "start", "gone", "told", "no_password", "nowhere"), [
    ("zh", "挂失社保卡", "我手机也丢了 收不到短信", "输入6位服务密码就行", "密码也不记得了",
     "服务密码想不起来、手机也收不到短信的话"),
    ("en", "report lost card", "my phone is gone too, i cant get sms",
     "type the card's 6-digit service password", "i dont remember the password either",
     "Without the service password and with no phone"),
])
def test_a_phone_gone_said_before_the_proof_step_is_kept_for_it(
        chat_in, lang, start, gone, told, no_password, nowhere):
    """At the loss report's ID step '我手机也丢了 收不到短信' was 'no ID number found', and '密码
    也不记得了' offered to end the report for 忘记密码: told how the proof will go, and the
    proof step then knows the phone is gone."""
    alice = chat_in(lang)
    alice.say(start)
    reply = alice.say(gone)
    assert reply.startswith(("手机收不到短信也能办", "No phone is no problem")) and told in reply
    assert "ID" in reply.splitlines()[-1] or "身份证号" in reply.splitlines()[-1]
    alice.say(ZHANG.id)
    alice.say(ZHANG.name)
    reply = alice.say(no_password)  # at the proof step: no code sent to the stolen phone
    assert reply.startswith(nowhere) and "139" not in reply and "138" not in reply


def test_a_password_forgotten_before_the_proof_step_is_no_switch_to_a_reset(chat):
    alice = chat()
    alice.say("挂失社保卡")
    reply = alice.say("密码也不记得了")
    assert reply.startswith("服务密码想不起来也能办") and "切换" not in reply
    assert alice.say(ZHANG.id).startswith("请输入持卡人的姓名")


@pytest.mark.parametrize(("lang", "said", "bound", "unbound"), [
    ("zh", "预留的手机号是哪个", "验证码发往登记的手机号：139****0010", "绑定社保卡以后"),
    ("en", "what phone number do you have for me",
     "Codes go to the registered phone number: 139****0010", "Once your card is bound here"),
])
def test_which_phone_number_is_registered_is_shown_masked_to_the_cards_follower(
        chat, chat_en, lang, said, bound, unbound):
    """'what phone number do you have for me' offered a loss report, then met 'did not
    understand'; 我的社保卡 now says where codes go, masked."""
    make = chat_en if lang == "en" else chat
    reply = make("oSeedBound0001").say(said)
    assert bound in reply and "13900000010" not in reply
    assert unbound in make().say(said)


@pytest.mark.parametrize(("lang", "scam", "told", "sentence"), [
    ("en", "someone called me saying they are from the social security bureau and my card will "
           "be frozen unless i give them the code they just texted me. is this real??",
     "i already gave them the code 😰", "If you already gave or told someone a code"),
    ("zh", "有人打电话说是社保局的要验证码", "我已经告诉他了", "已经告诉了别人的话"),
])
def test_having_given_the_code_away_right_after_the_scam_answer_is_told_what_to_do(
        chat_in, lang, scam, told, sentence):
    """'i already gave them the code 😰' met 'did not understand' (a statement with 'already',
    which asks nothing), and '我已经告诉他了' 'do you mean My card?'."""
    victim = chat_in(lang)
    victim.say(scam)
    reply = victim.say(told)
    assert reply.startswith(sentence) and ("挂失社保卡" in reply or "Report a lost card" in reply)


@pytest.mark.parametrize(("lang", "start", "doubt"), [
    ("en", "bind card", "my son is reading it out to me, 1 2 3 4 5 6? no wait"),
    ("zh", "绑定社保卡", "是123456吗 等等"),
])
def test_a_code_typed_with_a_doubt_costs_no_try(chat_in, lang, start, doubt):
    """Read as the code, it was wrong and the last try went: a 30-minute lock."""
    alice = chat_in(lang)
    for said in (start, ZHANG.id, ZHANG.name, ZHANG.card):
        alice.say(said)
    reply = alice.say(doubt)
    assert reply.startswith(("Not sure yet?", "还没确定的话先别发")), reply
    assert alice.say(alice.sms(ZHANG.phone)).startswith(("Bound!", "绑定成功", "Done"))


def test_back_with_the_card_or_the_phone_is_no_loss_lifted(chat_en, clock):
    """'ok found it. 赵敏' after binding lapsed started 'Lift a loss report', and 'what? no. i
    want to BIND my card' there was answered and left in it; 'ok she found it' (the phone)
    at the code step offered the lifting too; 'brb need to find the card' was no name."""
    alice = chat_en()
    for said in ("bind card", ZHAO_MIN.id):
        alice.say(said)
    assert alice.say("brb need to find the card").startswith("Sure, take your time")
    assert alice.say("ok found it. 赵敏").startswith("Please enter the card number")
    clock.advance(7200)
    reply = alice.say("ok found it. B10000002")
    assert "Lift a loss report" not in reply and 'Start "Bind card" again?' in reply
    bob = chat_en("oBobFound01")
    for said in ("bind card", ZHANG.id, ZHANG.name, ZHANG.card):
        bob.say(said)
    assert bob.say("ok she found it").startswith("Great. Please enter the 6-digit code")
    carol = chat_en("oCarolFound1")
    carol.say("report lost card")
    reply = carol.say("what? no. i want to BIND my card")
    assert 'Stop it and start "Bind card" instead?' in reply


@pytest.mark.parametrize(("lang", "said", "told"), [
    ("en", "hi, pharmacy said my card is frozen?? i can't pay for medicine. can you unfreeze it",
     "Why a card was frozen (not reported lost)"),
    ("zh", "社保卡被冻结了 帮我解冻一下", "社保卡被冻结（不是挂失）"),
])
def test_a_frozen_card_to_thaw_is_told_what_a_freeze_is_not_lifted(chat_in, lang, said, told):
    """It started 'Lift a loss report', and the Chinese line '本微信还没有绑定社保卡'."""
    reply = chat_in(lang).say(said)
    assert reply.startswith(told) and "Lift a loss report -" not in reply


@pytest.mark.parametrize(("said", "entry_id"), [
    ("I have mislaid my card. Should I cancel it?", "report_loss"),  # cancel a card: stop it
    ("i found my card, how do i cancel the loss report?", "lift_loss"),  # cancel a report
])
def test_cancelling_a_card_is_reporting_it_and_cancelling_a_report_is_lifting_it(said, entry_id):
    """'I have mislaid my card. Should I cancel it?' got the lifting (cancel folded to lift)."""
    answer = Retriever.shared("en").answer(said)
    assert [e.id for e in answer.entries] == [entry_id], answer.reason


@pytest.mark.parametrize(("at_name", "said"), [
    (False, "等下 我卡没丢 是密码忘了 药店刷不了"),  # at the name step
    (True, "我不是要挂失啊！！我要改密码"),  # at the proof step
])
def test_not_lost_but_the_password_forgotten_in_a_loss_report_offers_the_reset(chat, at_name,
                                                                              said):
    """Both were read as what the proof step would take (a blind tester, round five): the
    first 'a code will do', the second sent a code and led to '确认挂失…'."""
    alice = chat()
    for step in ("挂失", ZHANG.id, *([ZHANG.name] if at_name else [])):
        alice.say(step)
    reply = alice.say(said)
    assert reply.startswith("您正在办理“挂失社保卡”。要结束它，改为办理“忘记密码”吗")
    assert "验证码已发送" not in reply


# A reviewer's finds in this round's own rules (2026-12-08): each rule's near misses.
@pytest.mark.parametrize(("lang", "text", "entry_or_topic"), [
    ("zh_CN", "有人冒充客服让我把验证码发到他手机上", "personal_info"),  # a scam naming a phone
    ("en", "the code goes to my phone and a guy on the phone is asking for it", "personal_info"),
    ("zh_CN", "我35岁 儿子10岁 怎么帮他绑社保卡", "bind_minor"),  # the speaker's adult age
    ("en", "my son is 12 and i am 40, how do i bind his card?", "bind_minor"),
    ("zh_CN", "补办的社保卡一直收不到", ""),  # no code: not card_phone's
    ("zh_CN", "工资一直没收到", ""),
])
def test_the_rounds_rules_leave_their_near_misses_alone(lang, text, entry_or_topic):
    answer = Retriever.shared(lang).answer(text)
    got = answer.entries[0].id if answer.kind == "one" else answer.elsewhere
    assert got == entry_or_topic, answer.reason


@pytest.mark.parametrize(("said", "intent"), [
    ("取消 人工", "cancel"), ("取消 绑定", "unbind"), ("取消 挂失社保卡", "lift_loss"),
])
def test_a_cancel_word_spaced_from_its_object_is_one_request(said, intent):
    """changed_mind once parted these at the space: '取消 人工' started a hand-over."""
    from flows.language import Understander
    assert Understander.shared().understand(said).intent == intent


@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "打什么电话挂失"), ("zh", "人工客服号码是多少"),
    ("en", "which number do i have to call to report my card lost"),
])
def test_a_number_to_call_is_not_the_phone_on_record(chat, chat_en, lang, said):
    reply = (chat_en if lang == "en" else chat)("oSeedBound0001").say(said)
    assert "139****0010" not in reply and "registered phone" not in reply


def test_ones_own_or_an_adults_password_in_family_services_is_no_childs(chat):
    mum = mother_with_her_son_added(chat)
    mum.say("亲情服务")
    assert "改为办理“忘记密码”" in mum.say("我自己的密码忘了")
    mum.say("否")
    mum.say("取消")
    mum.say("亲情服务")
    mum.say("取消")
    assert mum.say("帮我妈改个密码").startswith("重置社保卡服务密码：请输入持卡人的18位身份证号")


def test_a_yes_beside_the_phone_at_the_loss_offer_goes_on(chat):
    ma = chat("oSeedBound0001")
    ma.say("挂失社保卡")
    assert ma.say("是的 手机也一起丢了").startswith("请验证身份")


@pytest.mark.parametrize(("lang", "start", "password", "found", "offered"), [
    ("zh", "挂失社保卡", "357159", "啊 找到了 在我外套口袋里 虚惊一场 能撤回吗", "找到了就好"),
    ("en", "report lost card", "357159", "omg nvm found it in my jacket pocket lol",
     "Glad it turned up"),
])
def test_the_card_found_right_after_the_report_is_offered_the_lifting(
        chat, chat_en, lang, start, password, found, offered):
    """Both got 'sorry, I can't answer that' (two blind testers, round five)."""
    ma = (chat_en if lang == "en" else chat)("oSeedBound0001")
    for said in (start, "yes" if lang == "en" else "是", password, "yes" if lang == "en" else "是"):
        ma.say(said)
    reply = ma.say(found)
    assert reply.startswith(offered)
    assert ma.say("yes" if lang == "en" else "是").startswith(("Lift a loss report", "解除挂失"))


def test_whether_a_lock_is_over_is_told_from_the_notes_not_a_reset_offered(chat, clock):
    """'锁了一个小时了 现在可以了吧' was '您是想办理“忘记密码”吗', '昨天被锁了 现在能绑了吗' the
    two passwords' answer, and '转人工帮我解锁' the lock again, no person."""
    alice = chat()
    locked_out_of_binding(alice)
    clock.advance(1200)
    assert alice.say("锁了一个小时了 现在可以了吧").startswith("还在锁定中：“绑定社保卡”的验证要到")
    clock.advance(86400)
    assert alice.say("昨天被锁了 现在能绑了吗").startswith("锁定已经解除了")
    bob = chat("oBobLocked01")
    locked_out_of_binding(bob)
    assert bob.say("转人工帮我解锁") == ""  # handed to a person (the transfer reply)


@pytest.mark.parametrize(("lang", "start", "asked", "menu", "step"), [
    ("en", "bind card", "wait what else can you do besides binding", "2. Forgot password",
     "18-digit ID number"),
    ("zh", "绑定社保卡", "你还能办什么", "2. 忘记密码", "18位身份证号"),
])
def test_what_else_the_bot_does_asked_mid_step_is_the_menu_and_the_step_kept(
        chat_in, lang, start, asked, menu, step):
    """It was the step's help ('About this step: …')."""
    alice = chat_in(lang)
    alice.say(start)
    reply = alice.say(asked)
    assert menu in reply and reply.rstrip().endswith(("ID number.", "身份证号。")) and step in reply
    named = alice.say(ZHANG.id)
    assert named.startswith(("Please enter the card holder's name", "请输入持卡人的姓名"))


def test_the_same_whole_answer_is_not_said_twice_in_a_row(chat_en):
    """'how long?' and 'she doesnt have wechat' after binding's how-to each got the whole
    how-to again (a blind tester counted it three times)."""
    alice = chat_en()
    first = alice.say("how does binding work")
    assert first.startswith("You can bind it right here")
    again = alice.say("how long?")
    assert again.startswith("That is the answer just above") and "You can bind it" not in again
    assert again.rstrip().endswith('Reply "yes" to begin.')  # the offer kept


def test_a_request_run_together_with_its_details_by_voice_starts_with_them(chat):
    """'你好我想把我的社保卡绑定到微信上面我叫郑洁身份证号是五一零…' was told to pick a service
    first (its details' words diluted the request); the card number typed next met the
    same menu again (a blind tester, round five)."""
    alice = chat()
    reply = alice.say("你好我想把我的社保卡绑定到微信上面我叫张伟身份证号是"
                      "幺幺零幺零五幺九九零零幺零幺幺二三二")
    assert "收到，身份证号：1101**********1232" in reply
    assert reply.rstrip().endswith("请输入社保卡卡号（印在卡片正面）。")  # the name taken too


@pytest.mark.parametrize(("lang", "scam", "fear", "calm"), [
    ("zh", "有人打电话说是社保局的要验证码", "他还知道我身份证号 说不配合就抓我 我好怕", "别怕。"),
    ("en", "someone called saying he's from social security and wants my code",
     "he said they will arrest me if i dont, im scared", "Don't be afraid."),
])
def test_fear_right_after_the_scam_answer_is_met_with_calm_words(chat_in, lang, scam, fear,
                                                                 calm):
    """'他还知道我身份证号 说不配合就抓我 我好怕' met 'did not understand' and the menu."""
    victim = chat_in(lang)
    victim.say(scam)
    reply = victim.say(fear)
    assert reply.startswith(calm) and "110" in reply


@pytest.mark.parametrize(("lang", "said", "told"), [
    ("en", "WHAT? i didnt report anything. who did this", "If you did not make it"),
    ("zh", "我的卡就在我手上啊 怎么显示挂失了", "如果不是您本人挂的"),
])
def test_a_report_the_holder_did_not_make_is_explained_and_its_lifting_offered(
        chat, chat_en, lang, said, told):
    """The card bound here showed lost, reported from another WeChat with its password; the
    holder's alarm got 'Did you mean: 1. Report a lost card 2. Lift a loss report' twice."""
    reporter = (chat_en if lang == "en" else chat)("oSomeoneElse1")
    for step in ("report lost card" if lang == "en" else "挂失社保卡", MA_CHAO.id, MA_CHAO.name,
                 MA_CHAO.password, "yes" if lang == "en" else "是"):
        reporter.say(step)
    ma = (chat_en if lang == "en" else chat)("oSeedBound0001")
    reply = ma.say(said)
    assert told in reply and "Did you mean" not in reply and "您是不是想" not in reply
    assert ma.say("yes" if lang == "en" else "是").startswith(("Lift a loss report", "解除挂失"))


@pytest.mark.parametrize(("lang", "said", "told"), [
    ("zh", "你好 我爱人上个月走了 他的社保卡要怎么处理", "请节哀。"),
    ("en", "hello. my husband passed away last month. his social security card is bound to my "
           "wechat. what should i do with it now? can i close it?", "I am sorry for your loss."),
])
def test_a_holder_who_died_is_met_with_condolences_and_what_the_family_does(chat_in, lang,
                                                                           said, told):
    """A widow was told '社保卡丢了请尽快挂失…' and, in English, how to move a binding."""
    reply = chat_in(lang).say(said)
    assert reply.startswith(told) and "12333" in reply
    assert "挂失" not in reply and "report" not in reply


def test_the_card_gone_is_no_death(chat):
    assert "节哀" not in chat().say("卡不在了")


def test_a_childs_lost_card_is_not_offered_as_the_card_bound_here(chat):
    """'儿子的卡丢了 在这能帮他挂失吗' was offered the parent's own card (both ended 0001: only
    the masked holder's name told them apart), and '其他卡' at the confirmation was no answer."""
    ma = chat("oSeedBound0001")
    reply = ma.say("儿子的卡丢了 在这能帮他挂失吗")
    assert "A****0005" not in reply and reply.rstrip().endswith("请输入持卡人的18位身份证号。")


def test_an_english_request_beside_an_id_and_a_chinese_name_takes_both(chat_en):
    """'bind my card pls 440305199902140645 何静' was 'Did you mean "Bind card"?', and 'yes'
    then asked for the ID again."""
    reply = chat_en().say("bind my card pls 440305199902140645 何静")
    assert "Got it - name: 何*" in reply and reply.rstrip().endswith("front of the card).")


def test_im_back_is_a_person_returning_not_a_card_found(chat_en):
    """'hi im back, it said to wait. can i report my card now' (locked out of a report the
    day before) got the lifting's answer and its offer: 'back' read as the card back."""
    reply = chat_en().say("hi im back, it said to wait. can i report my card now")
    assert "Lift a loss report" not in reply and "Report a lost card" in reply


# A second review of this round's later rules (2026-12-08): their near misses.
@pytest.mark.parametrize(("lang", "said", "not_said"), [
    ("zh", "钱包被偷走了 里面有社保卡 怎么办", "节哀"),  # theft, not a death
    ("zh", "刚走了两步发现社保卡不见了", "节哀"),
    ("en", "my phone died, can i still bind my card", "sorry for your loss"),
    ("zh", "卡被锁了 现在怎么办", "锁定已经解除了"),  # nothing noted: no lock said lifted
    ("en", "my card is locked now, what do i do", "The lock has lifted"),
])
def test_the_late_rules_leave_their_near_misses_alone(chat_in, lang, said, not_said):
    assert not_said not in chat_in(lang).say(said)


@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "我只有护照怎么办"), ("zh", "我是外国人，只有护照"),
    ("en", "i'm a foreigner with a passport, what can i do"),
])
def test_only_a_passport_is_told_what_can_be_checked(chat_in, lang, said):
    reply = chat_in(lang).say(said)
    assert "18" in reply and ("护照" in reply or "passport" in reply)


def test_a_question_about_finding_the_card_later_is_no_card_found(chat):
    ma = chat("oSeedBound0001")
    for said in ("挂失社保卡", "是", MA_CHAO.password, "是"):
        ma.say(said)
    assert "找到了就好" not in ma.say("还没找到 要是找到了怎么办")
    assert "如果不是您本人挂的" not in ma.say("卡在我身上的话还用挂失吗")


def test_a_code_given_away_beside_fear_gets_what_to_do_at_once(chat):
    victim = chat()
    victim.say("有人打电话说是社保局的要验证码")
    reply = victim.say("我已经把验证码告诉他了 他说不配合就抓我 我好怕")
    assert reply.startswith("已经告诉了别人的话") and "挂失社保卡" in reply


def test_fear_alone_is_not_offered_a_loss_report(chat):
    victim = chat()
    victim.say("有人打电话说是社保局的要验证码")
    reply = victim.say("说不配合就抓我 我好怕")
    assert reply.startswith("别怕。") and "需要现在办理" not in reply


@pytest.mark.parametrize("said", ["我妈给我办的社保卡丢了 帮我挂失",
                                  "my son lost my card, report it lost"])
def test_ones_own_card_lost_by_a_relative_is_offered_as_the_card_bound_here(chat, chat_en, said):
    reply = (chat_en if said.isascii() else chat)("oSeedBound0001").say(said)
    assert "0005" in reply


def test_a_step_trouble_beside_what_can_you_do_is_the_steps_help(chat):
    alice = chat()
    alice.say("绑定社保卡")
    assert "1. 绑定社保卡" not in alice.say("你们可以做什么 我没有身份证")


@pytest.mark.parametrize(("lang", "said"), [("en", "ok lets try"), ("en", "ok i'll try"),
                                            ("zh", "好 试试吧"), ("zh", "那就办吧")])
def test_lets_try_at_an_offer_is_a_yes(chat_in, lang, said):
    """'ok lets try' after the binding age's answer was asked 'please reply yes' (round six)."""
    alice = chat_in(lang)
    alice.say("hey im 16 can i link my card myself or do i need my parents" if lang == "en"
              else "16岁能自己绑社保卡吗")
    assert alice.say(said).startswith(("Bind a social-security card", "绑定社保卡：", "好的，下面"))


def test_thanks_to_a_guessed_service_is_no_yes(chat):
    """'谢谢' to '您是想办理“解绑社保卡”吗' started the unbinding (a blind tester, round six)."""
    alice = chat()
    assert "解绑社保卡" in alice.say("他的卡还绑在我微信上 要解绑吗")
    reply = alice.say("谢谢")
    assert "无需解绑" not in reply and "解绑" not in reply


def test_having_filled_in_a_scam_link_is_told_what_to_do_at_once(chat):
    victim = chat()
    victim.say("收到短信说社保卡要冻结 让点链接")
    assert victim.say("我点进去填了身份证和银行卡密码了").startswith("已经告诉了别人的话")


def test_a_complaint_at_an_offer_is_no_unclear_yes_or_no(chat_en):
    """'i want to file a complaint about your staff at the pudong office' after an answer's
    offer was asked 'Please reply "yes" to start "My card"' (a blind tester, round six)."""
    alice = chat_en()
    assert 'Reply "yes"' in alice.say("how does binding work")
    reply = alice.say("i want to file a complaint about your staff at the pudong office")
    assert reply.startswith("Sorry for the trouble") and 'Please reply "yes"' not in reply


@pytest.mark.parametrize(("lang", "start", "yes", "said", "told"), [
    ("en", "report lost card", "yes", "what service password? i never set one",
     "No problem - we will check it by text message instead."),
    ("zh", "挂失社保卡", "是", "我没设过密码啊", "没关系，改用短信验证。"),
])
def test_a_password_never_set_at_the_proof_step_is_proved_by_a_code(chat, chat_en, lang, start,
                                                                     yes, said, told):
    """It offered to end the urgent report for 'Forgot password' (a blind tester, round six)."""
    ma = (chat_en if lang == "en" else chat)("oSeedBound0001")
    ma.say(start)
    ma.say(yes)
    assert ma.say(said).startswith(told)


@pytest.mark.parametrize(("lang", "start", "said", "told"), [
    ("en", "bind card", "wait he says he didnt get anything", "A code went out moments ago"),
    ("zh", "绑定社保卡", "还是没收到", "验证码刚发出不久"),
])
def test_no_code_come_said_in_words_at_the_code_step_is_its_resend(chat_in, lang, start, said,
                                                                   told):
    """It was 'I couldn't find a code there' (a blind tester, round six)."""
    alice = chat_in(lang)
    for step in (start, ZHANG.id, ZHANG.name, ZHANG.card):
        alice.say(step)
    assert alice.say(said).startswith(told)



@pytest.mark.parametrize("said", ["how long do i have to wait",
                                  "wtf seriously?? i just mistyped it, let me try again now"])
def test_waiting_or_trying_again_right_after_a_lock_is_told_about_the_lock(chat_en, said):
    """'how long do i have to wait' got a review's days and 'Start Progress now?'; 'let me try
    again now' 'Sorry, I can't answer that' (a blind tester, round six)."""
    alice = chat_en()
    for step in ("bind card", ZHANG.id, ZHANG.name, ZHANG.card):
        alice.say(step)
    wrong_codes(alice, ZHANG.phone)
    assert alice.say(said).startswith("Yes - too many wrong tries")


@pytest.mark.parametrize(("lang", "said", "told"), [
    ("zh", "卡没丢 就是手机丢了", "手机丢了或换了号码的话"),
    ("en", "my card isnt lost, my phone was stolen", "If your phone is lost"),
])
def test_the_card_not_lost_but_the_phone_is_gets_the_phones_line(chat_in, lang, said, told):
    """'卡没丢 就是手机丢了' got '这个问题本服务号答不了' (a blind tester, round six)."""
    assert chat_in(lang).say(said).startswith(told)
