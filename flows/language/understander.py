"""The language stage: one message in, what it means out (Rasa NLU / Dialogflow CX intents in
small). Understanding is kept apart from the dialogue: this says what was meant and how sure it
is; the dialogue decides what to do. Deterministic and explainable: every answer names its reason.

Tiers, cheapest first: the catalog's exact start words (a dict read); whole-message answers
(a number, yes / no); the message's words against the examples (sentence; an English word fixed
by edit distance makes it fuzzy); only when that is not sure enough, same-sound slips put right
(pinyin). Then negation, fact questions and how-to questions decide the act.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flows.language.choices import consent_longest, read_choice, read_consent, read_yes_no
from flows.language.clauses import (
    ASKING_NOT,
    Read,
    changed_mind,
    one_sure,
    past_refusal,
    request_after,
    split,
    taken_back,
    then_also,
)
from flows.language.matcher import NONE, Match, Matcher
from flows.language.normalise import normalise
from flows.language.segment import Parse, Segmenter
from flows.language.small_talk import kind_of, polarity, read_small_talk, small_talk_longest
from flows.language.sounds import Sounds
from flows.language.understanding import Understanding
from flows.language.urgency import Urgency, urgent_first
from flows.language.vocabulary import DATA, NOT, load_vocabulary

# asking where a service is, after its start word (not English: "where is my card" is a loss)
_WHERE = re.compile(r"(?<=.)(在哪里?|在哪儿|在什么地方|入口在哪里?|的入口|怎么进去?|从哪进去?"
                    r"|哪里进)$")
RELATED = 0.3  # a fact question or a negation names a service when its words score this much
CLAUSES_MAY = ("confirm", "none")  # the readings a clause of the message may make sure

# the refusal of a consent in so many words: only these refuse in a clause of their own
_REFUSES = re.compile(r"拒绝|不同意|不答应|不批准|\b(refuse|decline|disagree|deny|reject)")


class Understander:
    """Everything built once from data/ (both languages: people type either); then pure reads."""

    def __init__(self, lang_data_dir: Path | None = None, cache_dir: str | None = None) -> None:
        data = lang_data_dir or DATA
        self.vocabulary = load_vocabulary(data)
        self.segmenter = Segmenter(self.vocabulary, data / "words.txt", cache_dir)
        self.matcher = Matcher(self.segmenter, self.vocabulary.examples, self.vocabulary.negatives)
        self.sounds = Sounds(list(self.vocabulary.surfaces))
        self.consent_longest = consent_longest(self.vocabulary.consent)  # once, not per message
        self.small_talk_longest = small_talk_longest(self.vocabulary.small_talk)
        limits = self.vocabulary.settings["thresholds"]
        self.start, self.confirm = float(limits["start"]), float(limits["confirm"])
        self.margin, self.pinyin = float(limits["margin"]), float(limits["pinyin"])
        self.fuzzy = float(limits["fuzzy"])
        self.unsure = re.compile("|".join(f"(?:{p})" for p in self.vocabulary.unsure) or "(?!)")
        self.complaint = re.compile(
            "|".join(f"(?:{p})" for p in self.vocabulary.complaints) or "(?!)")
        settings = self.vocabulary.settings
        self.urgent = Urgency({name: tuple(unless) for name, unless
                               in settings.get("urgent", {}).items()},
                              re.compile("|".join(settings.get("handled", ())) or "(?!)"))
        self.why = re.compile("|".join(f"(?:{p})" for p in self.vocabulary.why) or "(?!)")

    @classmethod
    @cache
    def shared(cls) -> Understander:
        """One per process, on the shipped data: what the bot uses."""
        return cls()

    def understand(self, text: str) -> Understanding:
        """The whole message first; then, for a long one, what its clauses say
        (flows/language/clauses.py), each rule leaving the reading as it was or changing it:
        a request taken back by a bare no ("解绑，不用"); a request past a refusal ("社保卡不要
        跟这个号绑了，解开"); a request after a remark on a fact ("不要钱就好，那我想绑一下"); a
        sure clause after a story; an urgent service first ("社保卡丢了，密码也忘了"); and the
        services a sequence asks for next, told to follow ("…解绑了然后绑我老婆的卡"). Each
        clause is read once per message, whichever rules read it."""
        whole = self._understand(text)
        if len(split(text)) < 2:
            return whole
        read = cache(self._understand)  # this message's clauses, read once
        return then_also(text, self._clauses(text, whole, read), read)

    def _clauses(self, text: str, whole: Understanding, read: Read) -> Understanding:
        """The clause rules, in order; the first that changes the reading decides."""
        if whole.act != "negated":  # a refusal's clauses are past_refusal's
            mind = changed_mind(text, whole, read)
            if mind is not whole:
                return mind
        if whole.act in ("start", "confirm", "negated"):
            back = taken_back(text, whole, read)
            if back is not whole:
                return back
        if whole.act == "negated":
            return past_refusal(text, whole, read)
        if whole.act == "fact":
            return request_after(text, whole, read)
        if whole.act in CLAUSES_MAY:
            sure = one_sure(text, whole, read, self._negates, self.urgent.pick)
            if sure is not whole:
                return sure
        if whole.act in ("start", "confirm", "none"):
            return urgent_first(text, whole, read, self.urgent)
        return whole

    def _negates(self, text: str) -> bool:
        """Whether a negator stands in `text` once the spoken yes-or-no 不 is set aside."""
        return NOT in self.segmenter.parse(ASKING_NOT.sub(r"\1", text)).words

    def _refused_in_clauses(self, text: str) -> bool | None:
        """False when some clause of the message refuses in so many words and none agrees
        ("不行 他还小 拒绝", "no, she is too young, i refuse"); None otherwise. Only a refusal
        is read this way: an agreement beside other words ("我同意，但我想先挂失") is not one."""
        parts = split(text)
        if len(parts) < 2:
            return None
        read = [read_consent(normalise(part).text, self.vocabulary.consent,
                             self.consent_longest) for part in parts]
        refused = [part for part, kind in zip(parts, read, strict=True) if kind is False]
        if not refused or True in read or not any(_REFUSES.search(p) for p in refused):
            return None  # "不行 我要挂失": 不行 is no refusal of a consent
        reasons = [self._understand(p) for p, kind in zip(parts, read, strict=True)
                   if kind is None]  # the other clauses may only give a reason: "拒绝 我要挂
        if any(r.question or (r.act == "start" and r.intent is not None)  # 失", "不同意 为
               for r in reasons):  # 什么要收费" ask for something of their own; a middling
            return None  # reading ("这孩子": 亲情服务?) asks for nothing
        return False

    def _understand(self, text: str) -> Understanding:
        said = normalise(text)
        consent = read_consent(said.text, self.vocabulary.consent, self.consent_longest)
        if consent is None:  # "不行 他还小 拒绝": a refusal in clauses of its own, with a
            consent = self._refused_in_clauses(text)  # reason beside it, refuses
        yes_no = read_yes_no(said.text, self.vocabulary.yes, self.vocabulary.no)
        yes_no = consent if yes_no is None else yes_no
        talk = None if consent is not None else read_small_talk(
            said.text, self.vocabulary.small_talk, self.small_talk_longest)
        kind = kind_of(talk, self.vocabulary.small_talk) if talk else None
        if talk and yes_no is None:
            yes_no = polarity(talk, self.vocabulary.small_talk, self.vocabulary.yes,
                              self.vocabulary.no)
        base = dict(text=said.text, question=said.question, howto=False, candidates=(),
                    choice=read_choice(said.text), yes_no=yes_no, consent=consent,
                    unsure=bool(self.unsure.search(said.text)), small_talk=kind,
                    complaint=bool(self.complaint.search(said.text)),
                    why=bool(self.why.search(said.text)))
        exact = self.vocabulary.exact.get(said.text) or self.vocabulary.exact.get(
            _WHERE.sub("", said.text))  # "亲情服务在哪": where a service is, is that service
        if exact:
            return Understanding(**base, intent=exact, confidence=1.0, reason="exact", act="start")
        if kind in ("thanks", "bye", "ack"):  # "不用了，谢谢" asks for nothing (不用了 is no 停用)
            return Understanding(**base, intent=None, confidence=0.0, reason="none", act="none")
        if not said.text or base["choice"] is not None or base["yes_no"] is not None:
            return Understanding(**base, intent=None, confidence=0.0, reason="none", act="none")
        # the spoken yes-or-no 不 read off the message as typed: its spaces end a clause
        # ("还能干啥不 都有啥功能"), which the normal form joins up
        asking = ASKING_NOT.sub(r"\1", text) if "不" in text else text
        parse = self.segmenter.parse(said.text if asking == text else normalise(asking).text)
        ranked = self.matcher.rank(parse)
        reason, factor = ("fuzzy", self.fuzzy) if parse.fixed else ("sentence", 1.0)
        first = ranked[0].score * factor if ranked else 0.0
        if parse.unknown or first < self.start:  # a slip may be one of the unknown words
            heard = self.sounds.correct(said.text)
            if heard != said.text:
                again = self.segmenter.parse(heard)
                better = self.matcher.rank(again)
                if better and better[0].score * self.pinyin > first:
                    parse, ranked, reason, factor = again, better, "pinyin", self.pinyin
        return self._decide(base, parse, ranked, reason, factor)

    def _decide(self, base: dict, parse: Parse, ranked: list[Match], reason: str,
                factor: float) -> Understanding:
        """The act, from the best service's score and what else the words said."""
        services = [m for m in ranked if m.intent != NONE]
        top = services[0] if services else None
        score = round(top.score * factor, 3) if top else 0.0
        base = {**base, "confidence": score,
                "candidates": tuple((m.intent, round(m.score * factor, 3)) for m in services[:3])}
        def nothing() -> Understanding:  # built only for the answer given (13 fields each)
            return Understanding(**base, intent=None, reason="none", act="none")

        def fact() -> Understanding:
            return Understanding(**base, intent=None, reason=reason, act="fact")

        if parse.fact and not parse.unknown:  # 要带什么材料: nothing but fact words and fillers
            return fact()
        if top is None or (ranked[0].intent == NONE and ranked[0].score >= top.score):
            return nothing()
        if parse.fact:  # 几岁可以绑定: a fact about a service (candidates name it)
            return fact() if score >= RELATED else nothing()
        if NOT in parse.words and NOT not in top.words and score >= RELATED:  # 不想绑定
            return Understanding(**base, intent=None, reason="negated", act="negated")
        if NOT in parse.words and _refuses_by_name(parse.words, services, factor):  # 不用重置
            return Understanding(**base, intent=None, reason="negated", act="negated")
        close = len(services) > 1 and score - services[1].score * factor < self.margin
        # One known word beside words we do not know is too little to act on: 你好笨 asks.
        thin = parse.unknown > 0 and len(parse.words & top.words) < 2
        act = "start" if score >= self.start and not (close or thin) else "confirm"
        if act == "confirm" and score < self.confirm:
            return nothing()
        return Understanding(**{**base, "howto": parse.howto}, intent=top.intent, reason=reason,
                             act=act)


def _refuses_by_name(words: frozenset[str], services: list[Match], factor: float) -> bool:
    """"不用重置", "不要重发": cancel ranks first on the negator alone (its examples say 不办),
    while the word the message names is another service's; that service is refused."""
    top = services[0]
    if top.intent != "cancel" or not words & top.words <= {NOT}:
        return False
    named = next((m for m in services[1:] if m.intent != "cancel"), None)
    return named is not None and named.score * factor >= RELATED and bool(
        (words & named.words) - {NOT})

