"""What the foreign-word rule costs and gains on lines it never read.

`python -m flows.knowledge.crossval`:

The retriever reads the dev lines as each entry's own words (`KnowledgeBase.examples`), so
its dev figures flatter it. Here dev is cut into FOLDS parts; each part is answered by a
retriever whose examples are the other parts, with the rule (`foreign=FOREIGN`) and without
(`foreign=0`). The held-out part is not touched: its figures stay a once-per-round run.
"""

from __future__ import annotations

import random

from flows.knowledge.base import LANGS, KnowledgeBase
from flows.knowledge.evaluate import is_right
from flows.knowledge.foreign import FOREIGN
from flows.knowledge.questions import by_entry, question_set
from flows.knowledge.retriever import Retriever

FOLDS = 5


def crossval(lang: str, foreign: int, seed: int = 1) -> tuple[int, int, int]:
    """(right, out-of-scope answered, lines) over dev, each line answered by a retriever
    that read the other folds' examples only."""
    base, dev = KnowledgeBase.load(lang), question_set()[lang]["dev"]
    order = list(range(len(dev)))
    random.Random(seed).shuffle(order)
    right = answered = 0
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        kb = KnowledgeBase(lang, base.entries, base.reading, base.elsewhere, base.topics,
                           by_entry(line for i, line in enumerate(dev) if i not in held))
        retriever = Retriever(kb, foreign=foreign)
        for i in held:
            text, label = dev[i]
            answer = retriever.answer(text)
            right += is_right(answer, label)
            answered += label == "none" and answer.kind != "none"
    return right, answered, len(dev)


def main() -> None:
    print(f"dev, {FOLDS}-fold: right / lines, out-of-scope lines answered")
    for lang in LANGS:
        for foreign in (0, FOREIGN):
            right, answered, total = crossval(lang, foreign)
            print(f"  {lang:<5} foreign={foreign}: {right}/{total} = {right / total:.1%}, "
                  f"{answered} out of scope answered")


if __name__ == "__main__":
    main()
