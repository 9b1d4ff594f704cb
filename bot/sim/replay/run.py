"""Replay conversation fixtures against a bot: each step done, each expectation checked.

A fixture stops at its first failing step (later steps would only fail because of it); the
outcome says which step, what was sent, what was expected and what came back.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

from bot.sim.replay.expect import describe, matches
from bot.sim.replay.fixture import Fixture, Step
from bot.sim.replay.pushed import Mark, await_pushed, bound, mark
from bot.sim.targets.base import RunSettings, SkipRun, Target, TargetError, TargetFactory, reply_of
from bot.sim.targets.placeholders import fill_placeholders


@dataclass
class Failure:
    """The first step of a fixture that did not hold."""

    step: int
    sent: str
    expected: str
    got: str


@dataclass
class Outcome:
    """One fixture's result."""

    fixture: Fixture
    steps_run: int
    failure: Failure | None
    seconds: float
    skipped: str | None = None  # why the target could not run it at all

    @property
    def ok(self) -> bool:
        return self.failure is None


def action(step: Step) -> str:
    """What a step does, as a person reads it in a report."""
    who = f"as {step.user}: "
    if step.send is not None:
        return who + f"send {step.send!r}"
    if step.event is not None:
        kind, fields = step.event
        detail = ", ".join(f"{k}={v}" for k, v in fields.items())
        return who + f"event {kind}" + (f" ({detail})" if detail else "")
    if step.review is not None:
        return who + f"review {step.review}"
    if step.backend is not None:
        if "status" in step.backend:
            return f"backend: card {step.backend['card']} becomes {step.backend['status']}"
        return f"backend: card {step.backend['bind']} bound to {step.backend['user'] or step.user}"
    if step.agent is not None:
        verb, text = step.agent
        return f"agent: {verb} {step.user}" + (f" saying {text!r}" if text else "")
    if step.subscribe is not None:
        answer = "accepts" if step.subscribe[1] else "refuses"
        return who + f"{answer} subscribe notices ({step.subscribe[0]})"
    if step.faults is not None:
        return f"faults: the next {step.faults[1]} backend call(s) take {step.faults[0]:g} s longer"
    if step.api_fault is not None:
        fault = step.api_fault
        what = f"answer {fault['errcode']}" if "errcode" in fault else \
            f"answer {fault['delay']:g} s late"
        return f"faults: the next {fault['times']} platform {fault['api']} call(s) {what}"
    return f"wait {step.wait:g} s"


def fill(text: str, fixture: Fixture, target: Target) -> str:
    """Resolve placeholders at the moment of sending; aliases are the fixture's users."""
    return fill_placeholders(text, target, lambda alias: target.openid(fixture.openid(alias)))


def run_step(step: Step, fixture: Fixture, target: Target) -> Failure | None:
    """Do one step; a Failure when the bot's answer (or the step itself) did not hold."""
    user = target.openid(fixture.openid(step.user))
    sent = action(step)
    expected = describe(step.expect) if step.expect is not None else "a valid reply"
    try:
        watched = target.openid(fixture.openid(step.to or step.user))  # whose API messages
        since = mark(target, watched) if step.pushed is not None else None
        if step.wait:
            target.advance(step.wait)
        reply: str | None = None
        if step.send is not None or step.event is not None:
            if step.send is not None:
                content = fill(step.send, fixture, target)
                kind, fields = "text", {"Content": content}
                if content != step.send:
                    sent += f" (as {content!r})"
            else:
                kind, fields = step.event
                fields = {k: fill(v, fixture, target) for k, v in fields.items()}
            delivery = target.send(kind, user, fields)
            if not delivery.ok:
                return Failure(step.index, sent, expected, f"the platform refused the answer: "
                               f"{delivery.error or f'HTTP {delivery.status}'}")
            reply = reply_of(delivery)
        elif step.review is not None:
            ref = target.decide_review(user, step.review == "approve")
            reply = f"review {ref} {step.review}d"
        elif step.backend is not None and "status" in step.backend:
            target.set_card_status(step.backend["card"], step.backend["status"])
        elif step.backend is not None:
            owner = target.openid(fixture.openid(step.backend["user"] or step.user))
            target.bind_card(step.backend["bind"], owner)
        elif step.faults is not None:
            target.arm_faults(*step.faults)
        elif step.api_fault is not None:
            target.arm_api_fault(step.api_fault)
        elif step.agent is not None:
            target.agent(step.agent[0], user, step.agent[1])
        elif step.subscribe is not None:
            target.subscribe(user, *step.subscribe)
        if step.expect is not None and not matches(step.expect, reply):
            return Failure(step.index, sent, expected, "no reply (success)" if reply is None
                           else repr(reply))
        if since is not None:
            failure = _check_pushed(step, fixture, target, since, sent, owed=(
                reply is None or step.review is not None))
            if failure is not None:
                return failure
        if step.state is not None:
            return _check_state(step, sent, target.state(user))
    except TargetError as exc:
        return Failure(step.index, sent, expected, f"error: {exc}")
    return None


def _check_pushed(step: Step, fixture: Fixture, target: Target, since: Mark, sent: str, *,
                  owed: bool) -> Failure | None:
    """Wait (bounded) for what the step sent through the API, and match it."""
    slowest = max([s.faults[0] for s in fixture.steps[: step.index - 1] if s.faults]
                  + [s.api_fault.get("delay", 0.0) for s in fixture.steps[: step.index - 1]
                     if s.api_fault], default=0.0)
    within = bound(target, slowest, review=step.review is not None)
    user = target.openid(fixture.openid(step.to or step.user))
    text = await_pushed(target, user, since, step.pushed, owed=owed, within=within)
    if matches(step.pushed, text):
        return None
    return Failure(step.index, sent, f"pushed through the API: {describe(step.pushed)}",
                   "nothing pushed" if text is None else f"pushed {text!r}")


def _check_state(step: Step, sent: str, session: dict | None) -> Failure | None:
    in_flow = session and session.get("flow")  # a pending choice alone is no flow
    got = f"{session['flow']}.{session['state']}" if in_flow else "none"
    want = step.state or "none"
    if got == want or (want.lower() in ("none", "null", "") and not in_flow):
        return None
    return Failure(step.index, sent, f"session in state {want}", f"session in state {got}")


def run_fixture(fixture: Fixture, target: Target) -> Outcome:
    """Every step in order, stopping at the first failure."""
    started = time.perf_counter()
    for count, step in enumerate(fixture.steps, 1):
        failure = run_step(step, fixture, target)
        if failure is not None:
            return Outcome(fixture, count, failure, time.perf_counter() - started)
    return Outcome(fixture, len(fixture.steps), None, time.perf_counter() - started)


def settings_of(fixture: Fixture) -> RunSettings:
    """What a fixture asks of the bot, in the targets' terms (they know nothing of fixtures)."""
    return RunSettings(seed=fixture.seed, lang=fixture.lang, today=fixture.today,
                       reply_deadline=fixture.reply_deadline)


def replay(fixtures: Iterable[Fixture], target_for: TargetFactory) -> Iterator[Outcome]:
    """Each fixture against the target its context gives (set up and released around it)."""
    for fixture in fixtures:
        with ExitStack() as stack:
            try:
                target = stack.enter_context(target_for(settings_of(fixture)))
            except SkipRun as exc:
                outcome = Outcome(fixture, 0, None, 0.0, skipped=str(exc))
            else:
                outcome = run_fixture(fixture, target)
        yield outcome

