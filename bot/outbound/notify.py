"""One channel choice for a notice that must reach a follower after the window closed.

`Notifier.notify(openid, notice)` tries a customer-service message (inside the follower's
48-hour window), else a subscribe notice (订阅通知) when the notice's kind has a template
(WECHAT_SUBSCRIBE_REVIEW, WECHAT_SUBSCRIBE_GUARDIAN) and the follower's grant stands, else
answers None: the caller's own fallback (a review outcome is kept for the follower's next
message; a guardian's request goes by SMS). It runs on the courier's thread, never on the
per-message path. A refused subscribe notice is logged by errcode and errmsg with the openid
masked, never its content; a 43101 marks the grant used (bot/outbound/grants.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.outbound.grants import Grants
from bot.outbound.senders import Send, mask
from bot.platform import PlatformAPI, PlatformError
from flows.ids import SHANGHAI

log = logging.getLogger(__name__)
CUSTOM, SUBSCRIBE = "custom", "subscribe"
LATER = frozenset({45015, 45047})  # refusals of a customer-service message until they write
NOT_GRANTED = 43101  # "user refuse to accept the msg": no grant, spent, or revoked


def shown_time(epoch: float) -> str:
    """A `time` keyword's value as the platform's rule takes it: `2026年11月22日 10:30`."""
    at = datetime.fromtimestamp(epoch, SHANGHAI)
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


@dataclass(frozen=True)
class Notice:
    """`kind` picks the template setting; `fields` are the subscribe notice's keywords
    (`thing1` ...) as the template defines them, each value within the platform's rules."""

    kind: str
    text: str
    fields: Mapping[str, str] = field(default_factory=dict)
    page: str | None = None


class Notifier:
    def __init__(self, send: Send, platform: PlatformAPI | None, grants: Grants,
                 templates: Mapping[str, str]) -> None:
        """`send` is the customer-service sender; `templates` maps kind -> template id
        (only the configured ones)."""
        self.send, self.platform, self.grants = send, platform, grants
        self.templates = dict(templates)

    def notify(self, openid: str, notice: Notice) -> str | None:
        """CUSTOM or SUBSCRIBE as it went out, or None when neither could reach them now.

        Errors other than "outside the window" (a busy platform, a token) are raised for
        the courier's retry, as for any send.
        """
        try:
            self.send({"touser": openid, "msgtype": "text", "text": {"content": notice.text}})
            return CUSTOM
        except Exception as exc:  # the sender's errors: only LATER moves on to a notice
            if getattr(exc, "errcode", None) not in LATER:
                raise
        return SUBSCRIBE if self.subscribe(openid, notice) else None

    def subscribe(self, openid: str, notice: Notice) -> bool:
        """Send the subscribe notice when it may go; False (logged) when it did not."""
        template = self.templates.get(notice.kind)
        if not template or self.platform is None:
            return False
        if not self.grants.granted(openid, template):
            log.info("no subscribe grant from %s for the %s template", mask(openid), notice.kind)
            return False
        data = {key: {"value": value} for key, value in notice.fields.items()}
        try:
            self.platform.send_subscribe(openid, template, data, page=notice.page)
        except PlatformError as exc:
            if exc.retryable or exc.unsure or exc.token_rejected:
                raise  # the courier tries the whole notice again
            if exc.errcode == NOT_GRANTED:
                self.grants.used(openid, template)
            log.warning("subscribe notice (%s) to %s refused: %s %s; using the fallback",
                        notice.kind, mask(openid), exc.errcode, exc.errmsg[:160])
            return False
        return True
