"""What was just talked about, so a follow-up can lean on it ("那要多久" after a loss report).

Why a module of its own: the conversation forgot a service the moment it ended, and an answer
the moment it was said, so "how long will that take?", "多少钱", "那孩子呢" met "答不上来"
right after the bot had named what they ask about. The topic is the last answer given
(`answers`, by entry id) or the last service that ended (`services`, by flow name and its
final state), kept in the session as [kind, id, at] for FOLLOW_UP seconds while no service
runs; a service under way is its own topic, so starting one drops it, and one who
unsubscribes keeps none. flows.knowledge.follow_up reads a line against it.
"""

from __future__ import annotations

from collections.abc import Mapping

from flows.base import Flow, Turn

KEY = "topic"
DONE = "done"  # [flow name, at]: the service that ended last, and did what it was for
FOLLOW_UP = 600  # seconds: a question this soon after an answer or a service may lean on it
# The endings that did what the service is for: only their service is not offered again ("需要
# 现在办理挂失吗" after a report). After three wrong IDs or no phone the offer still helps.
SUCCEEDED = frozenset({"done", "bound", "reported", "lifted", "unbound", "review_opened",
                       "member_added", "removed", "shown", "listed"})


def of(session: Mapping | None, now: float) -> tuple[str, str] | None:
    """The topic a follow-up may lean on now: (kind, id), or None (none, or too old)."""
    kept = (session or {}).get(KEY)
    if not kept or now - kept[2] > FOLLOW_UP:
        return None
    return kept[0], kept[1]


def answered(session: dict | None, entry_id: str, turn: Turn) -> dict:
    """`session` with the answer just given as the topic."""
    return {**(session or {}), KEY: ["answers", entry_id, turn.clock.now()]}


def done(session: Mapping | None, now: float) -> str | None:
    """The service that ended within FOLLOW_UP seconds, though answers came after it: its
    offer is not made again ("补卡要带啥" after a loss report, and after "那要多久" too)."""
    kept = (session or {}).get(DONE)
    return kept[0] if kept and now - kept[1] <= FOLLOW_UP else None


def keep(turn: Turn, before: Mapping | None, after: dict | None,
         flows: Mapping[str, type[Flow]]) -> dict | None:
    """The session to keep, with its topic: the service that ended this turn, else the answer
    this turn gave (already in `after`), else the topic before while it is fresh."""
    if after is not None and after.get("flow"):
        return after  # a service under way is its own topic
    now = turn.clock.now()
    ended = next(((name, dest) for name, _, dest in turn.trace[-1:]
                  if name in flows and flows[name].specs.get(dest, {}).get("final")), None)
    if ended is not None:  # the topic names how it ended ("forgot_password.done": a reset
        name, dest = ended  # in effect, no review to wait for), the next entries read by it
        kept = {**(after or {}), KEY: ["services", f"{name}.{dest}", now]}
        return {**kept, DONE: [name, now]} if dest in SUCCEEDED else kept
    kept = {key: (before or {})[key] for key in (KEY, DONE) if key in (before or {})}
    if of(before, now) is None:
        kept.pop(KEY, None)
    if done(before, now) is None:
        kept.pop(DONE, None)
    if not kept and after is None:
        return None
    return {**kept, **(after or {})}  # this turn's answer, if any, is the newer topic
