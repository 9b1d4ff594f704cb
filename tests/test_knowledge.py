"""The knowledge base answers what card holders ask, and leaves everything else alone."""

import builtins
import re

import pytest

from flows.knowledge import Entry, KnowledgeBase, Retriever, evaluate, format_report
from flows.knowledge.base import LANGS, SERVICES
from flows.knowledge.crossval import crossval
from flows.knowledge.foreign import FOREIGN
from flows.knowledge.questions import question_set

ASKED = [  # (language, what a person types, the entry that answers it)
    ("zh_CN", "社保卡能干什么", "card_purpose"),
    ("zh_CN", "几岁可以把社保卡绑定到微信？", "bind_age"),
    ("zh_CN", "孩子社保卡的密码忘了，我是家长，怎么办？", "minor_password"),
    ("zh_CN", "娃的社保卡密码忘了咋整", "minor_password"),
    ("zh_CN", "给孩子重置密码要带哪些材料", "minor_password_documents"),
    ("zh_CN", "重置密码要等多久", "reset_review_time"),
    ("zh_CN", "社保卡丢了咋办", "report_loss"),
    ("zh_CN", "卡又找到了能解挂吗", "lift_loss"),
    ("zh_CN", "补卡收费吗", "reissue_fee"),
    ("zh_CN", "验证码能给别人吗", "personal_info"),
    ("zh_CN", "外省的卡能在这边绑吗", "region_rules"),
    ("en", "what can a social security card do", "card_purpose"),
    ("en", "can a 17 year old bind a card", "bind_age"),
    ("en", "my kid forgot his card password what do i do", "minor_password"),
    ("en", "how long to reset password", "reset_review_time"),
    ("en", "how to report a lost card", "report_loss"),
    ("en", "how much does a replacement cost", "reissue_fee"),
    ("en", "can i give my code to someone", "personal_info"),
    # phone-typed: full-width marks, emoji, slips, A-not-A questions, trouble without a question
    ("zh_CN", "社保卡丢了怎么办？？😭", "report_loss"),
    ("zh_CN", "补办社保卡收不收钱", "reissue_fee"),
    ("zh_CN", "社宝卡蜜码忘了咋办", "password_forgot"),
    ("zh_CN", "社保卡找不着了", "report_loss"),
    ("en", "HOW LONG does a password reset take?!", "reset_review_time"),
    ("en", "a stranger phoned asking for my code", "personal_info"),
    # phones drop apostrophes and plurals slip; who may apply is about people, not places
    ("en", "my sons cant remember his card pin", "minor_password"),
    ("zh_CN", "孩子卡的密码记不起了咋办", "minor_password"),
    ("en", "can i get a card if im self-employed", "card_eligibility"),
    ("zh_CN", "外省人能在这边办社保卡吗", "card_eligibility"),
    # a word the base never uses beside ours; another card named beside ours
    ("en", "i forgot my card password yesterday", "password_forgot"),
    ("zh_CN", "社保卡和银行卡有什么区别", "card_purpose"),
]
NOT_OURS = [  # (language, a line the knowledge base must leave to someone else)
    ("zh_CN", "今天天气怎么样"), ("zh_CN", "你们几点下班"), ("zh_CN", "推荐个餐厅"),
    ("zh_CN", "绑定社保卡"), ("zh_CN", "忘记密码"), ("zh_CN", "我要挂失社保卡"),
    ("zh_CN", "我的卡丢了帮我挂失"), ("zh_CN", "在吗"), ("zh_CN", "公积金怎么提取"),
    ("en", "what's the weather"), ("en", "bind card"), ("en", "forgot password"),
    ("en", "report my card lost"), ("en", "recommend a restaurant"), ("en", "what time is it"),
    # another card, account or thing: its loss or password is not ours
    ("zh_CN", "身份证掉了去哪补"), ("zh_CN", "银行卡密码忘了怎么办"), ("zh_CN", "钥匙丢了怎么办"),
    ("en", "i lost my id card what do i do"), ("en", "what if i forget my wechat password"),
    ("en", "how do i reset my wifi router"), ("en", "i lost my keys what now"),
    ("en", "i'd like to report a lost card"),
    # any other kind of card, any other device's or account's password
    ("zh_CN", "会员卡丢了咋办"), ("zh_CN", "邮箱密码忘记了怎么办"),
    ("en", "i lost my library card"), ("en", "forgot my laptop password"),
    # one of our words (card, code, bind, rules) and nothing else the base knows; two other
    # cards compared; a replacement of something else
    ("en", "what is the dress code"), ("en", "how do i bind my shoes"),
    ("en", "how many cards are in a deck"), ("en", "what are the rules of football"),
    ("zh_CN", "银行卡和信用卡有什么不同"), ("zh_CN", "车牌怎么补办"),
]


