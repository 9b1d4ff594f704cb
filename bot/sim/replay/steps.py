"""One fixture step, checked: what it does, who does it, what must come of it (see fixture.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.sim.replay.expect import ExpectError, check_expect
from bot.sim.replay.step_faults import api_fault, backend_fault
from bot.sim.targets.placeholders import PLACEHOLDER
from bot.sim.wire.shorthand import EventError, parse_event, seconds

DEFAULT_USER = "oReplayUser0001"
ACTIONS = ("send", "event", "wait", "review", "backend", "faults", "agent", "subscribe")
AGENT_FORMS = "{take: alias}, {say: TEXT, to: alias} or {close: alias}"
CARD_STATUSES = ("active", "lost", "frozen")
STEP_KEYS = {*ACTIONS, "as", "expect", "pushed", "to", "state", "note"}


class FixtureError(ValueError):
    """A malformed fixture: names the file and the field, and what would be right."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")
        self.path, self.where, self.problem = str(path), where, problem


@dataclass
class Step:
    """One thing a follower (or the test) does, and what must come of it."""

    index: int  # 1-based, as people count steps
    user: str  # an alias of `users:`, or the openid itself when there are none
    send: str | None = None
    event: tuple[str, dict[str, str]] | None = None  # (kind, fields)
    wait: float = 0.0
    review: str | None = None  # approve | reject
    backend: dict[str, str] | None = None  # {card, status} or {bind: card, user: alias|None}
    faults: tuple[float, int] | None = None  # (backend delay in seconds, calls it applies to)
    api_fault: dict[str, Any] | None = None  # {api, errcode | delay, times}: the mock platform
    agent: tuple[str, str | None] | None = None  # (take | say | close, what the agent says)
    subscribe: tuple[str, bool] | None = None  # (notice kind or template id, accepted)
    expect: Any = None  # canonical (bot/sim/replay/expect.py); None: no check
    pushed: Any = None  # the same, on what reached the follower through the API (pushed.py)
    to: str | None = None  # whose API messages `pushed` reads (an alias); None: the step's user
    state: str | None = None  # flow.state, or none
    raw: dict = field(default_factory=dict)

    @property
    def expects_reply(self) -> bool:
        """Whether the step has something to check against the bot's reply."""
        return self.expect is not None


def parse_step(path: Path, users: dict[str, str], index: int, raw: Any) -> Step:
    """A step from its YAML mapping; raises FixtureError naming steps[N].key."""
    where = f"steps[{index}]"
    if not isinstance(raw, dict):
        raise FixtureError(path, where, "a step is a mapping like {send: 你好, expect: 菜单}")
    if unknown := sorted(set(map(str, raw)) - STEP_KEYS):
        raise FixtureError(path, f"{where}.{unknown[0]}",
                           f"unknown key (known: {', '.join(sorted(STEP_KEYS))})")
    actions = [key for key in ACTIONS if key in raw and key != "wait"]
    if len(actions) > 1 or not (actions or "wait" in raw):
        raise FixtureError(path, where, "needs exactly one of send / event / review / backend / "
                           "faults / agent / subscribe, or a wait")
    if not set(actions) & {"send", "event", "review"} and "expect" in raw:
        raise FixtureError(path, f"{where}.expect", "a wait, backend, faults, agent or subscribe "
                           "step says nothing to the bot; put the expectation on the next step")
    acted_on = _agent_alias(raw.get("agent")) if "agent" in raw else None
    step = Step(index, str(raw.get("as") or acted_on or next(iter(users), DEFAULT_USER)),
                raw=raw)
    if users and step.user not in users:
        raise FixtureError(path, f"{where}.as", f"unknown user {step.user!r} (have: "
                           f"{', '.join(users)})")
    for key in ("wait", "send", "event", "review", "backend", "faults", "agent", "subscribe",
                "expect",
                "pushed", "to", "state"):
        if key in raw:
            try:
                _read(step, key, raw[key])
            except (ValueError, ExpectError, EventError) as exc:
                raise FixtureError(path, f"{where}.{key}", str(exc)) from None
    if step.to is not None and (step.pushed is None or (users and step.to not in users)):
        raise FixtureError(path, f"{where}.to", "`to` names a user alias whose API messages "
                           "`pushed` reads; it needs `pushed` beside it")
    bound_to = (step.backend or {}).get("user")
    if bound_to and users and bound_to not in users:
        raise FixtureError(path, f"{where}.backend.bind.user", f"unknown user {bound_to!r}")
    for kind, value in PLACEHOLDER.findall(step.send or ""):
        if kind == "user" and value not in users:
            raise FixtureError(path, f"{where}.send", f"{{user:{value}}}: no such user alias")
        if kind != "user" and not value.strip():
            raise FixtureError(path, f"{where}.send", f"{{{kind}:PHONE}} needs a phone number")
    return step


