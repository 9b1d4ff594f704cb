"""The language stage read like the conversations it serves: what people type -> what it means."""

from __future__ import annotations

import pytest

from flows.language import Understander, Understanding


@pytest.fixture(scope="module")
def understand():
    return Understander.shared().understand


@pytest.mark.parametrize(("said", "intent", "reason"), [
    ("帮我把社保卡绑到微信上", "bind_card", "sentence"),
    ("怎么解除社保卡和微信的绑定", "unbind", "sentence"),  # 解除…绑定 is no binding
    ("how do i cancel the binding of my card", "unbind", "sentence"),
    ("绑定社保卡？", "bind_card", "exact"),
    ("社保卡的密码我忘了", "forgot_password", "sentence"),
    ("帮定社保卡", "bind_card", "pinyin"),
    ("蜜码忘了", "forgot_password", "pinyin"),
    ("查一下审核进度", "progress", "sentence"),
    ("我不想办了。", "cancel", "sentence"),
    ("算了吧", "cancel", "sentence"),
    ("I'd like to link my card", "bind_card", "sentence"),
    ("I’d like to link my card", "bind_card", "sentence"),
    ("forgot my pin", "forgot_password", "sentence"),
    ("pasword forgotten", "forgot_password", "fuzzy"),
    ("转人工", "human", "sentence"),
    ("talk to a person", "human", "sentence"),
    ("社保卡丢了", "report_loss", "exact"),
    ("report lost card", "report_loss", "exact"),
    ("卡找到了", "lift_loss", "exact"),
    ("解除挂失", "lift_loss", "exact"),
    ("绑定", "bind_card", "exact"),
    ("你好，我想绑定社保卡", "bind_card", "sentence"),
    ("hi, i forgot my password", "forgot_password", "sentence"),
    ("在吗", "menu", "sentence"),
    ("hey", "menu", "sentence"),
    ("？", "help", "exact"),
])
def test_understand_starts_the_service_people_ask_for(understand, said, intent, reason) -> None:
    got = understand(said)
    assert (got.intent, got.act, got.reason) == (intent, "start", reason)
    assert 0.0 < got.confidence <= 1.0


@pytest.mark.parametrize(("said", "intent"), [
    ("怎么绑定社保卡？", "bind_card"),
    ("how do I bind my card", "bind_card"),
    ("社保卡密码忘了怎么办", "forgot_password"),
])
def test_understand_a_howto_question_starts_its_service(understand, said, intent) -> None:
    got = understand(said)
    assert (got.intent, got.act, got.howto, got.question) == (intent, "start", True, True)


@pytest.mark.parametrize(("said", "related"), [
    ("几岁可以绑定？", "bind_card"),
    ("绑定需要多大年龄", "bind_card"),
    ("要带什么材料？", None),
    ("how old do i have to be to bind", "bind_card"),
])
def test_understand_a_fact_question_is_answered_not_started(understand, said, related) -> None:
    got = understand(said)
    assert (got.intent, got.act) == (None, "fact")
    assert (got.candidates[0][0] if got.candidates else None) == related


@pytest.mark.parametrize(("said", "service"), [
    ("我不想绑定社保卡", "bind_card"),
    ("不用重置密码", "forgot_password"),
    ("don't unbind", "unbind"),
    ("别解绑", "unbind"),
    ("i dont want to bind my card", "bind_card"),
    ("不要挂失", "report_loss"),
])
def test_understand_a_negation_never_starts(understand, said, service) -> None:
    got = understand(said)
    assert (got.intent, got.act, got.reason) == (None, "negated", "negated")
    assert got.candidates[0][0] == service


SERVICES_ZH = ["绑定社保卡", "重置密码", "解绑社保卡", "挂失社保卡", "解除挂失", "查看我的社保卡",
               "查审核进度", "转人工", "重新发送验证码"]
SERVICES_EN = ["bind my card", "reset my password", "unbind my card", "report my lost card",
               "talk to a person", "resend the code", "link my card"]


@pytest.mark.parametrize(("negator", "phrase"), [
    *((n, p) for n in ("我不想", "不用", "别", "不要") for p in SERVICES_ZH),
    *((n, p) for n in ("dont ", "do not ", "i dont want to ", "no need to ") for p in SERVICES_EN),
])
def test_understand_a_negated_service_neither_starts_nor_asks(understand, negator, phrase) -> None:
    assert understand(phrase).act == "start"
    assert understand(negator + phrase).act not in ("start", "confirm")


@pytest.mark.parametrize("said", ["补办社保卡", "我要补办", "医保卡怎么补办"])
def test_understand_reissue_is_never_mended_into_giving_up(understand, said) -> None:
    """补办 sounds as 不办 (bu ban): read by sound it cancelled the service in progress."""
    assert understand(said).intent != "cancel"


@pytest.mark.parametrize("said", ["不想办了", "不办了", "算了吧", "我不想办了", "forget it then"])
def test_understand_giving_up_is_cancel_not_a_negation(understand, said) -> None:
    assert (understand(said).intent, understand(said).act) == ("cancel", "start")


