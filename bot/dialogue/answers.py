"""Knowledge answers for the dialogue: the retriever of the language the follower typed in,
and each entry said in the bot's language (flows/knowledge keeps the same ids in both).

People type either language whatever BOT_LANG says, as they do for start words; the
answer is read from the knowledge base of the text's script and said in the catalog's.
"""

from __future__ import annotations

import re

from flows.catalog import LANGS
from flows.knowledge import Answer, Entry, KnowledgeBase, Retriever, follow_up
from flows.language import Understanding


class Answers:
    """Built once per app (the retrievers and bases are cached per process)."""

    def __init__(self) -> None:
        self.retrievers = {lang: Retriever.shared(lang) for lang in LANGS}
        self.bases = {lang: KnowledgeBase.load(lang) for lang in LANGS}

    def answer(self, heard: Understanding, asked: bool = False) -> Answer:
        """The retriever's answer; `asked` reads a statement as the question it implies
        ("补卡" as "补卡？"), which the retriever otherwise leaves to the flows. A question
        mark typed is kept: the normal form drops it, and "…click a link to unfreeze.
        real??" was no question to the retriever (the knowledge report reads lines as
        typed, mark and all)."""
        lang = "en" if heard.text.isascii() else "zh_CN"
        return self.retrievers[lang].answer(_asked(heard, asked))

    def answer_in(self, heard: Understanding, service: str) -> Answer:
        """The answer to a question asked inside `service` (its title, as the bot says it);
        the title is left out when it is in the other script than the question."""
        lang = "en" if heard.text.isascii() else "zh_CN"
        if service.isascii() != heard.text.isascii():
            return self.retrievers[lang].answer(heard.text)
        return self.retrievers[lang].answer_in(_asked(heard), service)

    def follow_up(self, heard: Understanding, kind: str, after: str,
                  plain: Answer | None = None) -> Answer:
        """The answer to a short question right after the answer or service `after`
        ("那要多久" after a loss report): flows.knowledge.follow_up; `plain`, this class's
        `answer(heard)` already found, is not looked for again."""
        lang = "en" if heard.text.isascii() else "zh_CN"
        return follow_up(self.retrievers[lang], _asked(heard), kind,  # type: ignore[arg-type]
                         after, plain)

    def sentence(self, heard: Understanding, entry_id: str, lang: str) -> str | None:
        """The sentence of the entry's answer in `lang` that the line asks about again, when
        one stands out (Retriever.sentence_for); None when the line is in the other script."""
        if heard.text.isascii() != (lang == "en"):
            return None
        return self.retrievers[lang].sentence_for(heard.text, self.entry(entry_id, lang).answer)

    def sentence_saying(self, entry_id: str, lang: str, pattern: re.Pattern[str]) -> str | None:
        """The first sentence of the entry's answer that says `pattern` ("已经告诉了别人的话：…"
        for a code given away), or None."""
        answer = self.entry(entry_id, lang).answer
        return next((text for text, _ in self.retrievers[lang].sentences.get(answer, [])
                     if pattern.search(text)), None)

    def names_topic(self, heard: Understanding, entry_id: str, lang: str) -> bool:
        """Whether the line names the entry's own topic in its words ("补卡要带啥": reissue's):
        asked of it in so many words, the answer is said again whole."""
        topic = self.bases[lang].topics.get(entry_id)
        return topic is not None and topic.search(heard.text) is not None

    def entry(self, entry_id: str, lang: str) -> Entry:
        return self.bases[lang].get(entry_id)

    def label(self, entry_id: str, lang: str) -> str:
        """How a numbered choice names an entry: its first phrasing, as a question."""
        return self.entry(entry_id, lang).questions[0]


def _asked(heard: Understanding, asked: bool = False) -> str:
    """The line as the retriever reads it: the normal form, with the question mark it had."""
    return heard.text + ("?" if asked or heard.question else "")
