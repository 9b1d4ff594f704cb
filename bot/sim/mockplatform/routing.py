"""Where a follower's message goes while customer service has them (platform-more.md §1.1).

The platform decides before the developer URL sees anything: a follower an agent has taken
writes to the agent only. So this sits in front of the app (a WSGI wrapper), as the platform
sits in front of the bot; a transfer reply seen after a turn queues the follower.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from bot.protocol import MAX_BODY, Inbound, ProtocolError, parse_xml
from bot.sim.mockplatform.followers import MESSAGES
from bot.sim.mockplatform.state import MockPlatform

log = logging.getLogger(__name__)
WSGI = Callable[[dict, Callable], Iterable[bytes]]


def shown(fields: dict) -> str:
    """What an agent reads of a follower's message (media as the platform's `[image]`)."""
    kind = str(fields.get("MsgType") or "").lower()
    if kind == "text":
        return str(fields.get("Content") or "")
    if kind == "voice" and fields.get("Recognition"):
        return str(fields["Recognition"])
    return f"[{kind}]"


class Routing:
    """Wraps the app's WSGI callable; `transferred` is the webhook's after_message hook."""

    def __init__(self, wsgi: WSGI, mock: MockPlatform, decode: Callable[..., Inbound]) -> None:
        self.wsgi, self.mock, self.decode = wsgi, mock, decode

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if environ.get("PATH_INFO") == "/wechat" and environ.get("REQUEST_METHOD") == "POST" \
                and 0 < length <= MAX_BODY:  # anything else: the webhook refuses it as usual
            try:
                body = environ["wsgi.input"].read(length)
            except OSError:  # the body did not arrive in time (bot/server/webhook.py)
                start_response("408 Request Timeout", [("Content-Type", "text/plain")])
                return [b"408 request body not received in time"]
            environ["wsgi.input"] = io.BytesIO(body)  # the webhook reads it again, unchanged
            if self._to_agent(environ, body):
                start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"success"]
        return self.wsgi(environ, start_response)

    def _to_agent(self, environ: dict, body: bytes) -> bool:
        try:
            query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
            fields = self.decode(query, body).fields
        except ProtocolError:
            return False  # the webhook refuses it as usual
        openid = str(fields.get("FromUserName") or "")
        if str(fields.get("MsgType") or "").lower() not in MESSAGES:
            return False
        agent = self.mock.kf.session(openid)
        if not agent:
            return False
        mark = str(fields.get("MsgId") or fields.get("CreateTime"))
        self.mock.observe(openid, str(fields.get("MsgType")), None, mark)  # the 48 h window
        self.mock.kf.note(openid, "in", agent, shown(fields))
        return True

    def transferred(self, inbound: Inbound, reply_xml: str) -> None:
        """The bot answered with transfer_customer_service: the follower joins the queue."""
        if not reply_xml or "transfer_customer_service" not in reply_xml:
            return
        try:
            reply = parse_xml(reply_xml)
        except ProtocolError:
            return
        if reply.get("MsgType") != "transfer_customer_service":
            return
        info: Any = reply.get("TransInfo")
        account = str(info.get("KfAccount") or "") if isinstance(info, dict) else ""
        self.mock.kf.enqueue(inbound.message.source, account, shown(inbound.fields))
