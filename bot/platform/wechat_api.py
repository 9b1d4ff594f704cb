"""What the bot says to the platform: sends, templates, menu, user info, with one retry policy.

A refused token (40001/40014/42001) is refreshed once and the call tried once more, never in
a loop (wechatpy's auto_retry recursed until RecursionError, wechatpy PR #152). A busy
platform (-1) or a request that never went out is retried with backoff within a total budget.
A request that went out and got no answer (`unsure`) is not retried here: the courier decides,
knowing the follower may already have it (docs/reliability.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from bot.clock import Clock
from bot.platform.client import DEFAULT_BASE, BaseUrlClient, guarded
from bot.platform.errors import PlatformError
from bot.protocol.kf import NO_SESSION, otherwise_body, released
from bot.store.kv import KV, open_kv
from bot.store.url import StoreURL

ONLINE_TIMEOUT = 1.0  # seconds for getonlinekflist: it is asked inside a follower's turn
RETRY_BUDGET = 6.0  # seconds one call may spend on retries of -1 / network failures
BACKOFF = (0.2, 0.5, 1.0, 2.0)  # pauses between those retries; the last one repeats
T = TypeVar("T")


def beside_cgi(base: str, path: str) -> str:
    """A call that lives beside /cgi-bin/ (/wxaapi/, /customservice/), from WECHAT_API_BASE."""
    root = base[: -len("cgi-bin/")] if base.endswith("cgi-bin/") else base
    return f"{root}{path}"


def library_url(base: str, name: str) -> str:
    """The template library's calls live beside /cgi-bin/, under /wxaapi/newtmpl/."""
    return beside_cgi(base, f"wxaapi/newtmpl/{name}")


class PlatformAPI:
    """The account's server API; nothing is opened until the first call."""

    def __init__(self, appid: str, secret: str, *, base: str = DEFAULT_BASE,
                 store: StoreURL | str = "memory://", kv: KV | None = None,
                 clock: Clock | None = None,
                 budget: float = RETRY_BUDGET, timeout: tuple[float, float] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.appid, self.secret, self.base, self.store = appid, secret, base, store
        self.clock, self.budget, self.timeout, self.sleep = clock, budget, timeout, sleep
        self._kv, self._client = kv, None
        self._guard = threading.Lock()

    @property
    def client(self) -> BaseUrlClient:
        """The wechatpy client, built on first use (a bot that never calls costs nothing)."""
        with self._guard:
            if self._client is None:
                if self._kv is None:
                    self._kv = open_kv(self.store, self.clock)
                extra = {"timeout": self.timeout} if self.timeout else {}
                self._client = BaseUrlClient(self.appid, self.secret, self.base, self._kv,
                                             self.clock, **extra)
            return self._client

    def call(self, action: Callable[[BaseUrlClient], T]) -> T:
        """Run `action` on the client under the retry policy."""
        client, refresh, stale = self.client, False, None
        started, attempt = time.monotonic(), 0
        while True:
            try:
                if refresh:
                    client.tokens.refresh(stale)
                return guarded(lambda: action(client))
            except PlatformError as exc:
                if exc.unsure:
                    raise
                if exc.token_rejected and not refresh:
                    refresh, stale = True, client.last_token
                    continue
                pause = BACKOFF[min(attempt, len(BACKOFF) - 1)]
                if not exc.retryable or time.monotonic() - started + pause > self.budget:
                    raise
                attempt += 1
                self.sleep(pause)

    def token(self) -> str:
        """A usable access token (the shared one, or freshly fetched)."""
        return self.call(lambda c: c.access_token)

    def renew_token(self) -> str:
        """A freshly fetched token, shared at once (the old one still works 5 minutes)."""
        return self.call(lambda c: c.tokens.renew())

    def send_custom(self, body: dict[str, Any]) -> None:
        """A customer-service message, `body` in the platform's shape (touser, msgtype, ...)."""
        self.call(lambda c: c.post("message/custom/send", data=body))

    def send(self, body: dict[str, Any]) -> None:
        """The courier's send: a customer-service message, or a session the bot ends (an
        agent took a follower who had left the queue: bot/handover/state.py)."""
        closing = released(body)
        if closing is None:
            self.send_custom(body)
            return
        try:
            self.close_session(closing["kf_account"], closing["openid"])
        except PlatformError as exc:
            if exc.errcode == NO_SESSION:  # closed already: nothing left to let go of
                return
            if exc.retryable or exc.unsure:
                raise
            self.send_custom(otherwise_body(body))  # the agent keeps them: say so

    def close_session(self, account: str, openid: str) -> None:
        """kfsession/close, under /customservice/ beside /cgi-bin/ (platform-more.md §0.2)."""
        self.call(lambda c: c.post(beside_cgi(c.API_BASE_URL, "customservice/kfsession/close"),
                                   data={"kf_account": account, "openid": openid}))

    def send_text(self, openid: str, text: str) -> None:
        self.send_custom({"touser": openid, "msgtype": "text", "text": {"content": text}})

    def send_template(self, openid: str, template_id: str, data: dict[str, Any],
                      url: str | None = None) -> int:
        """A template message; the platform's msgid (its TEMPLATESENDJOBFINISH names it)."""
        result = self.call(lambda c: c.message.send_template(openid, template_id, data, url=url))
        return int(result["msgid"])

    def send_subscribe(self, openid: str, template_id: str, data: dict[str, Any],
                       page: str | None = None) -> None:
        """A subscribe notice (订阅通知, message/subscribe/bizsend): 43101 without a grant."""
        self.call(lambda c: c.message.send_subscribe_message(openid, template_id, data,
                                                             page=page))

    def subscribe_templates(self) -> list[dict[str, Any]]:
        """The account's subscribe-notice templates (wxaapi/newtmpl/gettemplate)."""
        found = self.call(lambda c: c.get(library_url(c.API_BASE_URL, "gettemplate")))
        return list(found.get("data") or [])

    def online_agents(self, timeout: float = ONLINE_TIMEOUT) -> list[dict[str, Any]]:
        """getonlinekflist's kf_online_list: `timeout` s, no retry of a busy platform (it is
        asked inside the reply deadline); a refused token is refreshed once, as in `call`."""
        client = self.client

        def ask() -> dict[str, Any]:
            return guarded(lambda: client.get("customservice/getonlinekflist",
                                              timeout=(timeout, timeout)))
        try:
            found = ask()
        except PlatformError as exc:
            if not exc.token_rejected:
                raise
            client.tokens.refresh(client.last_token)
            found = ask()
        return list(found.get("kf_online_list") or [])

    def menu_create(self, menu: dict[str, Any]) -> None:
        self.call(lambda c: c.menu.create(menu))

    def menu_get(self) -> dict[str, Any] | None:
        """The account's menu as menu/get returns it, or None when it has none (46003)."""
        return self.call(lambda c: c.menu.get())

    def menu_delete(self) -> None:
        self.call(lambda c: c.menu.delete())

    def user_info(self, openid: str, lang: str = "zh_CN") -> dict[str, Any]:
        return self.call(lambda c: c.user.get(openid, lang=lang))

    def close(self) -> None:
        with self._guard:
            client, kv, self._client, self._kv = self._client, self._kv, None, None
        if client is not None:
            client.close()
        if kv is not None:
            kv.close()
