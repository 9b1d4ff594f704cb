"""What reached the follower through the platform's API, for `wxbot chat` to show.

Over --url it is the simulator's `GET /sim/api/outbound?user=`; in process, the app's own mock
platform, which the in-process bot also sends through (it has no HTTP API to call). Each
message is shown once: the mock's list only grows, so a per-follower count of those shown is
all the bookkeeping there is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from bot.sim.mockplatform.cgi import MOCK

Read = Callable[[str], list[dict[str, Any]]]
POLL = 0.1  # seconds between looks while waiting for a message on its way
LABELS = {"custom": "客服消息", "template": "模板消息"}


def mock_sender(app_of: Callable[[], Any]) -> Callable[[dict], None]:
    """OUTBOUND_SEND for the in-process bot: straight into its mock (errors carry errcode)."""

    def send(body: dict) -> None:
        mock = app_of().extensions[MOCK]
        if "template_id" in body:
            mock.send_template(body)
        else:
            mock.send_custom(body)

    return send


def remote_reader(http: requests.Session, url: str, timeout: float) -> Read:
    def read(openid: str) -> list[dict[str, Any]]:
        answer = http.get(f"{url}/sim/api/outbound", params={"user": openid}, timeout=timeout)
        return answer.json()["messages"] if answer.ok else []  # no simulator: nothing to show

    return read


def local_reader(app: Any) -> Read:
    return lambda openid: app.extensions[MOCK].outbound(openid) if MOCK in app.extensions else []


class Outbound:
    """Per follower, the API messages not shown yet."""

    def __init__(self, read: Read) -> None:
        self.read, self.shown = read, {}

    def start(self, openid: str) -> None:
        """From now on for `openid`: what reached them before this session is not news."""
        if openid not in self.shown:
            self.shown[openid] = len(self._safe(openid))

    def new(self, openid: str, wait: float = 0.0) -> list[dict[str, Any]]:
        """Messages not shown yet, waiting up to `wait` seconds for the first to arrive."""
        self.start(openid)
        until = time.monotonic() + wait
        while True:
            got = self._safe(openid)[self.shown[openid]:]
            if got or time.monotonic() >= until:
                self.shown[openid] += len(got)
                return got
            time.sleep(POLL)

    def _safe(self, openid: str) -> list[dict[str, Any]]:
        try:
            return self.read(openid)
        except (requests.RequestException, ValueError, KeyError):
            return []  # the chat goes on without the API side


def describe(message: dict[str, Any]) -> tuple[str, str]:
    """(label, what the follower sees) of one outbound message."""
    api, body = message.get("api", ""), message.get("body") or {}
    if api == "template":
        data = body.get("data") or {}
        text = "\n".join(f"{name}: {v.get('value', '')}" for name, v in data.items()
                         if isinstance(v, dict))
        return LABELS[api], text or "<template>"
    kind = body.get("msgtype", "")
    shown = (body.get("text") or {}).get("content", "") if kind == "text" else f"<{kind}>"
    agent = (body.get("customservice") or {}).get("kf_account")
    return (f"人工客服 {agent}" if agent else LABELS.get(api, api)), shown
