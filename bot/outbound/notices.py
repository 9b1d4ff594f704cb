"""Review outcomes reach the applicant: one message through the API per decision.

A decision (the backend's `on_decision`) becomes one outbox entry, keyed by review and
outcome (and applicant) so a second observer or a replayed decision owes nothing more. With
WECHAT_TEMPLATE_REVIEW the entry is a template message (the 2023 rules: short keyword fields,
no line breaks, no `first`/`remark`, which the platform no longer shows); else a
customer-service text, which outside the 48-hour window goes as a subscribe notice when
WECHAT_SUBSCRIBE_REVIEW is set and the follower accepted it (bot/outbound/notify.py), else is
kept (bot/outbound/deferred.py) and said at the follower's next message. Only the review
reference and outcome are sent: nothing personal.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.outbound.courier import Send, SendError, mask
from bot.outbound.deferred import Deferred, Notice
from bot.outbound.grants import Grants
from bot.outbound.notify import LATER, Notifier, shown_time
from bot.outbound.notify import Notice as Outgoing
from bot.platform import PlatformAPI, PlatformError
from bot.store import Outbox
from flows.catalog import Catalog
from flows.ids import SHANGHAI

log = logging.getLogger(__name__)
META = "wxbot_notice"  # the entry's own field (stripped before sending): what to defer
FIELD_MAX = 20  # characters a template keyword may show (2023 rules)
# The keyword names of the review template the account picks (事项, 受理编号, 结果, 时间).
FIELDS = ("thing1", "character_string2", "phrase3", "time4")
SUBSCRIBE_LANG = "zh_CN"  # the platform's templates are Chinese, whatever BOT_LANG says


def field(text: str) -> dict[str, str]:
    """A template keyword as the platform shows it: one line, at most FIELD_MAX characters."""
    return {"value": " ".join(text.split())[:FIELD_MAX]}


class Notices:
    """Builds notices, puts them in the outbox, and sends or defers them for the courier."""

    def __init__(self, outbox: Outbox, catalog: Catalog, clock: Clock, deferred: Deferred,
                 template: str | None = None, *, wake: Callable[[], None] = lambda: None) -> None:
        """`wake` rings the courier once a notice is owed."""
        self.outbox, self.catalog, self.clock = outbox, catalog, clock
        self.deferred, self.template, self.wake = deferred, template, wake
        self.zh = catalog if catalog.lang == SUBSCRIBE_LANG else Catalog(SUBSCRIBE_LANG)
        self._heard: list | None = None  # the backend's on_decision, while listening

    def listen(self, observers: list | None) -> None:
        """Hear the backend's decisions (None: a backend that makes none) until close."""
        if observers is not None:
            observers.append(self.decided)
            self._heard = observers

    def close(self) -> None:
        """Stop hearing decisions (a backend handed in outlives the app) and let go the KV."""
        if self._heard is not None and self.decided in self._heard:
            self._heard.remove(self.decided)
        self.deferred.kv.close()

    def decided(self, openid: str | None, ref: str, outcome: str) -> None:
        """The backend's on_decision observer: owe the applicant one notice."""
        if not openid:
            log.info("review %s decided without a follower to tell", ref)
            return
        # The follower is part of the key: a backend that numbers references per day anew
        # (the mock after a reset, a replayed seed) must not find another applicant's notice.
        who = hashlib.sha256(openid.encode()).hexdigest()[:12]  # no openid in keys
        if self.outbox.put(f"notice:{ref}:{outcome}:{who}", self.body(openid, ref, outcome)):
            self.wake()

    def body(self, openid: str, ref: str, outcome: str) -> dict[str, Any]:
        """The entry: a template or a customer-service text, plus what deferring needs."""
        meta = {META: {"ref": ref, "outcome": outcome}}
        if self.template:
            when = datetime.fromtimestamp(self.clock.now(), SHANGHAI).strftime("%Y-%m-%d %H:%M")
            values = (self.catalog.text("notice.subject"), ref,
                      self.catalog.text(f"notice.result_{outcome}"), when)
            return {"touser": openid, "template_id": self.template,
                    "data": {name: field(v) for name, v in zip(FIELDS, values, strict=True)},
                    **meta}
        return {"touser": openid, "msgtype": "text",
                "text": {"content": self.text((ref, outcome))}, **meta}

    def text(self, notice: Notice) -> str:
        ref, outcome = notice
        return self.catalog.text(f"notice.{outcome}", ref=ref)

    def outgoing(self, ref: str, outcome: str) -> Outgoing:
        """The notice for `notify`: its text, and the review template's keywords."""
        values = (self.zh.text("notice.subject"), ref, self.zh.text(f"notice.result_{outcome}"),
                  shown_time(self.clock.now()))
        return Outgoing("review", self.text((ref, outcome)),
                        {name: field(v)["value"] for name, v in zip(FIELDS, values, strict=True)})

    def sender(self, send: Send, platform: PlatformAPI | None,
               notifier: Notifier | None = None) -> Send:
        """The courier's send: templates through template/send, texts through `send`, and
        notices through `notifier` (customer service, else a subscribe notice).

        A notice nothing could deliver yet is deferred, and counts as delivered: the courier
        acks it, the next turn says it.
        """
        notifier = notifier or Notifier(send, platform, Grants(self.deferred.kv), {})

        def dispatch(body: dict) -> None:
            meta, message = body.get(META), {k: v for k, v in body.items() if k != META}
            if "template_id" in message and platform is not None:
                try:
                    platform.send_template(message["touser"], message["template_id"],
                                           message["data"], url=message.get("url"))
                except PlatformError as exc:
                    if meta is None or exc.errcode not in LATER:
                        raise
                    self.defer(message["touser"], meta)
            elif meta is None or "template_id" in message:
                send(message)
            elif notifier.notify(message["touser"],
                                 self.outgoing(meta["ref"], meta["outcome"])) is None:
                self.defer(message["touser"], meta)

        def close() -> None:  # the courier's last act: nothing is sent after this
            getattr(send, "close", lambda: None)()
            self.close()

        dispatch.close = close  # type: ignore[attr-defined]
        return dispatch

    def defer(self, openid: str, meta: dict) -> None:
        """Keep the outcome for the follower's next message (deferred.py)."""
        if not self.deferred.add(openid, meta["ref"], meta["outcome"]):
            raise SendError("could not defer a notice yet", retryable=True)
        log.info("notice for %s deferred to their next message", mask(openid))
