"""Values a step names but only the bot knows when it runs: the SMS code, a follower's openid."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.sim.targets.base import Target, TargetError

PLACEHOLDER = re.compile(r"\{(sms|previous_sms|wrong_sms|user):([^{}]*)\}")


def latest_code(target: Target, phone: str, back: int = 1) -> str:
    """The latest code the mock texted to `phone` (`back=2`: the one before it); a TargetError
    when it sent fewer."""
    outbox = target.sms(phone)
    if len(outbox) < back:
        raise TargetError(f"no SMS was sent to {phone}" if back == 1
                          else f"fewer than {back} SMS were sent to {phone}")
    return str(outbox[-back]["code"])


def fill_placeholders(text: str, target: Target, openid_of: Callable[[str], str]) -> str:
    """`{sms:PHONE}`, `{previous_sms:PHONE}`, `{wrong_sms:PHONE}` and `{user:ALIAS}` replaced,
    read from the target now."""

    def value(match: re.Match[str]) -> str:
        kind, arg = match.group(1), match.group(2).strip()
        if kind == "sms":
            return latest_code(target, arg)
        if kind == "previous_sms":  # replaced by a resend, or used: a stale code
            return latest_code(target, arg, back=2)
        if kind == "wrong_sms":
            return f"{(int(latest_code(target, arg)) + 1) % 10**6:06d}"
        return openid_of(arg)

    return PLACEHOLDER.sub(value, text)
