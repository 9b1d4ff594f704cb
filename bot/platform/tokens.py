"""One access token for every worker and instance, fetched once, through the shared KV.

Each fetch invalidates the previous token after 5 minutes, so processes that each fetch
their own (wechatpy 1.8 keeps `expires_at` per instance, wechatpy#684) end up knocking each
other's tokens out. Here the token lives in the KV with its expiry; whoever finds it stale
takes a short mutex (`add`) and fetches; everyone else waits for the result.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable

from bot.clock import Clock
from bot.platform.errors import PlatformError
from bot.store.kv import KV

log = logging.getLogger(__name__)
REFRESH_MARGIN = 300.0  # refresh this long before expiry: the platform's own overlap window
FETCH_LOCK_TTL = 10.0  # seconds the fetch mutex lives: one fetch (3 s connect + 5 s read) fits
WAIT_FOR_FETCH = 12.0  # seconds to wait for another's fetch: past FETCH_LOCK_TTL, so a dead
#                        holder's mutex lapses and a waiter fetches instead
POLL = 0.05  # seconds between looks at the KV while another process fetches

Fetch = Callable[[], tuple[str, int]]  # -> (token, expires_in seconds)


class TokenCache:
    """`get()` a usable token; `refresh(stale)` when the platform refused `stale`."""

    def __init__(self, kv: KV, appid: str, fetch: Fetch, clock: Clock | None = None,
                 wait: float = WAIT_FOR_FETCH) -> None:
        self.kv, self.fetch, self.clock, self.wait = kv, fetch, clock or Clock(), wait
        self.key, self.mutex = f"token:{appid}", f"token-fetch:{appid}"

    def _cached(self) -> tuple[str, float] | None:
        raw = self.kv.get(self.key)
        if not raw:
            return None
        found = json.loads(raw)
        return found["token"], float(found["refresh_at"])

    def get(self) -> str:
        """The shared token until REFRESH_MARGIN before its expiry, then a fresh one."""
        cached = self._cached()
        if cached and cached[1] > self.clock.now():
            return cached[0]
        return self.refresh(cached[0] if cached else None)

    def refresh(self, stale: str | None) -> str:
        """A token other than `stale`: another process's new one if it exists, else fetched."""
        deadline = time.monotonic() + self.wait
        while True:
            fresh = self._fresh(stale)
            if fresh:
                return fresh
            owner = secrets.token_hex(8)
            if self.kv.add(self.mutex, owner, FETCH_LOCK_TTL):
                try:
                    # Looked again under the mutex: a fetch that ended between the look
                    # above and the `add` left a fresh token, and fetching again would
                    # knock it out five minutes later (two fetches seen in CI on SQLite).
                    return self._fresh(stale) or self._fetch_and_store()
                finally:
                    self.kv.delete(self.mutex, owner)
            if time.monotonic() > deadline:
                raise PlatformError(None, f"no access token: another process's fetch took "
                                          f"over {self.wait:g} s")
            time.sleep(POLL)

    def _fresh(self, stale: str | None) -> str | None:
        """The shared token when it is usable and is not the one the platform refused."""
        cached = self._cached()
        return cached[0] if cached and cached[0] != stale and cached[1] > self.clock.now() else None

    def _fetch_and_store(self) -> str:
        token, expires_in = self.fetch()
        # A short-lived token is refreshed halfway through rather than on every call.
        refresh_at = self.clock.now() + expires_in - min(REFRESH_MARGIN, expires_in / 2)
        self.kv.set(self.key, json.dumps({"token": token, "refresh_at": refresh_at}),
                    max(1.0, float(expires_in)))
        log.info("fetched a new access token (expires in %d s)", expires_in)
        return token

    def renew(self) -> str:
        """Fetch now even if the shared token is good: proves the AppID and secret work."""
        cached = self._cached()
        return self.refresh(cached[0] if cached else None)

    def forget(self) -> None:
        """Drop the shared token (the AppSecret changed, or tests start over)."""
        self.kv.delete(self.key)
