"""A follower's subscribe-notice grants, as the platform's pushes report them.

The platform keeps the real ledger; the bot only learns it from `subscribe_msg_popup_event`
(accept / reject) and `subscribe_msg_change_event` (a refusal in the settings page), and
from its own sends: a 43101 means the grant is gone (a one-time grant spent, or revoked
unseen), so the bot stops trying that template until the follower accepts again. A popup
event does not say whether a template is one-time or long-term, so a one-time grant is
known to be spent only at the next send's 43101: the notice then takes the fallback.

One KV key per follower and template (`subscribe:grant:<openid>:<template>`), so a push and
a send touching two templates never overwrite each other. Nothing personal: template ids
and a status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.outbound.senders import mask
from bot.protocol.subscribe import SENT, SubscribeMsgEvent
from bot.store.kv import KV

log = logging.getLogger(__name__)
KEEP = 400 * 86_400  # seconds a grant is remembered: one-time grants have no time limit
ACCEPT, REJECT, USED = "accept", "reject", "used"


class Grants:
    """Per follower and template: accept, reject, used (43101), or nothing heard."""

    def __init__(self, kv: KV) -> None:
        self.kv = kv

    @staticmethod
    def _key(openid: str, template: str) -> str:
        return f"subscribe:grant:{openid}:{template}"

    def heard(self, event: SubscribeMsgEvent) -> None:
        """A subscribe_msg_* push: note each template's answer (a sent event changes none)."""
        for item in event.subscribes:
            if event.event == SENT:
                if item.error_code:  # the platform could not deliver it after all
                    log.warning("subscribe notice to %s not delivered (%s %s)",
                                mask(event.source), item.error_code, item.status[:40])
                continue
            if item.status in (ACCEPT, REJECT):
                self.kv.set(self._key(event.source, item.template_id), item.status, KEEP)

    def granted(self, openid: str, template: str) -> bool:
        return self.kv.get(self._key(openid, template)) == ACCEPT

    def used(self, openid: str, template: str) -> None:
        """The platform answered 43101: no grant stands until the follower accepts again."""
        self.kv.set(self._key(openid, template), USED, KEEP)

    def of(self, openid: str, templates: Iterable[str]) -> dict[str, str]:
        """What the bot believes of each template (`none`: nothing heard), for the workbench."""
        return {t: self.kv.get(self._key(openid, t)) or "none" for t in templates}
