"""Pushes that did not come from the page (`wxbot chat --url`, the sandbox) in the same chats.

The page's own deliveries are kept with their wire bytes by Bench.deliver; any other push is
kept here from the webhook's hooks: its fields, the reply, the step before and after, and the
time the bot took. Its wire bytes were not ours to keep, so it cannot be delivered again.
"""

from __future__ import annotations

import time
from typing import Any

import xmltodict

from bot.protocol import Inbound, ProtocolError, parse_xml
from bot.server import arrival
from bot.sim.web.steplog import log, step_line
from bot.sim.wire.followers import alias_of


def _shown(fields: dict[str, Any]) -> tuple[str, str]:
    kind = str(fields.get("MsgType") or "").lower()
    if kind == "text":
        return "text", str(fields.get("Content") or "")
    if kind == "voice" and fields.get("Recognition"):
        return "voice", str(fields["Recognition"])
    if kind == "event":
        event, key = str(fields.get("Event") or "").lower(), fields.get("EventKey")
        return f"event_{event}", f"[菜单] {key}" if event == "click" and key else f"[{event}]"
    return kind, f"[{kind}]"


def reply_text(reply_xml: str) -> str | None:
    """The Content of a text reply, as the follower reads it."""
    try:
        fields = parse_xml(reply_xml) if reply_xml else {}
    except ProtocolError:
        return None
    return fields.get("Content") if fields.get("MsgType") == "text" else None


class Tap:
    """Hooks around the webhook (before_message / after_message) for outside pushes."""

    def __init__(self, bench: Any) -> None:
        self.bench = bench
        bench.bot.before_message.append(self.before)
        bench.bot.after_message.append(self.after)

    def before(self, inbound: Inbound) -> None:
        local = self.bench.local
        if getattr(local, "ours", False):
            return
        local.outside = {"before": self.bench.step(inbound.message.source), "trace": [],
                         "started": arrival.arrived(), "at": self.bench.bot.clock.now()}
        local.steps = local.outside["trace"]

    def after(self, inbound: Inbound, reply_xml: str) -> None:
        local = self.bench.local
        seen = getattr(local, "outside", None)
        if getattr(local, "ours", False) or seen is None:
            return
        local.outside = local.steps = None
        openid, fields = inbound.message.source, inbound.fields
        kind, shown = _shown(fields)
        plain = {k: v for k, v in fields.items() if k != "Encrypt"}
        exchange = self.bench.transcripts.new(
            openid, at=seen["at"], shown=shown, kind=kind, lang=self.bench.bot.catalog.lang,
            status=200, latency_ms=round((time.monotonic() - seen["started"]) * 1000, 1),
            reply_text=reply_text(reply_xml), reply_type="text" if reply_xml else None,
            request_xml=xmltodict.unparse({"xml": plain}, full_document=False, pretty=True),
            reply_xml=reply_xml or None, reply_body="(answered to the outside sender)",
            before=seen["before"], after=self.bench.step(openid), trace=seen["trace"])
        log.info(step_line(alias_of(openid), shown, exchange.before, exchange.after, 200,
                           exchange.latency_ms, exchange.reply_text))
