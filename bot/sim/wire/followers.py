"""The followers the simulator plays (the page, `wxbot chat`): aliases, openids, checks.

Kept below the tools so the page and the terminal reach the same people by the same names.
"""

from __future__ import annotations

import re
from typing import Any

FOLLOWERS = [  # alias, openid, who they mean to be (the seed sheet has the numbers)
    ("alice", "oSimAlice0001", "成年人 · adult"),
    ("minor", "oSimMinor0001", "未成年人 · minor"),
    ("guardian", "oSimGuardian01", "监护人 · guardian"),
    ("bob", "oSimBob000001", "成年人 · adult"),
    ("bound", "oSeedBound0001", "已绑卡 · card bound in the seed"),
]
OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class BadInput(ValueError):
    """Input the page should never send: answered 400 with the reason."""


def openid_of(user: Any) -> str:
    """A follower alias, or an openid of the platform's shape."""
    aliases = {alias: openid for alias, openid, _ in FOLLOWERS}
    if not isinstance(user, str) or not (user in aliases or OPENID.fullmatch(user)):
        raise BadInput("'user' must be a follower alias or an openid ([A-Za-z0-9_-], 1-64)")
    return aliases.get(user, user)


def alias_of(openid: str) -> str:
    """The page's name for an openid (the openid itself for anyone else)."""
    return next((alias for alias, known, _ in FOLLOWERS if known == openid), openid)