@pytest.mark.parametrize(("lang", "text", "entry_id"), ASKED)
def test_retriever_answers_the_question_with_its_entry(lang, text, entry_id):
    answer = Retriever.shared(lang).answer(text)
    assert (answer.kind, [e.id for e in answer.entries]) == ("one", [entry_id]), answer.reason


@pytest.mark.parametrize(("lang", "text"), NOT_OURS)
def test_retriever_leaves_out_of_scope_lines_unanswered(lang, text):
    answer = Retriever.shared(lang).answer(text)
    assert (answer.kind, answer.entries) == ("none", ()), answer.reason


def test_retriever_offers_close_entries_as_a_choice():
    base = KnowledgeBase.load("zh_CN")
    twins = tuple(Entry(f"twin{i}", ("社保卡密码忘了怎么办",), "答。", "源", None) for i in (1, 2))
    answer = Retriever(KnowledgeBase("zh_CN", twins, base.reading)).answer("社保卡密码忘了怎么办")
    assert answer.kind == "choices" and [e.id for e in answer.entries] == ["twin1", "twin2"]


def test_retriever_uses_the_tokenizer_and_normaliser_it_is_given():
    seen = []

    def normalise(text: str) -> str:
        seen.append(text)
        return text.lower()

    retriever = Retriever(KnowledgeBase.load("en"), tokenize=str.split, normalise=normalise)
    assert retriever.answer("HOW LONG does a password reset take").entries[0].id == \
        "reset_review_time"
    assert "HOW LONG does a password reset take" in seen


def test_retriever_reads_the_text_the_dialogue_hands_over():
    from flows.language import Understander

    heard = Understander.shared().understand("  社保卡　补办要带什么？😊 ")
    retriever = Retriever.shared("zh_CN")
    assert retriever.answer(heard.text) == retriever.answer("  社保卡　补办要带什么？😊 ")
    assert retriever.answer(heard.text).entries[0].id == "reissue"


@pytest.mark.parametrize(("text", "entry_ids"), [
    ("去外地了医保还能用吗", []),  # 外地 is region_rules' word, but 医保 is asked about
    ("退休了社保卡密码忘了怎么办", ["password_forgot"]),  # 退休 beside the entry's own words
])
def test_retriever_leaves_neighbouring_topics_unless_the_entry_is_named(text, entry_ids):
    answer = Retriever.shared("zh_CN").answer(text)
    assert [e.id for e in answer.entries] == entry_ids, answer.reason


def test_knowledge_base_refuses_topics_of_unknown_entries():
    base = KnowledgeBase.load("zh_CN")
    with pytest.raises(ValueError):
        KnowledgeBase("zh_CN", base.entries, base.reading, base.elsewhere,
                      {"no_such_entry": re.compile("卡")})


def test_reading_asks_for_more_than_shared_words_only_beside_an_unknown_word():
    reading = KnowledgeBase.load("en").reading
    known = {"what", "code", "forgot", "card"}
    # "what is the dress code": dress is unknown, code is shared, what is plain
    assert reading.rests_on_shared(["what", "dress", "code"], {"what", "code"}, known)
    # a telling word the entry holds too keeps the match
    assert not reading.rests_on_shared(["forgot", "dress", "code"], {"forgot", "code"}, known)
    # every word known: left to the confidence floor; numbers are never unknown
    assert not reading.rests_on_shared(["what", "code"], {"what", "code"}, known)
    assert not reading.rests_on_shared(["what", "0", "code"], {"what", "code"}, known)


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "how do i reset my password on steam"), ("en", "what is the city population"),
    ("en", "how do i reset my xbox password"), ("zh_CN", "手环怎么绑定手机"),
    ("zh_CN", "结婚需要什么材料"), ("zh_CN", "游泳馆的规定是什么")])
def test_retriever_leaves_a_line_naming_what_the_entries_never_do(lang, text):
    # without the stranger check these rest on our generic words and are answered
    assert Retriever(KnowledgeBase.load(lang), strangers="", foreign=0).answer(text).kind != "none"
    assert Retriever.shared(lang).answer(text).kind == "none"


@pytest.mark.parametrize(("lang", "text"), [
    ("zh_CN", "孩子的社保卡里有钱吗 谁给存的"),
    ("en", "can someone clone the chip on my social security card, is it safe"),
    ("en", "will my pension still be paid while the card is reported lost"),
    ("en", "what is the default password on a new social security card")])