def _read(step: Step, key: str, value: Any) -> None:
    if key == "wait":
        step.wait = seconds(value)
    elif key == "send":
        step.send = "" if value is None else _text(value)
    elif key == "event":
        step.event = parse_event(value)
    elif key == "review":
        if value not in ("approve", "reject"):
            raise ValueError(f"must be approve or reject, not {value!r}")
        step.review = value
    elif key == "backend":
        step.backend = _backend_change(value)
    elif key == "faults" and isinstance(value, dict) and "api" in value:
        step.api_fault = api_fault(value)
    elif key == "faults":
        step.faults = backend_fault(value)
    elif key == "agent":
        step.agent = _agent(value)
    elif key == "subscribe":
        step.subscribe = _subscribe(value)
    elif key == "expect":
        step.expect = check_expect(value)
    elif key == "pushed":
        step.pushed = check_expect(value)
    elif key == "to":
        step.to = _text(value)
    elif key == "state" and value is not None:
        step.state = _text(value)


def _backend_change(value: Any) -> dict[str, str]:
    """`{card: N, status: lost}` or `{bind: N}` / `{bind: {card: N, user: alias}}`."""
    if isinstance(value, dict) and set(value) == {"card", "status"}:
        if value["status"] not in CARD_STATUSES:
            raise ValueError(f"status must be one of {', '.join(CARD_STATUSES)}")
        return {"card": _text(value["card"]), "status": value["status"]}
    if isinstance(value, dict) and set(value) == {"bind"}:
        bind = value["bind"]
        if isinstance(bind, str):
            return {"bind": bind, "user": ""}
        if isinstance(bind, dict) and "card" in bind and set(bind) <= {"card", "user"}:
            return {"bind": _text(bind["card"]), "user": _text(bind.get("user") or "")}
    raise ValueError("a backend change is {card: A12345678, status: lost|frozen|active} or "
                     "{bind: {card: A12345678, user: alias}} (user: the step's, if left out)")


def _agent_alias(value: Any) -> str | None:
    if isinstance(value, dict):
        alias = value.get("to") if "say" in value else value.get("take", value.get("close"))
        return str(alias) if isinstance(alias, str) and alias else None
    return None


def _agent(value: Any) -> tuple[str, str | None]:
    """The person at the customer-service tool: take / say to / close a follower."""
    if isinstance(value, dict) and set(value) in ({"take"}, {"close"}) and _agent_alias(value):
        return next(iter(value)), None
    if isinstance(value, dict) and set(value) == {"say", "to"} and _agent_alias(value):
        return "say", _text(value["say"])
    raise ValueError(f"an agent step is {AGENT_FORMS}")


def _subscribe(value: Any) -> tuple[str, bool]:
    """The follower's answer to the subscribe-notice popup: `{accept: review}` or
    `{refuse: TEMPLATE_ID}` (a notice kind, or one of the account's template ids)."""
    if isinstance(value, dict) and len(value) == 1 and set(value) <= {"accept", "refuse"} \
            and isinstance(next(iter(value.values())), str) and next(iter(value.values())):
        return next(iter(value.values())), "accept" in value
    raise ValueError("a subscribe step is {accept: review} or {refuse: guardian} (a notice "
                     "kind, or a template id)")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text, got {type(value).__name__} {value!r}")
    return value
