"""What card holders ask, answered from a knowledge base (data/<lang>.yaml) by retrieval.

Pure: no IO per message, nothing from `bot` or Flask; each language's data is read once.

    answer = Retriever.shared("zh_CN").answer("社保卡能干什么")
    answer.kind      # "one": say answer.entries[0].answer, then offer its .service if any
                     # "choices": number answer.entries (2-3) and let the person pick
                     # "none": not ours (not a question, a flow's start word, off topic)
    answer.score, answer.reason   # for the inspector: why this decision
    answer.elsewhere # a "none" that is not ours: whose it is (pension, daily_life, UNRELATED…)

The retriever reads the language stage's normal form (flows.language.normalise), so
`answer(heard.text)` and `answer(raw text)` decide alike; tokenize= and normalise= replace
the defaults. `evaluate()` / `format_report()` measure it on data/questions.yaml
(wxbot understand --eval), with how many questions the dialogue starts a service for
instead of answering (`starts`: the rule Questions.before_start follows).
"""

from flows.knowledge.base import Entry, KnowledgeBase
from flows.knowledge.evaluate import KnowledgeReport, evaluate, format_report
from flows.knowledge.follow_up import follow_up
from flows.knowledge.retriever import NEIGHBOUR, OVER_SERVICES, UNRELATED, Answer, Retriever
from flows.knowledge.routing import said_first, starts

__all__ = ["NEIGHBOUR", "OVER_SERVICES", "UNRELATED", "Answer", "Entry", "KnowledgeBase",
           "KnowledgeReport", "Retriever", "evaluate", "follow_up", "format_report", "said_first",
           "starts"]