def test_retriever_leaves_a_line_asking_what_its_best_entry_never_speaks_of(lang, text):
    # the card's own words carry these to an entry; two words it never uses say they are not
    # its question (without the rule: the answer on sharing codes, to a chip being cloned)
    assert Retriever(KnowledgeBase.load(lang), foreign=0).answer(text).kind != "none"
    answer = Retriever.shared(lang).answer(text)
    assert answer.kind == "none" and "never speaks of" in answer.reason


@pytest.mark.parametrize(("lang", "text", "entry_id"), [
    ("zh_CN", "挂失完卡又在抽屉里找到了 能解挂吗", "lift_loss"),  # 抽屉: one word, not two
    ("zh_CN", "我老伴的社保卡密码忘记了 去医院看病刷不了 要到哪里去弄密码", "password_forgot"),
    ("en", "reported my card lost but found it in my coat pocket, can i undo it", "lift_loss"),
    # the card's own name is no entry's foreign word, whichever entries say it
    ("en", "how long does a social security card password reset take", "reset_review_time"),
    # an example's word counts in the form typed, before the slip-mender reads it as another
    ("en", "do national and local offices have different card regulations", "region_rules")])
def test_retriever_answers_a_question_with_one_word_of_its_own_story(lang, text, entry_id):
    # read without the line among the examples (some are dev lines), so the rule is tested
    base, fold = KnowledgeBase.load(lang), Retriever.shared(lang)._fold
    examples = {label: tuple(line for line in lines if fold(line) != fold(text))
                for label, lines in base.examples.items()}
    kb = KnowledgeBase(lang, base.entries, base.reading, base.elsewhere, base.topics, examples)
    answer = Retriever(kb).answer(text)
    assert [e.id for e in answer.entries] == [entry_id], answer.reason


def test_crossval_rule_costs_little_on_lines_it_never_read():
    # each fifth of dev answered by a retriever that read the other four fifths' examples
    right, answered, lines = crossval("en", FOREIGN)
    right_without, answered_without, _ = crossval("en", 0)
    assert answered < answered_without  # fewer out-of-scope lines answered
    assert right >= right_without - lines // 100  # for at most 1 % of the right answers


@pytest.mark.parametrize("lang", LANGS)
def test_knowledge_base_reads_dev_examples_and_never_a_held_out_line(lang):
    base, fold = KnowledgeBase.load(lang), Retriever.shared(lang)._fold
    read = {fold(text) for lines in base.examples.values() for text in lines}
    data = question_set()[lang]
    dev = {fold(text) for text, label in data["dev"] if label != "none"}
    assert read == dev
    in_held = len(read & {fold(text) for text, _ in data["heldout"]})
    assert in_held == 0, f"{in_held} held-out lines read as examples"  # a count, never lines


@pytest.mark.parametrize(("lang", "text", "entry_id"), [
    ("en", "what documets do i bring to reset my childs password",  # a slip of document
     "minor_password_documents"),
    ("en", "what information is required to bind the card", "bind_how"),  # requir~ement
    ("en", "can i use my social security card at the dentist", "card_purpose"),  # named
    ("zh_CN", "验证码能随便告诉别人吗", "personal_info")])  # everyday characters
def test_retriever_still_answers_slips_forms_and_lines_naming_the_card(lang, text, entry_id):
    answer = Retriever.shared(lang).answer(text)
    assert (answer.kind, answer.entries[0].id if answer.entries else None) == ("one", entry_id)


@pytest.mark.parametrize(("text", "entry_id"), [
    ("how much is a replacment card", "reissue_fee"),
    ("how do i bind my chlid's card", "bind_minor"),
    ("how do you play a card game", None), ("what is the policy on returns", None)])
def test_retriever_reads_a_slip_as_the_word_it_misses_and_no_short_word_as_another(
        text, entry_id):
    answer = Retriever.shared("en").answer(text)
    assert (answer.entries[0].id if answer.kind == "one" else None) == entry_id
    if entry_id:  # without mending, the slip is a word the entries never use
        assert Retriever(KnowledgeBase.load("en"), mend=False).answer(text).kind == "none"


def test_reading_folds_synonyms_in_chains():
    assert KnowledgeBase.load("zh_CN").reading.fold("社保卡找不着了") == "社保卡丢了"


def test_retriever_reads_no_file_per_question(monkeypatch):
    retriever = Retriever.shared("zh_CN")

    def refuse(*args, **kwargs):
        raise AssertionError("a file was opened while answering")

    monkeypatch.setattr(builtins, "open", refuse)
    assert retriever.answer("社保卡丢了怎么办").kind == "one"