@pytest.mark.parametrize("said", [
    "今天天气怎么样", "你是机器人吗", "hello world", "asdfgh qwerty", "我想吃饭", "银行卡密码忘了",
    "微信密码忘了", "are you a robot", "tell me a joke", "123abc", "🙂🙂", "...", "社保缴费基数",
    "我身份证丢了怎么办", "礼品卡丢了怎么办", "加油卡密码忘了",  # another card's loss: its issuer's
    "i lost my gift card",  # 'gift' was mended to 'lift': it started lifting a loss report
])
def test_understand_out_of_scope_never_starts(understand, said) -> None:
    got = understand(said)
    assert got.act != "start"
    assert got.act in ("none", "confirm")  # at most it asks; it never acts


@pytest.mark.parametrize(("said", "choice"), [
    ("2", 2), ("二", 2), ("②", 2), ("第2个", 2), ("2号", 2), ("选2", 2), ("第二个", 2),
    ("option 3", 3), ("１", 1), ("the second one", 2), ("0", None), ("99", None),
])
def test_understand_reads_a_bare_pick(understand, said, choice) -> None:
    got = understand(said)
    assert got.choice == choice
    assert got.act != "start"


@pytest.mark.parametrize(("said", "answer"), [
    ("是", True), ("是的", True), ("好", True), ("好的", True), ("对", True), ("嗯", True),
    ("可以", True), ("yes", True), ("OK", True), ("Sure!", True),
    ("不", False), ("不是", False), ("否", False), ("不用", False), ("no", False), ("nope", False),
    ("绑定社保卡", None),
])
def test_understand_reads_yes_and_no(understand, said, answer) -> None:
    got = understand(said)
    assert got.yes_no is answer
    assert got.act == ("start" if answer is None else "none")


@pytest.mark.parametrize(("said", "answer"), [
    ("好的，我同意", True), ("我同意孩子绑定", True), ("同意绑定", True), ("嗯 同意", True),
    ("OK, I agree", True), ("yes I agree to the binding", True),
    ("不同意", False), ("不行，我拒绝", False), ("我不同意孩子绑定", False), ("拒绝", False),
    ("no, I refuse", False), ("I don't agree", False), ("坚决不同意！", False),
    ("好的，我拒绝", False),  # negation wins: a refusal binds nothing and can be asked again
    # a refusal in a clause of its own, a reason beside it (a mother's "不行 他还小 拒绝"
    # was "没有听懂" and left the request open); a bare 不行 beside a request is no refusal
    ("不行 他还小 拒绝", False), ("拒绝 我不认识他", False),
    ("no, she is too young, i refuse", False), ("不行 我要挂失", None),
    # not a consent sentence: something else is said too, read as usual
    ("我同意，但我想先挂失", None), ("好的，我要挂失", None), ("now I agree with you", None),
    ("同意书在哪里", None),
])
def test_understand_reads_agreeing_or_refusing_in_a_sentence(understand, said, answer) -> None:
    """A guardian answers in their own words; only a sentence made of nothing but such words
    (and one agree or refuse verb) is an answer, so it never starts a service."""
    got = understand(said)
    assert got.consent is answer
    if answer is not None:
        assert got.yes_no is answer and got.act == "none" and got.intent is None


def test_understand_a_close_call_asks_first(understand) -> None:
    got = understand("社保卡")
    assert got.act in ("confirm", "none")
    assert got.act != "start"
    assert len(got.candidates) <= 3
    assert [score for _, score in got.candidates] == sorted(
        (score for _, score in got.candidates), reverse=True)


def test_understanding_slots_start_empty_for_the_slot_reader(understand) -> None:
    first, second = understand("绑定社保卡"), understand("绑定社保卡")
    assert isinstance(first, Understanding)
    assert first.slots == {} and first.slots is not second.slots


def test_understander_shared_is_one_per_process() -> None:
    assert Understander.shared() is Understander.shared()


@pytest.mark.parametrize(("said", "unsure"), [
    ("我不知道", True), ("不记得了", True), ("忘了", True), ("卡号忘了", True),
    ("姓名不记得了", True), ("没带身份证", True), ("no idea", True), ("i dont know", True),
    ("i forgot", True), ("i can't remember my card number", True),
    # another service's thing, an answer, or a question: not "I don't know what you asked"
    ("密码忘了", False), ("我忘记社保卡密码了", False), ("forgot my password", False),
    ("张伟", False), ("不知道卡号在哪里看？", False), ("我不知道要不要绑定", False),
])
def test_understander_says_when_a_message_is_not_knowing_what_was_asked(understand, said,
                                                                        unsure):
    heard = understand(said)
    assert heard.unsure is unsure
    assert not (unsure and heard.act == "start")


def test_spelling_skips_only_tokens_whose_digits_rule_out_every_word() -> None:
    """The digit short-cut of the fuzzy spelling search gives what the full search gives: for
    each known English word, the word with digits put in or swapped in, at many shares."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    segmenter = Understander.shared().segmenter
    checked = 0
    for word in segmenter.english:
        for token in (word + "1", word[:-1] + "7", "9" + word[1:], word[:2] + "42" + word[2:],
                      word[0] + "0" * len(word)):
            if len(token) < 4:
                continue
            best = process.extractOne(token, segmenter.english, scorer=OSA.normalized_similarity,
                                      score_cutoff=segmenter.cutoff)
            assert segmenter._spelling(token) == (segmenter.table[(best[0],)] if best else None)
            checked += 1
    assert checked > 100
