"""wechatpy's WeChatClient with every call, the token fetch included, sent to WECHAT_API_BASE.

wechatpy 1.8 honours API_BASE_URL for the cgi-bin calls but hardcodes the token URL, fetches
without a timeout, and (with auto_retry) refetches on 40001 without limit. So: auto_retry is
off, the token comes from the shared TokenCache, the fetch is ours, and every request has
a named timeout. Errors come out as PlatformError.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.clock import Clock
from bot.platform.errors import PlatformError, TokenFetchError
from bot.platform.tokens import TokenCache
from bot.store.kv import KV

CONNECT_TIMEOUT = 3.0  # seconds to open a connection to the platform
READ_TIMEOUT = 5.0  # seconds for the platform to answer one call
DEFAULT_BASE = "https://api.weixin.qq.com/cgi-bin/"
T = TypeVar("T")


class BaseUrlClient(WeChatClient):
    """A WeChatClient whose base URL, token source and timeouts are ours."""

    def __init__(self, appid: str, secret: str, base: str, kv: KV, clock: Clock | None = None,
                 timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)) -> None:
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base if base.endswith("/") else base + "/"
        self._used = threading.local()
        self.tokens = TokenCache(kv, appid, self.fetch_token, clock)

    @property
    def access_token(self) -> str:
        """The shared token; remembered per thread so a refusal can name the stale one."""
        token = self.tokens.get()  # AttributeError before __init__, which wechatpy's __new__ skips
        self._used.token = token
        return token

    @property
    def last_token(self) -> str | None:
        return getattr(self._used, "token", None)

    def fetch_access_token(self) -> dict[str, Any]:
        """One GET of `<base>token`, with a timeout; the TokenCache stores the result."""
        token, expires_in = self.fetch_token()
        return {"access_token": token, "expires_in": expires_in}

    def fetch_token(self) -> tuple[str, int]:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        result = guarded(lambda: self._request_token(params), fetch=True)
        if "access_token" not in result:
            raise PlatformError(None, "the token reply has no access_token")
        return str(result["access_token"]), int(result.get("expires_in", 7200))

    def _request_token(self, params: dict[str, str]) -> dict[str, Any]:
        res = self._http.get(self.API_BASE_URL + "token", params=params, timeout=self.timeout)
        if res.status_code != 200:
            raise PlatformError(None, f"token: HTTP {res.status_code}")
        result = self._decode_result(res)
        if not isinstance(result, dict):
            raise PlatformError(None, "token: the reply is not JSON")
        if int(result.get("errcode") or 0) != 0:
            raise TokenFetchError(int(result["errcode"]), str(result.get("errmsg", "")))
        return result

    def close(self) -> None:
        self._http.close()


def guarded(call: Callable[[], T], fetch: bool = False) -> T:
    """Run one wechatpy call; its exceptions and network failures become PlatformError.

    A failure after the request went out (no answer in READ_TIMEOUT, the connection dropped
    mid-answer) is `unsure`: the platform may have done it. A `fetch` (the token) changes
    nothing the follower sees, so it is never unsure.
    """
    try:
        return call()
    except WeChatClientException as exc:
        code = None if exc.errcode is None else int(exc.errcode)
        status = getattr(getattr(exc, "response", None), "status_code", None)
        raise PlatformError(code, str(exc.errmsg or f"HTTP {status}")) from exc
    except PlatformError:
        raise
    except requests.RequestException as exc:
        raise PlatformError(None, f"network: {type(exc).__name__}",
                            unsure=not fetch and went_out(exc)) from exc


def went_out(exc: requests.RequestException) -> bool:
    """Whether the request may have reached the platform: anything but a failed connect."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return not isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return isinstance(exc, requests.ReadTimeout | requests.exceptions.ChunkedEncodingError)
