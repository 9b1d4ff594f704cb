"""What the family desk says to each follower, owed through the outbox once per request.

Every message is a customer-service text keyed `family:<request>:<who>:<what>`, so a decision
applied twice (a retry, a second instance, a restart) is said once. The request goes out the
way every message outside a turn does (the courier, bot/outbound/courier.py); a guardian the
platform cannot reach in chat (45015: no message from them in 48 hours; 45047: quota spent)
is asked by the SMS path instead: `sender` marks the request "unreachable", which tells the
minor to carry on with a code. `otherwise` is the hook for another way to reach them first
(a template or subscribe notice); when it returns True the request counts as delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.outbound.courier import Send, mask
from bot.store import Outbox
from flows.catalog import Catalog
from flows.ids import mask_card

log = logging.getLogger(__name__)
META = "wxbot_family"  # the entry's own field (stripped before sending): which request
LATER = {45015, 45047, 40003, 43004}  # outside 48 h, quota spent, not a follower (now)
Otherwise = Callable[[dict[str, Any]], bool]  # (the request) -> reached them another way


class Tell:
    """Owes the desk's messages; the courier sends them."""

    def __init__(self, outbox: Outbox, catalog: Catalog) -> None:
        self.outbox, self.catalog = outbox, catalog

    def ask(self, request: dict[str, Any], minutes: int) -> bool:
        """The request in the guardian's chat: who asks (masked), for what, how to answer."""
        text = self.catalog.text("consent.request", minor=request["minor_name_masked"],
                                 card=mask_card(request["card_number"]), minutes=minutes)
        return self._owe(request, "guardian:ask", request["guardian_openid"], text)

    def outcome(self, request: dict[str, Any], answer: str, result: str) -> bool:
        """The decision, to whoever has not heard it in their own reply."""
        said = False
        card = mask_card(request["card_number"])
        minor = request["minor_name_masked"]
        if answer == "yes":
            key = "consent.told_bound" if result == "bound" else "consent.told_not_bound"
            said |= self._owe(request, "minor:yes", request["minor_openid"],
                              self.catalog.text(key, card=card, why=self.why(result)))
        elif answer in ("no", "expired", "unreachable"):
            said |= self._owe(request, f"minor:{answer}", request["minor_openid"],
                              self.catalog.text(f"consent.told_{answer}", card=card))
        if answer in ("expired", "sms", "withdrawn"):  # the minor's cancel: told in reply
            said |= self._owe(request, f"guardian:{answer}", request["guardian_openid"],
                              self.catalog.text(f"consent.guardian_{answer}", minor=minor,
                                                card=card))
        return said

    def why(self, result: str) -> str:
        """A binding refused after the consent, in the words the bind flow uses."""
        key = f"bind.{result}" if f"bind.{result}" in self.catalog.texts else "busy"
        return self.catalog.text(key, card_masked="", bound_card="")

    def _owe(self, request: dict[str, Any], what: str, openid: str, text: str) -> bool:
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        if what == "guardian:ask":
            body[META] = {"rid": request["rid"]}
        return self.outbox.put(f"family:{request['rid']}:{what}", body)


def sender(send: Send, unreachable: Callable[[str], None],
           otherwise: Otherwise | None = None) -> Send:
    """The courier's send with the guardian's fallback: chat, else `otherwise`, else SMS."""

    def dispatch(body: dict) -> None:
        meta = body.get(META)
        message = {k: v for k, v in body.items() if k != META}
        try:
            send(message)
        except Exception as exc:
            if meta is None or getattr(exc, "errcode", None) not in LATER:
                raise
            log.info("guardian %s not reachable in chat (%s)", mask(message["touser"]),
                     getattr(exc, "errcode", "?"))
            if otherwise is not None and otherwise(meta):
                return
            unreachable(meta["rid"])

    dispatch.close = lambda: getattr(send, "close", lambda: None)()  # type: ignore[attr-defined]
    return dispatch
