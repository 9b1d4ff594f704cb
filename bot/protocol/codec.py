"""The official-account wire protocol: signatures, the three encryption modes, parse and render.

No Flask here (like Flask's own sansio core): the webhook hands in a query mapping and body
bytes and gets back a parsed message or a ProtocolError carrying the HTTP status to answer.
Parsing lives in bot/protocol/pushxml.py, replies in bot/protocol/replies.py; both are
re-exported here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.messages import BaseMessage
from wechatpy.utils import to_binary

from bot.protocol.pushxml import ascii_digits, event_of, kind_of, parse_xml, to_message
from bot.protocol.refusals import BadRequest, Forbidden, ProtocolError
from bot.protocol.replies import Article, Image, News, Reply, Text, Transfer, render

__all__ = ["MAX_BODY", "Article", "BadRequest", "Codec", "Forbidden", "Image", "Inbound",
           "News", "ProtocolError", "Reply", "Text", "event_of", "kind_of", "parse_xml",
           "render", "sign", "to_message", "Transfer"]

MODES = ("plaintext", "compat", "safe")  # the platform's message encryption settings
MAX_BODY = 64 * 1024
MAX_TIMESTAMP_DIGITS = 12


def sign(*parts: str) -> str:
    """The platform's signature: sha1 over the sorted, concatenated parts."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _same(expected: str, given: str | None) -> bool:
    return hmac.compare_digest(expected.encode(), (given or "").encode())


@dataclass(frozen=True)
class Inbound:
    """One decoded push: the wechatpy message, its fields, and whether to encrypt the answer."""

    message: BaseMessage
    fields: dict
    encrypted: bool
    nonce: str = ""


class Codec:
    """Checks the signed envelope of a push and seals the answer, in any of the three modes."""

    def __init__(self, token: str, aes_key: str | None = None, app_id: str | None = None,
                 tolerance: int = 300, now: object = time.time, mode: str | None = None) -> None:
        """`mode` is the account's setting (MODES); unset, what the key allows: compat with
        one, plaintext without. Safe refuses plaintext bodies, plaintext refuses sealed ones."""
        self.token, self.app_id, self.tolerance, self._now = token, app_id or "", tolerance, now
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        # One cipher for every push (wechatpy builds one per call: ~5 µs each way).
        self._prp = _Prp(self.crypto.key) if self.crypto is not None else None
        self._app_id_bytes = to_binary(self.crypto._id) if self.crypto else b""  # noqa: SLF001
        self.mode = mode or ("compat" if aes_key else "plaintext")
        if self.mode not in MODES or (self.mode != "plaintext" and self.crypto is None):
            raise ValueError(f"mode {self.mode!r} needs one of {MODES} and, sealed, a key")

    def check_query(self, query: Mapping[str, str]) -> None:
        """Signature and freshness of the query string; Forbidden when either fails."""
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not ascii_digits(timestamp, MAX_TIMESTAMP_DIGITS):
            raise Forbidden("timestamp missing or not a number")
        if self.tolerance and abs(self._now() - int(timestamp)) > self.tolerance:
            raise Forbidden("timestamp outside the tolerance")
        if not _same(sign(self.token, timestamp, nonce), query.get("signature")):
            raise Forbidden("bad signature")

    def verify_url(self, query: Mapping[str, str]) -> str:
        """The GET check: answer `echostr` unchanged when the signature holds."""
        self.check_query(query)
        return query.get("echostr", "")

    def decode(self, query: Mapping[str, str], body: bytes) -> Inbound:
        """Check, decrypt when asked to, parse; raise ProtocolError with the status to answer."""
        self.check_query(query)
        fields = parse_xml(body)
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if not encrypted and self.mode == "safe":
            # Anyone who saw a signed query (a proxy's log) could pair it with a plaintext body.
            raise Forbidden("plaintext push refused: the account is in safe mode")
        if encrypted and self.mode == "plaintext" and self.crypto is not None:
            raise BadRequest("encrypted push but the account is in plaintext mode")
        if encrypted:
            fields = self._open(query, fields)
        return Inbound(to_message(fields), fields, encrypted, query.get("nonce", ""))

    def _open(self, query: Mapping[str, str], fields: dict) -> dict:
        if self.crypto is None:
            raise BadRequest("encrypted push but WECHAT_AES_KEY is not configured")
        cipher = fields.get("Encrypt")
        if not isinstance(cipher, str) or not cipher:
            raise BadRequest("encrypted push without Encrypt")
        parts = (self.token, query.get("timestamp", ""), query.get("nonce", ""), cipher)
        if not _same(sign(*parts), query.get("msg_signature")):
            raise Forbidden("bad msg_signature")
        try:
            plain = self._unseal(cipher)
        except Exception as exc:  # wechatpy raises several types for one cause: bad ciphertext
            raise BadRequest(_undecryptable(exc)) from None
        return parse_xml(plain)

    def _unseal(self, cipher: str) -> str:
        """wechatpy's PrpCrypto.decrypt step for step, so every bad payload raises what it
        raised (the refusal's words come from that), with the kept cipher and no conversions."""
        opener = self._prp.cipher.cipher.decryptor()  # type: ignore[union-attr]
        plain = opener.update(base64.b64decode(cipher.encode())) + opener.finalize()
        content = plain[16:-plain[-1]]
        length = struct.unpack(">I", content[:4])[0]
        xml = content[4:length + 4].decode()
        if content[length + 4:].decode() != self.crypto._id:  # type: ignore[union-attr]  # noqa: SLF001
            raise InvalidAppIdException()
        return xml

    def encode(self, reply_xml: str | None, inbound: Inbound) -> str:
        """`success` when there is nothing to say; the reply, sealed when the push was."""
        if not reply_xml:
            return "success"
        if not inbound.encrypted or self.crypto is None:
            return reply_xml
        return self._seal(reply_xml, inbound.nonce or "wxbot", str(int(self._now())))

    def _seal(self, xml: str, nonce: str, timestamp: str) -> str:
        """wechatpy's _encrypt_message byte for byte (random 16, big-endian length, text, AppID,
        PKCS#7 to 32, AES-CBC, base64; its envelope), without its per-call cipher, signer and
        text conversions: ~40% of a sealed reply's cost went to those."""
        prp = self._prp
        text = xml.encode()
        plain = b"".join((prp.get_random_string().encode(),  # type: ignore[union-attr]
                          struct.pack(">I", len(text)), text, self._app_id_bytes))
        pad = 32 - len(plain) % 32
        sealer = prp.cipher.cipher.encryptor()  # type: ignore[union-attr]
        encrypt = base64.b64encode(
            sealer.update(plain + bytes((pad,)) * pad) + sealer.finalize()).decode()
        signature = sign(self.token, timestamp, nonce, encrypt)
        return (f"<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n"
                f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
                f"<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>")


class _Prp(PrpCrypto):
    """wechatpy's cipher, its 16 random leading characters from os.urandom: random.sample over
    62 letters cost ~8 µs a reply (the platform drops them unread; any 16 bytes do)."""

    def get_random_string(self) -> str:
        return os.urandom(8).hex()


def _undecryptable(exc: Exception) -> str:
    """What was wrong with a sealed payload, in our words: a library's class names tell a
    stranger which library answers, and tell the platform's operator nothing."""
    name = type(exc).__name__
    if "AppId" in name:
        return "the encrypted payload is for another account (AppID does not match)"
    if "Padding" in name or "Buffer" in name:
        return "the encrypted payload is damaged (bad padding or length)"
    return "the encrypted payload cannot be decrypted with this account's key"
