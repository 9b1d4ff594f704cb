"""Which intent's examples a message's words are closest to: a weighted overlap, built at start.

Each example sentence becomes a set of canonical words (identical sets are kept once). A word
weighs more the fewer intents use it (绑定 tells more than 社保卡), like an inverse document
frequency learnt from our own examples. A message scores against an example by the weighted
Dice overlap 2·W(both) / (W(message) + W(example)); words we have never seen count against it,
so an unrelated sentence that shares one word with a service stays low. An inverted index means
only the examples sharing a word with the message are scored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from flows.language.segment import Parse, Segmenter
from flows.language.vocabulary import NOT

NONE = ""  # the class of the negative sentences: closest to one of them means no intent


@dataclass(frozen=True)
class Match:
    """One intent's best example for a message."""

    intent: str
    score: float
    words: frozenset[str]  # the example's words (negation is read against them)


class Matcher:
    """The examples of every intent, indexed by word."""

    def __init__(self, segmenter: Segmenter, examples: dict[str, tuple[str, ...]],
                 negatives: tuple[str, ...]) -> None:
        labelled = [(i, e) for i, sentences in examples.items() for e in sentences]
        labelled += [(NONE, n) for n in negatives]
        segmenter.learn([sentence for _, sentence in labelled])
        bags: dict[tuple[str, frozenset[str]], None] = {}
        for intent, sentence in labelled:
            words = segmenter.parse(sentence).words
            if words:
                bags[(intent, words)] = None
        classes = {intent for intent, _ in bags}
        users: dict[str, set[str]] = defaultdict(set)
        for intent, words in bags:
            for word in words:
                users[word].add(intent)
        self.weight = {w: 1.0 + math.log(len(classes) / len(c)) for w, c in users.items()}
        # fsum and sorted words: the same scores in every process, whatever the hash seed
        self.bags = [(i, words, math.fsum(self.weight[w] for w in words)) for i, words in bags]
        self.index: dict[str, list[int]] = defaultdict(list)
        for n, (_, words, _) in enumerate(self.bags):
            for word in words:
                self.index[word].append(n)
        self.index = dict(self.index)

    def rank(self, parse: Parse) -> list[Match]:
        """Every class that shares a word with the message, best first (ties: by name)."""
        known = sorted(w for w in parse.words if w in self.weight)
        mass = math.fsum(self.weight[w] for w in known) + parse.unknown
        mass += len(parse.words) - len(known)  # canonical words no example uses
        overlap: dict[int, float] = defaultdict(float)
        for word in known:
            weight = self.weight[word]
            for n in self.index[word]:
                overlap[n] += weight
        best: dict[str, Match] = {}
        negated = NOT in parse.words or parse.fact  # a fact asked names its service by
        # any example ("…要多久"): only a request reads the negator as half its meaning
        for n, shared in overlap.items():
            intent, words, total = self.bags[n]
            if NOT in words and not negated and len(words & parse.words) < 2:  # "how do
                continue  # i do it" is no "dont want to do this anymore": a negated
                # example shares more than one word with a line that has no negator
            score = 2 * shared / (mass + total)
            if intent not in best or score > best[intent].score:
                best[intent] = Match(intent, score, words)
        return sorted(best.values(), key=lambda m: (-m.score, m.intent))
