"""Rerun the measurement behind retriever.py's choice: `python -m flows.knowledge.compare`.

For each tokenizer and ranking, the thresholds are chosen on the dev part only (a small
grid), then the held-out part is run once with them. Figures: accuracy, answers to
out-of-scope lines, and the median µs per question.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from flows.knowledge import tokens
from flows.knowledge.base import KnowledgeBase
from flows.knowledge.evaluate import KnowledgeReport, evaluate
from flows.knowledge.rankers import RANKINGS
from flows.knowledge.retriever import Retriever

FLOORS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
MARGINS = (0.0, 0.02, 0.05, 0.1)


def _builder(tokenize: Callable[[str], list[str]], ranking: str,
             knobs: tuple[float, float]) -> Callable[[str], Retriever]:
    floor, margin = knobs
    return lambda lang: Retriever(KnowledgeBase.load(lang), tokenize, ranking=ranking,
                                  floor=floor, margin=margin)


def _score(report: KnowledgeReport) -> float:
    """Accuracy, with an out-of-scope line answered costing three wrong lines (the target is 0)."""
    total = sum(g.total for g in report.groups)
    return report.accuracy() - 2 * report.out_of_scope_answered / total


def best_knobs(tokenize: Callable[[str], list[str]], ranking: str) -> tuple[float, float]:
    """The thresholds that do best on dev; of equals, the highest floor (the safest)."""
    grid = list(itertools.product(FLOORS, MARGINS))
    return max(grid, key=lambda knobs: (_score(
        evaluate(part="dev", retriever_for=_builder(tokenize, ranking, knobs))), knobs))


def main() -> None:
    tokenizers = {"bigrams": tokens.tokenize_bigrams, "mixed": tokens.tokenize,
                  "jieba": tokens.jieba_tokenizer()}
    print("tokens   ranking    floor/margin  dev     heldout  oos  choices  µs")
    for (tname, tokenize), ranking in itertools.product(tokenizers.items(), RANKINGS):
        knobs = best_knobs(tokenize, ranking)
        build = _builder(tokenize, ranking, knobs)
        dev, held = evaluate(part="dev", retriever_for=build), evaluate(retriever_for=build)
        print(f"{tname:<8} {ranking:<10} {'/'.join(map(str, knobs)):<18} "
              f"{dev.accuracy():6.1%}  {held.accuracy():6.1%}  {held.out_of_scope_answered:>3}  "
              f"{held.choices:>7}  {held.micros_median:.0f}")


if __name__ == "__main__":
    main()
