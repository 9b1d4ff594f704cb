"""Who among the agents is online: one getonlinekflist call, shared for a few seconds.

Asked on the follower's turn, so it must fit inside the reply deadline: the fetch gets a
short named timeout and no retries, and its answer (or its failure) is cached in the store's
KV so every instance asks the platform at most once per BOT_KF_ONLINE_CACHE seconds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.platform.errors import PlatformError
from bot.store.kv import KV

log = logging.getLogger(__name__)
KEY = "handover:online"
FAILED_CACHE = 5.0  # seconds a network failure is remembered (the platform may be back soon)
Fetch = Callable[[], list[dict]]  # the kf_online_list, e.g. PlatformAPI.online_agents


@dataclass(frozen=True)
class Online:
    """`accounts` online now; `known` False when the platform would not say (sandbox, 654xx)."""

    known: bool
    accounts: tuple[str, ...] = ()


class OnlineAgents:
    def __init__(self, fetch: Fetch | None, kv: KV, ttl: float = 30.0) -> None:
        self.fetch, self.kv, self.ttl = fetch, kv, ttl

    def now(self) -> Online:
        """The cached answer, or a fresh one; never raises (unknown instead)."""
        cached = self.kv.get(KEY)
        if cached is not None:
            data = json.loads(cached)
            return Online(data["known"], tuple(data["accounts"]))
        found, ttl = self._ask()
        self.kv.set(KEY, json.dumps({"known": found.known, "accounts": found.accounts}), ttl)
        return found

    def forget(self) -> None:
        """Drop the cached answer: the simulator's page just took an agent on or off line,
        and a developer who switches the only agent off expects the next "人工" to know."""
        self.kv.delete(KEY)

    def _ask(self) -> tuple[Online, float]:
        if self.fetch is None:  # no AppID/secret: there is no API to ask
            return Online(False), self.ttl
        try:
            listed = self.fetch()
        except PlatformError as exc:
            log.warning("getonlinekflist failed (%s): transferring without knowing who is online",
                        exc)
            return Online(False), self.ttl if exc.errcode is not None else FAILED_CACHE
        accounts = tuple(str(a.get("kf_account", "")) for a in listed
                         if isinstance(a, dict) and str(a.get("status", "1")) != "0")
        return Online(True, accounts), self.ttl
