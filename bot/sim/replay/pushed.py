"""`pushed:`: what reached the follower through the platform's API during a step, checked.

A reply the bot could not give within its deadline is answered `success` and goes out later
through `message/custom/send` (a review's outcome goes out that way too). So after the step
the replay watches the mock platform's outbound log for that follower: the texts sent since
the step began, joined by newlines, meet the same matchers as `expect:` (None: nothing).

When to judge: a matcher that more messages cannot spoil (a substring, a regex, all or any of
those) passes as soon as it holds. Any other (`""`, `{not: …}`) is judged once the message owed
was attempted — the mock took a send since the step began, refused or not, and nothing changed
for QUIET (over --url the mock counts a send as it arrives; QUIET covers the moment before it
is logged) — so `{not: 绑定成功}` means "refused", not "not yet". A step that got its
reply in time owes nothing and is judged at once. Everything gives up at the step's bound:
the turn's expected end (the deadline, or the slowest backend delay armed so far, or a review
notice's 5 s) plus COURIER_MARGIN.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sim.replay.expect import matches
from bot.sim.targets.base import Target, pushed_text

COURIER_MARGIN = 5.0  # s past the turn's end: the courier's wake-up, a token fetch, one send
REVIEW_NOTICE = 5.0  # s: the contract's bound for a review's outcome to reach the applicant
UNKNOWN_DEADLINE = 5.0  # s: a bot that does not say its deadline waits at most the platform's
QUIET = 0.3  # s with no new send and no new message before an attempt counts as settled
POLL = 0.05  # s between looks at the mock's outbound log


@dataclass(frozen=True)
class Mark:
    """Where the follower's outbound log and the mock's send count stood as the step began."""

    messages: int
    sends: int
    at: float  # time.monotonic()


def mark(target: Target, user: str) -> Mark:
    """Taken before the step acts, so everything the step caused comes after it."""
    return Mark(len(target.pushed(user)), target.sends_answered(), time.monotonic())


def monotone(expect: Any) -> bool:
    """True when more messages can only keep the matcher holding once it holds."""
    if isinstance(expect, str):
        return expect != ""
    if isinstance(expect, list):
        return all(monotone(item) for item in expect)
    if "regex" in expect:
        return True
    if "any" in expect:
        return all(monotone(item) for item in expect["any"])
    return False  # not


def bound(target: Target, slowest: float, review: bool) -> float:
    """Seconds after the step began that the owed message must have gone out by."""
    deadline = target.reply_deadline or UNKNOWN_DEADLINE
    return max(deadline, slowest, REVIEW_NOTICE if review else 0.0) + COURIER_MARGIN


def await_pushed(target: Target, user: str, since: Mark, expect: Any, *, owed: bool,
                 within: float, sleep: Callable[[float], None] = time.sleep) -> str | None:
    """The text pushed to `user` since `since` once it can be judged (see the module doc)."""
    seen, changed = -1, time.monotonic()
    while True:
        messages = target.pushed(user)[since.messages:]
        text = "\n".join(pushed_text(m) for m in messages) if messages else None
        if monotone(expect) and matches(expect, text):
            return text
        sends, now = target.sends_answered(), time.monotonic()
        if len(messages) + sends != seen:
            seen, changed = len(messages) + sends, now
        attempted = sends > since.sends and now - changed >= QUIET
        if (not owed and not monotone(expect)) or attempted or now - since.at >= within:
            return text
        sleep(POLL)
