"""What reached the follower through the platform's API, for `wxbot chat` to show.

Over --url it is the simulator's `GET /sim/api/outbound?user=`; in process, the app's own mock
platform, which the in-process bot also sends through (it has no HTTP API to call). Each
message is shown once: the mock's list only grows, so a per-follower count of those shown is
all the bookkeeping there is. In process each send into the mock rings `arrived`, so a wait
ends as the message lands; over --url it is looked for every POLL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from bot.protocol.kf import NO_SESSION, otherwise_body, released
from bot.sim.mockplatform.cgi import MOCK
from bot.sim.mockplatform.errors import ApiRefusal

Read = Callable[[str], list[dict[str, Any]]]
Owed = Callable[[], bool]  # True while the bot's outbox owes any message (in process only)
POLL = 0.1  # seconds between looks while waiting for a message on its way (over --url)
# In process, seconds a message the outbox owes may take to land: the courier was woken and
# sends at once (milliseconds); this only bounds a loaded machine, or a send being retried.
OWED_BOUND = 5.0
LABELS = {"custom": "客服消息", "template": "模板消息"}


def mock_sender(app_of: Callable[[], Any],
                rang: Callable[[], None] = lambda: None) -> Callable[[dict], None]:
    """OUTBOUND_SEND for the in-process bot: straight into its mock (errors carry errcode);
    `rang` after each send, so a chat waiting for the message wakes as it lands."""

    def send(body: dict) -> None:
        mock = app_of().extensions[MOCK]
        try:
            closing = released(body)
            if closing is not None:
                try:
                    mock.kf.release(closing["kf_account"], closing["openid"])
                except ApiRefusal as refused:  # as PlatformAPI.send: closed already, or say so
                    if refused.errcode != NO_SESSION:
                        mock.send_custom(otherwise_body(body))
            elif "template_id" in body:
                mock.send_template(body)
            else:
                mock.send_custom(body)
        finally:
            rang()

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

    def __init__(self, read: Read, owed: Owed | None = None,
                 arrived: threading.Event | None = None) -> None:
        """`owed`: whether the bot still owes a message (None: cannot tell, over --url);
        `arrived`: the bell its sender rings after each send (None: look every POLL)."""
        self.read, self.shown, self.owed = read, {}, owed
        self.arrived = arrived or threading.Event()

    def start(self, openid: str) -> None:
        """From now on for `openid`: what reached them before this session is not news."""
        if openid not in self.shown:
            self.shown[openid] = len(self._safe(openid))

    def new(self, openid: str, wait: float = 0.0) -> list[dict[str, Any]]:
        """Messages not shown yet, waiting up to `wait` seconds for the first to arrive."""
        return self._first(openid, wait, lambda: True)

    def sent(self, openid: str, wait: float) -> list[dict[str, Any]]:
        """What a turn answered passively left to the API (a transfer's words, the welcome
        back after an agent), once it is out: the first message, waiting up to `wait`.

        The turn put those sends in the outbox before its reply came back and woke the
        courier, so in process an outbox that owes nothing means nothing is coming (a transfer
        while already queued says nothing): no wait then, else until it lands. Over --url
        nothing tells: at most `wait`.
        """
        if self.owed is None:
            return self._first(openid, wait, lambda: True)
        return self._first(openid, OWED_BOUND, self.owed)

    def _first(self, openid: str, wait: float, coming: Owed) -> list[dict[str, Any]]:
        """The messages not shown yet, once one arrived, nothing is `coming`, or at `wait`."""
        self.start(openid)
        until = time.monotonic() + wait
        while True:
            self.arrived.clear()  # before the look: a send after it rings again
            got = self._safe(openid)[self.shown[openid]:]
            left = until - time.monotonic()
            if not got and left > 0 and not coming():
                got = self._safe(openid)[self.shown[openid]:]  # sent between look and check
                left = 0.0
            if got or left <= 0:
                self.shown[openid] += len(got)
                return got
            self.arrived.wait(min(left, POLL))

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
