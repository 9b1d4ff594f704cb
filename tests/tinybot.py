"""A minimal bot written straight on wechatpy, for testing the platform simulator on its own."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask, abort, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

TOKEN, KEY, APP_ID = "t0ken", "A" * 43, "wx0123456789abcdef"
ACCOUNT, USER = "gh_wxbot_dev", "oUser0001"
Responder = Callable[[object, int], "str | tuple[str, int]"]


def echo(message, n: int) -> str:
    """Reply with what arrived: the content of a text, else the event and its key."""
    kind, key = getattr(message, "event", message.type), getattr(message, "key", "")
    said = message.content if message.type == "text" else f"{kind}:{key}"
    return TextReply(message=message, content=f"echo:{said}").render()


def numbered(message, n: int) -> str:
    """A bot without dedup: every delivery is a new message, so the replies differ."""
    return TextReply(message=message, content=f"第{n}次").render()


def bot_app(respond: Responder = echo, *, delay: Callable[[int], float] = lambda n: 0.0) -> Flask:
    """Checks signatures, decrypts with wechatpy, replies via `respond` (sealed when asked).

    `respond(message, n)` gets the delivery number n; returning (body, status) skips sealing,
    to send the client a bad reply. `delay(n)` seconds pass before answering delivery n.
    """
    app, lock, crypto = Flask("tinybot"), threading.Lock(), WeChatCrypto(TOKEN, KEY, APP_ID)
    app.config["RECEIVED"] = received = []

    @app.route("/wechat", methods=["GET", "POST"])
    def hook():
        args = request.args
        try:
            check_signature(TOKEN, args["signature"], args["timestamp"], args["nonce"])
        except InvalidSignatureException:
            abort(403)
        if request.method == "GET":
            return args["echostr"]
        body, sealed = request.get_data(as_text=True), args.get("encrypt_type") == "aes"
        xml = body
        if sealed:
            stamp = args["msg_signature"], args["timestamp"], args["nonce"]
            xml = crypto.decrypt_message(body, *stamp)
        with lock:
            received.append({"query": dict(args), "body": body, "xml": xml})
            n = len(received)
        threading.Event().wait(delay(n))
        out = respond(parse_message(xml), n)
        if isinstance(out, tuple) or out in ("", "success") or not sealed:
            return out
        return crypto.encrypt_message(out, args["nonce"], args["timestamp"])

    return app
