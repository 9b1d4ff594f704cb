"""Conversation fixtures (docs/fixtures.md): load one YAML file into checked, typed steps.

```yaml
name: 成年人绑定社保卡          # optional: defaults to the file's stem
today: 2026-11-22             # the date the bot sees (10:00 Asia/Shanghai); optional
seed: ../backend.yaml         # backend seed, relative to this file; optional; also
                              # wxbot:backend.yaml (shipped) or the seed document itself
lang: zh_CN                   # zh_CN | en; optional
users: {alice: oAlice0001}    # aliases; optional (the first is the default sender)
steps:
  - send: 绑定社保卡            # a text message; placeholders below
    expect: 身份证号            # see replay/expect.py: substring | list | {regex} | {not} | ""
```

A step does one thing: `send: TEXT`, `event: EVENT`, `wait: SECONDS`, `review: DECISION`,
`backend: CHANGE` or `faults: FAULTS`.
Extensions beyond the contract:
- `as: alias` — who does it (default: the first user, else DEFAULT_USER).
- `event:` — `subscribe`, `unsubscribe`, `image`, `voice`, `video`, `shortvideo`, `location`,
  `link`, `file`, any kind of bot/sim/wire/kinds.py (`event_view`…), or one-key mappings
  `{click: KEY}`, `{view: URL}`, `{scan: KEY}`, `{subscribe: SCENE}`, `{voice: RECOGNISED}`,
  `{location: [X, Y]}`, `{<kind>: {Field: value, …}}` (explicit fields).
- `wait: 901` (also `30s`, `16m`, `1h`) — advance the bot's clock, alone or before the action.
- `review: approve|reject` — decide the acting user's latest pending offline review.
- `backend:` — change the mock backend mid-conversation (as a counter clerk would), in process
  and over `--url` (POST /backend/v1/cards/<n>/status, /backend/v1/rpc/bind):
  `{card: A12345678, status: lost}` (lost | frozen | active), or
  `{bind: {card: A20000002, user: alias}}` bind a card to that follower (default: the step's).
- `faults: {backend_delay: 6}` — the next backend call takes 6 s longer, on a real sleep
  (`times: K` for the next K calls; at most 30 s); over `--url`, POST /backend/v1/faults.
  `faults: {api: custom, errcode: 45047}` / `{api: custom, delay: 3}` (`times: K`): the mock
  platform API's next calls of that API fail or answer late (POST /sim/api/faults).
  Neither step says anything to the bot, so neither takes `expect:`.
- `state: flow.state` — after the step, the user's session is in that state; `none`: no session.
- `pushed: EXPECT` (any step) — what reached the follower through the platform's API since the
  step began, with expect's matchers; waited for, bounded (replay/pushed.py). With no `expect:`
  the passive `success` passes. Top-level `reply_deadline: 1` sets BOT_REPLY_DEADLINE in
  process; over --url such a fixture is skipped unless the server's /healthz says the same.
- `expect:` also takes `{any: [...]}`; `note:` (step) and `description:` (top) are comments.
- `report_location` (event): the LOCATION event a follower's phone reports.
- Placeholders in `send` (and event values): `{sms:PHONE}` the latest code the mock texted to
  PHONE; `{previous_sms:PHONE}` the one before it (a stale code); `{wrong_sms:PHONE}` six
  digits that are surely not that code (lockout tests);
  `{user:alias}` that alias's openid (as actually used: suffixed over --url).
Scalars stay text as written (`send: 012345` sends "012345"); `expect:` with no value means "".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.sim.replay.discovery import discover
from bot.sim.replay.steps import DEFAULT_USER, FixtureError, Step, parse_step
from bot.sim.targets.seeds import resolve
from flows.catalog import LANGS

__all__ = ["DEFAULT_USER", "Fixture", "FixtureError", "Step", "discover", "load_fixture"]
TOP_KEYS = {"name", "today", "seed", "lang", "users", "steps", "description", "reply_deadline"}
PLATFORM_WAIT = 5.0  # s the platform waits for a passive reply: a deadline must be below it


class _TextLoader(yaml.SafeLoader):
    """SafeLoader that keeps numbers, yes/no and dates as the text written (IDs, codes…)."""


_AS_TEXT = (":int", ":float", ":bool", ":timestamp")
_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(_AS_TEXT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Fixture:
    """A checked conversation fixture."""

    path: Path
    name: str
    steps: list[Step]
    today: date | None = None
    seed: Path | dict | None = None  # a file, or the seed document embedded in the fixture
    lang: str | None = None
    users: dict[str, str] = field(default_factory=dict)
    reply_deadline: float | None = None  # seconds; None: the bot's own BOT_REPLY_DEADLINE

    def openid(self, alias: str) -> str:
        """The openid behind an alias (an unknown alias is taken as an openid)."""
        return self.users.get(alias, alias)


def load_fixture(path: str | Path) -> Fixture:
    """Read and check a fixture; raises FixtureError naming the file and field."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader)
    except OSError as exc:
        raise FixtureError(path, "", f"cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise FixtureError(path, "", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise FixtureError(path, "", "a fixture is a mapping with at least `steps:`")
    if unknown := sorted(set(map(str, data)) - TOP_KEYS):
        known = ", ".join(sorted(TOP_KEYS))
        raise FixtureError(path, unknown[0], f"unknown field (known: {known})")
    fixture = Fixture(path, _text(path, "name", data.get("name") or path.stem), [])
    fixture.today = _today(path, data.get("today"))
    if data.get("seed") is not None:
        fixture.seed = _seed(path, data["seed"])
    if data.get("lang") is not None:
        fixture.lang = _text(path, "lang", data["lang"])
        if fixture.lang not in LANGS:
            raise FixtureError(path, "lang", f"{fixture.lang!r} is not one of {', '.join(LANGS)}")
    fixture.users = _users(path, data.get("users"))
    fixture.reply_deadline = _deadline(path, data.get("reply_deadline"))
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise FixtureError(path, "steps", "must be a non-empty list of steps")
    fixture.steps = [parse_step(path, fixture.users, i, raw)
                     for i, raw in enumerate(steps, 1)]
    return fixture


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise FixtureError(path, where, f"must be text, got {type(value).__name__}")
    return value


def _seed(path: Path, value: Any) -> Path | dict:
    try:
        return resolve(value, path.parent, path)
    except ValueError as exc:
        raise FixtureError(path, "seed", str(exc)) from None


def _today(path: Path, value: Any) -> date | None:
    if isinstance(value, datetime):
        raise FixtureError(path, "today", "a date YYYY-MM-DD, without a time (10:00 is used)")
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FixtureError(path, "today", f"{value!r} is not a date YYYY-MM-DD") from None


def _deadline(path: Path, value: Any) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 < seconds < PLATFORM_WAIT:
        raise FixtureError(path, "reply_deadline", f"seconds above 0 and below the platform's "
                           f"{PLATFORM_WAIT:g}, like 1 (got {value!r})")
    return seconds


def _users(path: Path, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise FixtureError(path, "users", "must map aliases to openids, e.g. {alice: oAlice0001}")
    return {str(alias): openid for alias, openid in value.items()}
