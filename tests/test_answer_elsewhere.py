"""A question that is not ours is told whose it is: each `elsewhere:` topic of the knowledge
base has its own line in each language, and the retriever names the topic a line is about."""

from __future__ import annotations

import pytest

from flows.catalog import LANGS, Catalog
from flows.knowledge import NEIGHBOUR, UNRELATED, KnowledgeBase, Retriever


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
    ("en", "what is the weather today", "daily_life"),
    ("en", "how much is my pension?", "pension"),
    ("en", "my bank card is lost what do i do", "other_cards"),
    ("en", "how do i get a passport?", "other_services"),
    ("en", "who won the game?", UNRELATED),
])
def test_retriever_names_whose_question_it_is(lang, text, topic):
    answer = Retriever.shared(lang).answer(text)
    assert (answer.kind, answer.elsewhere) == ("none", topic)


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
