"""The floor: the least a Flask + wechatpy endpoint can do per message, to measure the bot against.

It checks the signature, parses the push with `wechatpy.parse_message` and echoes the text in a
TextReply; with an AES key it also opens and seals safe-mode pushes, so the cost of the crypto
alone can be told apart from the bot's own. No store, no session, no backend.
"""

from __future__ import annotations

from flask import Flask, Response, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature


def create_floor_app(token: str, aes_key: str | None = None, app_id: str | None = None) -> Flask:
    """A bare echo endpoint at POST /wechat (plaintext, or safe mode with `aes_key`)."""
    app = Flask(__name__)
    crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None

    @app.post("/wechat")
    def echo() -> Response:
        args = request.args
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        try:
            check_signature(token, args.get("signature", ""), timestamp, nonce)
            body = request.get_data()
            sealed = crypto is not None and args.get("encrypt_type") == "aes"
            if sealed:
                body = crypto.decrypt_message(body, args.get("msg_signature", ""), timestamp, nonce)
        except InvalidSignatureException:
            return Response("forbidden", 403)
        message = parse_message(body)
        xml = TextReply(message=message, content=getattr(message, "content", "") or "").render()
        if sealed:
            xml = crypto.encrypt_message(xml, nonce, timestamp)
        return Response(xml, content_type="application/xml; charset=utf-8")

    return app
