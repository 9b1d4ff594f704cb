"""What the courier sends with: the error a sender raises, and the senders that are not the API.

The platform's API (bot/platform/wechat_api.py) raises PlatformError, whose `retryable` and
`unsure` the courier reads the same way as SendError's.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

Send = Callable[[dict], None]
SINK_TIMEOUT = 3.0  # seconds for the test sink's HTTP POST


class SendError(Exception):
    """A send that did not go out; `retryable` says whether trying later may help."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def no_client(body: dict) -> None:
    """The sender without an account: nothing can reach the follower, so say what to set."""
    raise SendError("no platform API: set WECHAT_APP_ID and WECHAT_APP_SECRET", retryable=False)


def post_to(url: str) -> Send:
    """A sender that POSTs the body as JSON to `url` (tests' sink; not the platform API)."""
    session = requests.Session()

    def send(body: dict) -> None:
        try:
            answer = session.post(url, json=body, timeout=SINK_TIMEOUT)
        except requests.RequestException as exc:
            raise SendError(f"sink unreachable: {type(exc).__name__}", retryable=True) from None
        if answer.status_code >= 300:
            raise SendError(f"sink answered {answer.status_code}",
                            retryable=answer.status_code >= 500)

    send.close = session.close  # type: ignore[attr-defined]
    return send


def mask(openid: str) -> str:
    return openid[:4] + "***" if openid else "?"
