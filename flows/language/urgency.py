"""Urgent services first: a message asking for a loss report beside another service
("社保卡丢了，密码也忘了") starts the report and tells the other to follow, since a lost card
can be used by whoever holds it. Which services are urgent, what takes their urgency away
and what tells a matter as dealt with are data (data/common.yaml `urgent:`, `handled:`).

Like clauses.py, this reads clauses with the understander's reading passed in (`read`) and
returns the whole message's reading, changed or as it was.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from flows.language.clauses import Read, split
from flows.language.understanding import Understanding


@dataclass(frozen=True)
class Urgency:
    """Services started first when a clause asks for them beside another (data/common.yaml
    `urgent:`), unless a service listed with them is asked too, and never when the message
    tells the matter as dealt with or past (`handled:`: "卡丢了已经挂失了，密码也忘了",
    "上个月卡丢了已经补办了新卡，现在密码忘了")."""

    first: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    handled: re.Pattern[str] = re.compile("(?!)")

    def pick(self, text: str, started: Collection[str]) -> str | None:
        """The urgent service among those the clauses start, if it is to go first."""
        if self.handled.search(text):
            return None
        return next((name for name, unless in self.first.items() if name in started
                     and not set(unless) & set(started)), None)


def urgent_first(text: str, whole: Understanding, read: Read, urgent: Urgency) -> Understanding:
    """A message whose clauses start an urgent service besides another ("社保卡丢了，密码也忘了"
    reads whole as the reset; "我卡丢了顺便密码也忘了怎么办" asks of it): the urgent one starts,
    the others are told to follow (`also`). Nothing changes when a clause takes a service
    back, or the urgent clause itself asks ("卡丢了要钱吗" is owed its answer)."""
    parts = split(text)
    if not urgent.first or len(parts) < 2:
        return whole
    heard = [read(part) for part in parts]
    if any(each.intent == "cancel" or each.act == "negated" for each in heard):
        return whole
    started = [each.intent for each in heard if each.act == "start" and each.intent is not None]
    first = urgent.pick(whole.text, [each.intent for each in heard
                                     if each.act == "start" and not each.question])
    if first is None or set(started) == {first}:
        return whole
    also = tuple(dict.fromkeys(i for i in (whole.intent, *started) if i not in (first, None)))
    said = next(each for each in heard if each.intent == first)
    return replace(whole, intent=first, act="start", confidence=said.confidence,
                   reason="clause", howto=said.howto,
                   candidates=said.candidates or ((first, said.confidence),), also=also)