def test_jieba_tokenizer_cuts_on_the_shipped_words():
    pytest.importorskip("jieba")
    from flows.knowledge.tokens import jieba_tokenizer

    cut = jieba_tokenizer()
    assert cut("社保卡密码忘了") == ["社保卡", "密码", "忘了"]
    assert Retriever(KnowledgeBase.load("zh_CN"), tokenize=cut).answer(
        "孩子社保卡的密码忘了，我是家长，怎么办？").entries[0].id == "minor_password"


def test_knowledge_base_is_loaded_once_per_language():
    assert KnowledgeBase.load("en") is KnowledgeBase.load("en")
    assert Retriever.shared("en") is Retriever.shared("en")
    with pytest.raises(ValueError):
        KnowledgeBase.load("fr")


def test_knowledge_base_has_the_same_entries_in_every_language():
    ids = {lang: [e.id for e in KnowledgeBase.load(lang)] for lang in LANGS}
    assert ids["en"] == ids["zh_CN"] and len(ids["en"]) >= 12
    for lang in LANGS:
        for zh, other in zip(KnowledgeBase.load("zh_CN"), KnowledgeBase.load(lang), strict=True):
            assert other.service == zh.service, other.id


@pytest.mark.parametrize("lang", LANGS)
def test_knowledge_entries_have_a_public_source_and_a_short_answer(lang):
    for entry in KnowledgeBase.load(lang):
        assert entry.source and not re.search(r"[\\/]\w+\.(txt|md|yaml)|/work/", entry.source)
        assert len(entry.questions) >= 5 and entry.service in SERVICES | {None}
        sentences = re.findall(r"[^。！？.!?]+[。！？.!?]", entry.answer)
        assert 2 <= len(sentences) <= 5, (entry.id, sentences)
        assert len(entry.answer) <= (200 if lang == "zh_CN" else 560), entry.id


@pytest.mark.parametrize("lang", LANGS)
def test_knowledge_answers_hold_no_placeholders_or_offers(lang):
    for entry in KnowledgeBase.load(lang):
        assert not re.search(r"[{}<>]|TODO|XXX|TBD|回复“|reply \"", entry.answer), entry.id


@pytest.mark.parametrize("lang", LANGS)
def test_question_set_keeps_its_held_out_part_out_of_the_knowledge_base(lang):
    fold, base = Retriever.shared(lang)._fold, KnowledgeBase.load(lang)
    phrasings = {fold(q) for entry in base for q in entry.questions}
    phrasings |= {fold(q) for _, said in base.elsewhere for q in said}
    data = question_set()[lang]
    held, dev = data["heldout"], data["dev"]
    # counts only: a failure must not print held-out lines, which nobody tuning may read
    in_kb = sum(fold(text) in phrasings for text, _ in held)
    assert in_kb == 0, f"{in_kb} held-out lines fold to a phrasing of the knowledge base"
    in_dev = len({fold(t) for t, _ in held} & {fold(t) for t, _ in dev})
    assert in_dev == 0, f"{in_dev} held-out lines fold to a dev line"
    n_held, n_dev = len(held), len(dev)  # plain numbers, so a failure shows no lines
    assert n_held * 10 >= 3 * (n_held + n_dev), "held-out part below 30 %"
    n_none = sum(label == "none" for _, label in held + dev)
    assert n_none >= 40
    ids = {e.id for e in KnowledgeBase.load(lang)} | {"none"}
    assert {label for _, label in held + dev} <= ids


def test_evaluate_reports_figures_per_language_and_part():
    report = evaluate(part="all")
    assert [(g.lang, g.part) for g in report.groups] == [
        ("zh_CN", "dev"), ("zh_CN", "heldout"), ("en", "dev"), ("en", "heldout")]
    assert sum(g.total for g in report.groups) >= 150
    assert report.micros_median > 0  # measured and shown; a bound would fail on a loaded machine
    text = format_report(report)
    assert "zh_CN heldout" in text and "µs per question" in text
    assert 0 < sum(g.started for g in report.groups) < sum(g.total - g.out_of_scope
                                                             for g in report.groups)


@pytest.mark.xfail(strict=True, reason="held-out part (1819 lines, 509 out of scope), run once "
                   "per round, never tuned on: 92.0 % right (zh 92.8, en 91.3: >= 90 % in each), "
                   "but 15 out-of-scope lines answered (target 0); rounds in "
                   "docs/understanding.md. Strict: reaching the targets fails it, then drop it")
def test_evaluate_held_out_part_meets_its_targets():
    report = evaluate()
    assert report.meets_targets(), format_report(report)
