"""Retrieval: a question in, one confident entry, two or three close ones, or nothing.

Per question (everything else is built once): the language stage's normal form (the text
the dialogue hands over) -> the base's synonym fold -> a question at all, and about our
card? -> fillers dropped -> tokenize -> rank -> decide. A request ("绑定社保卡", "report my
card lost") or a flow's exact start word is never answered: it is the flows' business; a
statement naming one `elsewhere:` topic's own words says whose it is ("medical insurance
reimbursement": `Answer.asked` False, so no service's start is taken back for it). A
line naming none of our words (anchors: 卡, password, 挂失…), another card or account
(身份证丢了, a WeChat password), or a neighbouring topic (医保, pensions) and not the
entry's own topic is left alone too: those are what out-of-scope lines look like. So is a
line holding a word the entries never use whose best entry matches only plain and shared
words (reading `plain:`, `shared:`): "what is the dress code", "how do i bind my shoes".
A line that does not name our card (reading `names:`) is answered only when its topical
words (not `plain:` nor `common:`) are the entries' own: in their phrasings, answers,
synonyms or topic words, or a form or slip of one ("requir", "pasword"); "reset my password
on steam", 轮胎怎么补办 name what the entries never do. Slips of five letters or more are
read as the word they miss before ranking ("replacment"). A line naming our card still
must be its best entry's question: FOREIGN topical words that entry never uses (in its
phrasings, answer, topic words or the dev lines it answers; adjacent Chinese characters
count as one word) say it is not ("will losing my card hurt my credit score").

The ranking is BM25 over each entry's pooled phrasings plus 2 x the best Dice overlap with
one phrasing, plus CUE for an entry whose topic words (reading `topics:`) the question
names. Confidence is the share of the question's words (by idf) the best entry holds: it
must reach FLOOR, NAMED_FLOOR when the entry's topic is named, WEAK_FLOOR when the line
holds only weak anchors (reset, lost: "reset my router"). Entries within MARGIN of the
best are offered as a numbered choice. A "none" that is not ours says whose it is
(`Answer.elsewhere`: the `elsewhere:` topic, NEIGHBOUR or UNRELATED), so the dialogue can
tell the person where to ask instead of that it did not understand.

Thresholds were chosen on dev; the variants (tokens x ranking, µs = median per question on
the shared 2-core machine) as first measured on dev (905 lines, 404 out of scope):

    tokens             ranking    dev     dev oos  µs
    chars+bigrams      bm25_dice  98.0%   0        ~250  (the default)
    chars+bigrams      bm25       96.0%   0        ~100
    char bigrams       bm25_dice  97.5%   0        ~230
    jieba (words.txt)  bm25_dice  97.2%   0        ~230

Held-out figures, run once per round and never tuned on line by line, are in
docs/understanding.md ("Measured"); the latest (1819 lines, 509 out of scope): 92.5 % right
(zh 93.3, en 91.6), 14 out-of-scope lines answered.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from rapidfuzz import fuzz, process

from flows.catalog import Catalog
from flows.knowledge import tokens
from flows.knowledge.base import Entry, KnowledgeBase
from flows.knowledge.bm25 import BM25
from flows.knowledge.foreign import FOREIGN, FOREIGN_SHARE, EntryWords, pattern_words
from flows.knowledge.rankers import RANKINGS
from flows.language.clauses import split
from flows.language.normalise import normalise as language_normalise

FLOOR = 0.22   # the best entry must hold this share of the question's words (by idf)
MARGIN = 0.02  # entries ranked within 2 % of the best are "close": offered as a choice
CUE = 0.25     # the ranking's lift for an entry whose topic words the question names
NAMED_FLOOR = 0.1  # the floor for an entry whose topic words the question names
WEAK_FLOOR = 0.3   # the floor for a line that holds only weak anchors (reset, lost…)
OTHERS_FLOOR = 0.6  # a line not ours is an `elsewhere:` topic's at this share of its words
NEIGHBOUR = "neighbour"  # Answer.elsewhere: a neighbours' word, no one `elsewhere:` topic
UNRELATED = "unrelated"  # Answer.elsewhere: a question naming nothing of ours nor theirs
# the `elsewhere:` topics that are our card's own (unanswered here), named only with the card
OUR_CARDS = ("card_account", "card_condition", "electronic_card", "card_frozen")
# our card's topics whose words are ours though the card is not named ("验证码一直收不到" at this
# account is about its codes), unless another card or account is ("淘宝的验证码一直收不到")
OURS_UNNAMED = ("card_phone",)
# `elsewhere:` topics said only when the line names them (their topic words): near their
# lines alone a line may be a service's ("我的卡是不是被冻结了" is 我的社保卡's); named, they
# are said whichever entry ranks first, unless a loss is named and not denied (_LOSS)
NAMED_ONLY = ("card_frozen",)
# entries whose topic words, named, say whose a line is before NAMED_ONLY's: "收到短信说我社保卡
# 被冻结了 让我点链接解冻 是真的吗" asks whether a message is a scam, not why a card is frozen
OVER_NAMED = ("personal_info",)
# `elsewhere:` topics whose words, in a question, say whose it is before a service's own word
# does: "原来那个微信号登不上了 咋解绑" is no unbinding here (nothing is bound here to unbind)
OVER_SERVICES = ("other_wechat",)
# a loss named: the loss entries' business before OVER_SERVICES' and NAMED_ONLY's words
_LOSS = re.compile(r"丢|挂失|被偷|不见了|找到|\b(lost|stolen|reported|found)\b")
# ...unless the loss is denied: "my card is blocked?? i never reported it lost"
_NO_LOSS = re.compile(r"没(有)?(挂失|丢)|\bnever (reported|lost)\b|\bnot (lost|reported)\b")
SLIP = 80  # a word this close (rapidfuzz ratio) to one of the entries' words is a typo of it
MAX_CHOICES = 3
_URL = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|cn|cc|top|net|org|xyz|vip)\b\S*",
                  re.IGNORECASE)
# a follow-up the answer just given answers again gets the one sentence that holds this share
# of its words (by idf) and this many times the next sentence's (Retriever.sentence_for)
SENTENCE_SHARE, SENTENCE_LEAD = 0.3, 1.5
_SENTENCES = re.compile(r"[^。！？.!?]+(?:[。！？!?]|\.(?!\d)|$)")
MAX_CLAUSES = 4  # a longer line is a story, read whole
_INNER_ASK = re.compile(r"[?？](?!\s*$)")  # a question mark before the line's end: two asked


@dataclass(frozen=True)
class Answer:
    """What the retriever decided; `score` and `reason` are for the inspector ("why")."""

    kind: str  # "one" | "choices" | "none"
    entries: tuple[Entry, ...]
    score: float
    reason: str = ""
    # "none" for a question that is not ours: the `elsewhere:` topic it is closest to (pension,
    # daily_life…), NEIGHBOUR when only the neighbours' words said so, UNRELATED for a
    # question naming nothing of ours or theirs; "" when it may be ours, unread
    elsewhere: str = ""
    # False for a statement or request ("绑定电子社保卡", "medical insurance reimbursement"),
    # whose `elsewhere` is read from one topic's own words only: what it asks of a service
    # is the flows' business, never refused for a word in passing
    asked: bool = True
    # "none" only because the best entry does not hold the line: "floor", too little of its
    # words; "foreign", words it never speaks of. A line of several clauses may still hold
    # whole questions (Retriever.answer); "" otherwise
    thin: Literal["", "floor", "foreign"] = ""
    # "one": the entries the line's other clauses ask of, in order ("几岁能绑卡？补办要多少钱？")
    more: tuple[Entry, ...] = ()


class Retriever:
    """One per knowledge base (and tokenizer): the ranking is built in the constructor."""

    def __init__(self, kb: KnowledgeBase, tokenize: Callable[[str], list[str]] | None = None,
                 normalise: Callable[[str], str] | None = None, *,
                 ranking: str = "bm25_dice", floor: float = FLOOR,
                 margin: float = MARGIN, cue: float = CUE,
                 named_floor: float = NAMED_FLOOR, weak_floor: float = WEAK_FLOOR,
                 slip: float = SLIP, strangers: str = "answers", mend: bool = True,
                 foreign: int = FOREIGN, foreign_share: float = FOREIGN_SHARE) -> None:
        self.kb = kb
        self.floor, self.margin, self.cue = floor, margin, cue
        self.named_floor = min(named_floor, floor)
        self.weak_floor = weak_floor
        self.topics = [kb.topics.get(key) for key in [entry.id for entry in kb]
                       + [name for name, _ in kb.elsewhere]]
        self.tokenize = tokenize or tokens.tokenize
        self.normalise = normalise or _language_text
        self.commands = Catalog(kb.lang)  # the flows' exact start words stay theirs
        phrasings = [[self._tokens(self._fold(q)) for q in entry.questions] for entry in kb]
        self.rank = RANKINGS[ranking](phrasings + [[self._tokens(self._fold(q)) for q in said]
                                                   for _, said in kb.elsewhere])
        self.index = BM25([[tok for phrasing in each for tok in phrasing] for each in phrasings])
        self.others = BM25([[tok for q in said for tok in self._tokens(self._fold(q))]
                            for _, said in kb.elsewhere])
        self.strangers, self.slip, self.mend = strangers, slip, mend
        said = [q for entry in kb for q in entry.questions] + list(kb.reading.synonyms.values())
        if strangers == "answers":
            said += [entry.answer for entry in kb]
        said += [pattern_words(topic.pattern) for topic in kb.topics.values()]
        self.known = frozenset(tok for text in said for tok in self._tokens(self._fold(text)))
        self.spelled = sorted(tok for tok in self.known if tok.isascii() and len(tok) >= 3)
        self.foreign = foreign
        self.words = EntryWords(kb, lambda text: self._tokens(self._fold(text)), foreign_share)
        # each answer's sentences with their tokens, cut once: a follow-up reads them
        self.sentences = {entry.answer: [(part.strip(), frozenset(self._tokens(self._fold(part))))
                                         for part in _SENTENCES.findall(entry.answer)]
                          for entry in kb}

    def _spelled(self, tok: str) -> str | None:
        """The entries' word `tok` is, a form or a slip of; None for a word they never use.

        A form: one word of five letters or more begins the other ("requir" ~ "requirement",
        "withdrawn" ~ "withdraw"), the stemmer being crude; a slip: within SLIP (rapidfuzz
        ratio: "dose" ~ "doe", "replacment" ~ "replac"). Chinese is checked by character:
        its pairs are new whenever a line puts known characters in a new order.
        """
        if tok in self.known or (len(tok) > 1 and not tok.isascii()):
            return tok
        if not tok.isascii() or len(tok) < 4:
            return None
        at = bisect.bisect_left(self.spelled, tok)
        if len(tok) >= 5 and at < len(self.spelled) and self.spelled[at].startswith(tok):
            return self.spelled[at]
        if at and len(self.spelled[at - 1]) >= 5 and tok.startswith(self.spelled[at - 1]):
            return self.spelled[at - 1]
        near = process.extractOne(tok, self.spelled, scorer=fuzz.ratio,
                                  score_cutoff=self.slip) if self.slip else None
        return near[0] if near and near[0][0] == tok[0] else None  # phones slip mid-word

    @classmethod
    def shared(cls, lang: str) -> Retriever:
        """The default retriever of `lang`, built on first use and then shared."""
        return _shared(lang)

    def _fold(self, text: str) -> str:
        """The base's synonym fold of the normal form; a web address is read as the word
        for a link ("…要点链接认证 http://sb-12333.cc 是官方的吗": its letters were words no
        entry speaks of, and the scam question was refused)."""
        text = _URL.sub(" 链接 " if self.kb.lang != "en" else " link ", text)
        return self.kb.reading.fold(self.normalise(text))

    def _tokens(self, folded: str) -> list[str]:
        return self.tokenize(self.kb.reading.fillers.sub(" ", folded))

    def answer(self, text: str) -> Answer:
        """The whole line's answer; when its words reach no entry as a whole, a line of two
        to four clauses is read clause by clause: the first answered clause is the answer and
        the others' entries come with it (`more`). "wait how old do u need to be for this, my
        son wants to do it too": the other clause's words thinned the whole; "几岁能绑卡？补办要
        多少钱？" asks two things. Refused for what it names, it stays refused."""
        whole = self._answer(text)
        asks_twice = whole.kind == "one" and _INNER_ASK.search(text) is not None
        if not (whole.thin or asks_twice):  # refused for what it names ("lost my job, …")
            return whole
        parts = split(text)
        if not 2 <= len(parts) <= MAX_CLAUSES:
            return whole
        clauses = [self._answer(part) for part in parts]
        found = [answer for answer in clauses if answer.kind == "one"]
        if asks_twice:  # "孩子几岁能绑卡？补办要钱吗？": the whole reached one of them
            lead = whole
        elif not found or (whole.thin == "foreign" and any(  # "lost my job, how apply
                answer.kind != "one" and answer.asked for answer in clauses)):  # unemployment
            return whole  # money": its foreign words are a question of their own, not ours
        else:
            lead = found[0]
        return replace(lead, more=tuple(dict.fromkeys(  # the other clauses' entries, in order
            answer.entries[0] for answer in found if answer.entries[0] != lead.entries[0])))

    def _answer(self, text: str) -> Answer:
        folded = self._fold(text)
        asked = "?" in text or "？" in text  # the normal form drops the question mark
        if self.commands.command(text):
            return Answer("none", (), 0.0, "a flow's start word")
        if not (asked or self.kb.reading.is_question(folded)):  # "medical insurance
            return Answer("none", (), 0.0, "not a question",  # reimbursement": whose it is
                          elsewhere=self._named(folded), asked=False)  # by its topic's words
        over = next((name for name in OVER_SERVICES if name in self.kb.topics
                     and self.kb.topics[name].search(folded)), None)
        if over is not None and not _LOSS.search(folded):  # "社保卡丢了 能用别的微信挂失吗"
            # asks about a loss, which the loss answer serves
            return Answer("none", (), 0.0, f"names {over}, answered elsewhere", elsewhere=over)
        if self.kb.reading.services.search(folded):
            return Answer("none", (), 0.0, "names a service no entry answers (解绑)")
        if self.kb.reading.neighbours.search(folded):
            why = "a neighbouring topic's own business (外省就医, a new name)"
            whose = self._other(folded)
            if whose in ("", UNRELATED):  # 征信 of our card: the general line; 淘宝: not ours
                whose = NEIGHBOUR if self.kb.reading.names.search(folded) else UNRELATED
            return Answer("none", (), 0.0, why, elsewhere=whose)
        anchored = self.kb.reading.anchored(folded)
        if not anchored:
            return Answer("none", (), 0.0, "names nothing of ours (no card, password, loss…)",
                          elsewhere=self._other(folded))
        raw = self._tokens(folded)
        query = self._mended(raw)
        if len(set(query)) < 2:  # "在吗" is 在: one token matches anything or nothing
            return Answer("none", (), 0.0, f"too short to tell ({len(set(query))} token)")
        if self.strangers and not self.kb.reading.names.search(folded):
            strange = [tok for tok in self.kb.reading.topical(query)
                       if self._spelled(tok) is None]
            if strange:
                return Answer("none", (), 0.0, f"names what the entries never do: "
                                               f"{' '.join(strange[:3])}")
        named = [topic is not None and topic.search(folded) is not None for topic in self.topics]
        scores = [score + self.cue * lift for score, lift in zip(self.rank(query), named,
                                                                 strict=True)]
        floors = [self.weak_floor if anchored == "weak" else self.named_floor if lift
                  else self.floor for lift in named]  # "reset my router" holds too little
        held = self.index.coverage(query)
        ranked = sorted(zip(scores, range(len(scores)), strict=True),
                        key=lambda pair: (-pair[0], pair[1]))  # ties: file order, deterministic
        if ranked[0][1] >= len(self.kb):
            topic = self.kb.elsewhere[ranked[0][1] - len(self.kb)][0]
            whose = NEIGHBOUR if topic == "other_cards" else topic  # no other card named:
            if topic in NAMED_ONLY and not named[ranked[0][1]]:  # "我的卡是不是被冻结了" asks
                whose = ""  # its status (我的社保卡), not why or how it is thawed
            return Answer("none", (), 0.0, f"closest to {topic}, which is answered elsewhere",
                          elsewhere=whose)  # "lost it on the bus" is not a bus card's
        ranked = [pair for pair in ranked if pair[1] < len(self.kb)
                  and not self._barred(pair[1], folded)]  # an entry's `not_if`: no minor's
        if not ranked:
            return Answer("none", (), 0.0, "only entries the line rules out")
        sure = [name for (name, _), lift in zip(self.kb.elsewhere, named[len(self.kb):],
                                                strict=True) if lift and name in NAMED_ONLY]
        scam = any(named[i] for i, entry in enumerate(self.kb) if entry.id in OVER_NAMED)
        if sure and not scam and (not _LOSS.search(folded) or _NO_LOSS.search(folded)):
            # "my card is blocked?? i never reported it lost": its own words say whose,
            # however the loss report's words rank ("卡挂失以后又找到了 怎么解冻" is lifting's)
            return Answer("none", (), 0.0, f"names {sure[0]}, answered elsewhere",
                          elsewhere=sure[0])
        if any(named[len(self.kb):]) and not named[ranked[0][1]]:  # 医保卡在外地能用吗
            topic = next(name for (name, _), lift in zip(self.kb.elsewhere, named[len(self.kb):],
                                                          strict=True) if lift)
            return Answer("none", (), 0.0, "names a neighbouring topic and not the entry's",
                          elsewhere=topic)
        top, best = ranked[0][0], held[ranked[0][1]]
        if self.kb.reading.rests_on_shared(query, self.index.tfs[ranked[0][1]].keys(),
                                           self.known):
            return Answer("none", (), best, "rests on words other things share (a dress code)")
        foreign = self.words.foreign(self.kb.reading.fillers.sub(" ", folded), raw, query,
                                     ranked[0][1]) if self.foreign else []
        if len(foreign) >= self.foreign > 0:
            return Answer("none", (), best, f"asks of what {self.kb.entries[ranked[0][1]].id} "
                                            f"never speaks of: {' '.join(foreign[:3])}",
                          thin="foreign")  # another clause may ask of them
        close = [self.kb.entries[i] for score, i in ranked[:MAX_CHOICES]
                 if score >= top * (1 - self.margin) and held[i] >= floors[i]]
        floor = floors[ranked[0][1]]
        why = f"holds {best:.0%} of the words; ranking {top:.2f}"
        if best < floor or not close:
            return Answer("none", (), best, f"{why} (floor {floor:.0%})", thin="floor")
        if len(close) == 1:
            runner = ranked[1][0] if len(ranked) > 1 else 0.0
            return Answer("one", tuple(close), best, f"{why}, runner-up {runner:.2f}")
        return Answer("choices", tuple(close), best, f"{why}; {len(close)} within "
                                                     f"{self.margin:.0%}")

    def _barred(self, i: int, folded: str) -> bool:
        """Whether entry `i` never answers the line (its `not_if`: "我爸64岁了" is no minor)."""
        rule = self.kb.entries[i].not_if
        return rule is not None and rule.search(folded) is not None

    def answer_in(self, text: str, service: str) -> Answer:
        """A question asked inside a service, which may lean on it for what it is about
        ("要多久", "能代办吗" while reporting a loss): when the line alone names nothing of
        ours, it is read again with the service's name beside it, and that answer is kept
        only when its entry speaks of the line's own topical words (代办 is report_loss's;
        "安全吗", "为什么要这个" hold none, and stay unanswered) or the line names its topic
        ("为啥要18岁", "what if i am 16": an age is bind_age's). English lines of that kind
        hold only everyday words, so they stay as they were."""
        plain = self.answer(text)
        if plain.kind != "none" or not (plain.elsewhere in ("", UNRELATED)
                                        or self._guessed_whose(text, plain)):
            return plain
        parts = split(text)  # "wait how old do u need to be for this, my son wants to do it
        if 2 <= len(parts) <= MAX_CLAUSES:  # too": one clause is the question, leaning alike
            for part in parts:
                found = self.answer_in(part, service)
                if found.kind == "one":
                    return found
            return plain
        found = self.answer(f"{text} {service}?")
        if found.kind != "one":
            return plain
        own = self.words.own[self.kb.entries.index(found.entries[0])]
        said = self.kb.reading.topical(self._tokens(self._fold(text)))
        topic = self.kb.topics.get(found.entries[0].id)  # "为啥要18岁": its age is bind_age's
        named = topic is not None and topic.search(self._fold(text)) is not None
        return found if named or any(tok in own for tok in said) else plain

    def _guessed_whose(self, text: str, plain: Answer) -> bool:
        """The line names nothing of ours, and whose it is was only guessed from the share of
        its words another topic's lines hold, no topic or other card being named: "how much
        does a new one cost?" (other services' cost), "will someone be able to use my
        money?" (medical insurance's money) while reporting a loss lean on the loss."""
        folded = self._fold(text)
        return plain.reason.startswith("names nothing of ours") \
            and not self._topics_named(folded) and not self.kb.reading.others.search(folded)

    def sentence_for(self, text: str, answer: str) -> str | None:
        """The one sentence of `answer` (one of the base's answers, cut into sentences once,
        at start) that holds the most of the line's words (by idf), or None when no sentence
        stands out: a follow-up that the answer just given answers
        again ("要报警吗" after the scam answer) is said that sentence, not the whole again."""
        query = set(self._mended(self._tokens(self._fold(text))))
        weights = {tok: self.index.idf.get(tok, self.index.unseen) for tok in query}
        parts = self.sentences.get(answer) or []
        held = sorted(((sum(w for tok, w in weights.items() if tok in said), at)
                       for at, (_, said) in enumerate(parts)), reverse=True)
        if len(held) < 2 or not held[0][0] or held[0][0] < SENTENCE_LEAD * held[1][0] \
                or held[0][0] < SENTENCE_SHARE * sum(weights.values()):
            return None
        return parts[held[0][1]][0]

    def rank_all(self, text: str) -> tuple[list[str], list[float], list[float]]:
        """The line's query tokens (slips mended), each entry's ranking score and the share
        of the line's words it holds: what follow_up reads among a few entries only."""
        query = self._mended(self._tokens(self._fold(text)))
        return query, self.rank(query)[:len(self.kb)], self.index.coverage(query)

    def foreign_to(self, text: str, entries: Sequence[int]) -> list[list[str]]:
        """Per entry of `entries`, the line's topical words it never speaks of ([] below the
        share: foreign.py); the line is folded and cut once for all of them."""
        folded = self._fold(text)
        raw = self._tokens(folded)
        query, bare = self._mended(raw), self.kb.reading.fillers.sub(" ", folded)
        return [self.words.foreign(bare, raw, query, i) for i in entries]

    def _mended(self, raw: list[str]) -> list[str]:
        """Slips read as the words they miss ("replacment" ranks as replacement); words under
        five letters are left as typed ("play" is not "pay")."""
        if not self.mend:
            return raw
        return [self._spelled(tok) or tok if tok.isascii() and len(tok) >= 5 else tok
                for tok in raw]

    def names_whose(self, text: str) -> str:
        """Whose business the line names in its own words: "topic" for an `elsewhere:` topic's
        words (医保, pension), "other" for another card or account (银行卡), else ""."""
        folded = self._fold(text)
        if self._topics_named(folded):
            return "topic"
        return "other" if self.kb.reading.others.search(folded) else ""

    def _topics_named(self, folded: str) -> list[str]:
        """The `elsewhere:` topics whose topic words the line names (医保, pension), in order."""
        return [name for name, _ in self.kb.elsewhere
                if (topic := self.kb.topics.get(name)) is not None and topic.search(folded)]

    def _named(self, folded: str) -> str:
        """The one `elsewhere:` topic whose topic words the line names, else "": enough to
        say whose a statement is ("housing fund withdrawal"), never read from coverage."""
        named = self._topics_named(folded)
        if self.kb.reading.names.search(folded) is None:  # "支付宝被冻结了" is not our card's
            named = [name for name in named if name not in OUR_CARDS]
        if self.kb.reading.others.search(folded):  # "淘宝的验证码一直收不到" is not our code's
            named = [name for name in named if name not in OURS_UNNAMED]
        return named[0] if len(named) == 1 else ""

    def _other(self, folded: str) -> str:
        """Whose a line is, so the refusal can say where to ask; "" when unread.

        Another card or account named (`others:` 银行卡, a passport), and no other office's
        topic (医保卡 is ours by its medical name) -> other_cards. Else the
        `elsewhere:` topics whose topic words it names (医保, pension) or whose lines hold
        OTHERS_FLOOR of its topical words (今天天气怎么样 -> daily_life), the best held; our
        card's own unanswered topics (card_account, electronic_card: 余额, 激活) only when it
        names our card, as "礼品卡余额" does not. No topical word ("what is this"), or a tie
        between topics on one shared word ("is this account official"), is unread; nothing
        near enough is UNRELATED."""
        named = set(self._topics_named(folded))
        if self.kb.reading.others.search(folded) \
                and named <= {"other_cards", *OUR_CARDS, *OURS_UNNAMED}:
            return "other_cards"  # not "医保卡密码被锁了": the card by its medical name
        topical = self.kb.reading.topical(self._tokens(folded))
        if not topical and not named - {"other_cards"}:  # "who are you": its topic's words
            return ""
        ours = self.kb.reading.names.search(folded) is not None
        held = self.others.coverage(topical)
        near = [(held[i], name) for i, (name, _) in enumerate(self.kb.elsewhere)
                if name != "other_cards" and (ours or name not in OUR_CARDS)
                and (held[i] >= OTHERS_FLOOR or name in named)]  # no other card was named
        if not near:
            return UNRELATED
        near.sort(key=lambda pair: (pair[1] in named, pair[0]), reverse=True)
        if near[0][1] in named:  # its topic words first: 社保怎么转移 is contributions', though
            return near[0][1]    # 社保 alone covers several topics' lines as well
        if len(near) > 1 and near[0][0] == near[1][0] and len(set(topical)) <= 1:
            return ""
        return near[0][1]


def _language_text(text: str) -> str:
    """The language stage's normal form: the text the dialogue hands over (`heard.text`)."""
    return language_normalise(text).text


@cache
def _shared(lang: str) -> Retriever:
    return Retriever(KnowledgeBase.load(lang))
