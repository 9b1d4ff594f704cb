"""The platform's side of one official account: sign, seal, deliver, retry, check replies."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from bot.clock import Clock
from bot.sim.wire.build import MsgIds, build, build_event
from bot.sim.wire.delivery import Delivery, Reading, flag, read_answer
from bot.sim.wire.envelope import Envelope
from bot.sim.wire.gestures import Gestures
from bot.sim.wire.kinds import SPECS
from bot.sim.wire.transport import InProcess, OverHttp, Transport, deliver


class PlatformClient(Gestures):
    """Pushes messages and events to a bot (a Flask app, or a base URL) as WeChat would."""

    def __init__(
        self,
        target: Any,
        token: str,
        *,
        aes_key: str | None = None,
        app_id: str | None = None,
        mode: str = "plaintext",
        account: str = "gh_wxbot_dev",
        clock: Any = None,
        path: str = "/wechat",
        retry: bool = False,
        timeout: float = 5.0,
        strict: bool = True,
        signing_clock: Any = None,
    ) -> None:
        self.envelope = Envelope(token, mode=mode, aes_key=aes_key, app_id=app_id, strict=strict)
        self.transport: Transport = (
            OverHttp(target, path) if isinstance(target, str) else InProcess(target, path)
        )
        self.account, self.clock, self.retry, self.timeout = account, clock, retry, timeout
        self.ids = MsgIds()
        # Queries are signed on real time (the webhook checks them against real time whatever
        # the simulator's clock says); only CreateTime inside the XML follows `clock`.
        self.signing_clock = signing_clock or Clock()
        self._last_event: dict[str, int] = {}
        self._lock = threading.Lock()

    def now(self) -> int:
        """Seconds since the epoch by the injected clock (real time by default)."""
        return int(self.clock.now() if self.clock is not None else time.time())

    def signed_at(self) -> str:
        """The query's timestamp: real time unless a signing clock was given (vectors)."""
        return str(int(self.signing_clock.now()))

    @staticmethod
    def nonce() -> str:
        """A fresh numeric nonce, like the platform's."""
        return str(secrets.randbelow(9 * 10**9) + 10**9)

    def build(self, kind: str, user: str, **fields: Any) -> str:
        """The XML of a push of `kind` from `user`, with this client's MsgIds and clock."""
        if SPECS[kind].is_message:
            return build(kind, self.account, user, self.now(), msg_id=self.ids.next(), **fields)
        return build(kind, self.account, user, self._event_time(user), **fields)

    def _event_time(self, user: str) -> int:
        """Now, but after this user's last event, so no event looks like a retry of another."""
        with self._lock:
            at = max(self.now(), self._last_event.get(user, 0) + 1)
            self._last_event[user] = at
            return at

    def send(self, kind: str, user: str, **fields: Any) -> Delivery:
        """Build a push of `kind` (see bot.sim.wire.kinds.SPECS) and deliver it."""
        return self.send_xml(self.build(kind, user, **fields), user=user)

    def event(self, user: str, event: str, key: str | None = None, **fields: Any) -> Delivery:
        """Deliver an event by its Event value as sent (known or not), with EventKey `key`."""
        xml = build_event(event, self.account, user, self._event_time(user), key, **fields)
        return self.send_xml(xml, user=user)

    def send_xml(self, xml: str, *, user: str) -> Delivery:
        """Seal plain push XML for the mode, sign it with a fresh timestamp/nonce, deliver it."""
        body, query = self.envelope.wrap(
            xml, account=self.account, timestamp=self.signed_at(), nonce=self.nonce(), openid=user
        )
        delivery = self.post(body, query, user=user)
        delivery.request_xml = xml
        return delivery

    def post(self, body: str, query: dict[str, str], *, user: str | None = None) -> Delivery:
        """Deliver a body with a query exactly as given (retrying if enabled); check the reply."""
        answers, taken = deliver(
            self.transport, "POST", query, body, retry=self.retry, timeout=self.timeout
        )
        readings = [
            read_answer(a, self.envelope, user=user, account=self.account) if a else None
            for a in answers
        ]
        answer = answers[taken] if taken is not None else None
        if answer is None:
            late = f"no answer within {self.timeout:g} s in {len(answers)} deliveries"
            status, text, reading = 0, "", Reading(error=flag(late))
        else:
            status, text = answer.status, answer.body
            reading = readings[taken or 0] or Reading()
        return Delivery(
            status, text, reading.xml, reading.fields, reading.error, body, query, "", answers,
            readings,
        )  # fmt: skip

    def verify_url(self, echostr: str | None = None) -> Delivery:
        """The platform's GET check of the URL: the bot must answer `echostr` unchanged."""
        echostr = echostr or str(secrets.randbelow(10**19))
        query = self.envelope.query(self.signed_at(), self.nonce())
        query["echostr"] = echostr
        (answer,), _ = deliver(self.transport, "GET", query, None)
        assert answer is not None
        error = None
        if answer.status != 200 or answer.body != echostr:
            error = f"URL check failed: HTTP {answer.status}, {answer.body[:80]!r} != {echostr!r}"
        return Delivery(answer.status, answer.body, None, {}, error, "", query, "", [answer])

    def close(self) -> None:
        """Release the HTTP session, if any."""
        self.transport.close()

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
