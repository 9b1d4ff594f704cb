"""What card holders ask, answered from a knowledge base (data/<lang>.yaml) by retrieval.

Pure: no IO per message, nothing from `bot` or Flask. The data is read once per process.
    Retriever.shared("zh_CN").answer("社保卡能干什么")  -> Answer(kind="one", entries=(Entry,), ...)
"""

from flows.knowledge.base import Entry, KnowledgeBase
from flows.knowledge.evaluate import KnowledgeReport, evaluate, format_report
from flows.knowledge.retriever import Answer, Retriever

__all__ = ["Answer", "Entry", "KnowledgeBase", "KnowledgeReport", "Retriever", "evaluate",
           "format_report"]
