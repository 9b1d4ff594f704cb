"""What a fixture step expects of the bot's reply, checked and described in one place.

Forms: `"text"` (a substring), `""` (no reply: `success` or an empty body), `[a, b]` (all of
them), `{regex: PATTERN}` (re.search), `{not: EXPECT}`, and the extensions `{any: [a, b]}` and
`{transfer: true}` (the hand-over reply, transfer_customer_service). A reply is the text of a
text reply, `<KIND reply>` for another kind (bot/sim/targets/base.py), or None for nothing.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sim.targets.base import TRANSFER_SEEN

FORMS = ("a substring, \"\" (no reply), a list (all), {regex: …}, {not: …}, {any: […]} or "
         "{transfer: true}")


class ExpectError(ValueError):
    """An `expect:` that is not one of the known forms."""


def check_expect(raw: Any) -> Any:
    """The expectation in canonical form (regexes compiled); raises ExpectError if malformed."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):
        if not raw:
            raise ExpectError("an empty list expects nothing; leave `expect:` out instead")
        return [check_expect(item) for item in raw]
    if isinstance(raw, dict) and len(raw) == 1:
        (form, value), = raw.items()
        if form == "regex":
            if not isinstance(value, str):
                raise ExpectError("{regex: …} takes a pattern as text")
            try:
                return {"regex": re.compile(value)}
            except re.error as exc:
                raise ExpectError(f"bad regex {value!r}: {exc}") from None
        if form == "not":
            return {"not": check_expect(value)}
        if form == "transfer":  # fixtures keep yes/no as text (bot/sim/replay/fixture.py)
            said = str(value).lower()
            if isinstance(value, bool) or said in ("true", "false", "yes", "no"):
                return {"transfer": said in ("true", "yes")}
            raise ExpectError("{transfer: …} takes true or false")
        if form == "any" and isinstance(value, list) and value:
            return {"any": [check_expect(item) for item in value]}
    raise ExpectError(f"expect must be {FORMS}; got {raw!r}")


def matches(expect: Any, reply: str | None) -> bool:
    """True when the reply (None: nothing said) meets the canonical expectation."""
    if isinstance(expect, str):
        return reply is None if expect == "" else reply is not None and expect in reply
    if isinstance(expect, list):
        return all(matches(item, reply) for item in expect)
    if "regex" in expect:
        return reply is not None and expect["regex"].search(reply) is not None
    if "not" in expect:
        return not matches(expect["not"], reply)
    if "transfer" in expect:
        return (reply == TRANSFER_SEEN) is expect["transfer"]
    return any(matches(item, reply) for item in expect["any"])


def describe(expect: Any) -> str:
    """The expectation as a person reads it in a failure report."""
    if isinstance(expect, str):
        return "no reply (success)" if expect == "" else f"contains {expect!r}"
    if isinstance(expect, list):
        return " and ".join(describe(item) for item in expect)
    if "regex" in expect:
        return f"matches /{expect['regex'].pattern}/"
    if "not" in expect:
        return f"not ({describe(expect['not'])})"
    if "transfer" in expect:
        return f"{'' if expect['transfer'] else 'no '}transfer to customer service"
    return "any of (" + "; ".join(describe(item) for item in expect["any"]) + ")"


def plain(expect: Any) -> Any:
    """The expectation back in YAML/JSON form (patterns as text), for records and reports."""
    if isinstance(expect, list):
        return [plain(item) for item in expect]
    if isinstance(expect, dict):
        (form, value), = expect.items()
        if form == "regex":
            return {"regex": value.pattern}
        return {form: plain(value)}
    return expect
