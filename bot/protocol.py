"""The official-account wire protocol: signatures, the three encryption modes, parse and render.

No Flask here (like Flask's own sansio core): the webhook hands in a query mapping and body
bytes and gets back a parsed message or a ProtocolError carrying the HTTP status to answer.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import types
from collections.abc import Mapping
from dataclasses import dataclass
from xml.parsers import expat

import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES, BaseMessage, UnknownMessage

from bot.replies import Article, Image, News, Reply, Text, render  # noqa: F401 - re-exported

MODES = ("plaintext", "compat", "safe")  # the platform's message encryption settings
MAX_BODY = 64 * 1024
REQUIRED = ("ToUserName", "FromUserName", "MsgType")
TEXT_FIELDS = ("Content", "Recognition", "Event", "EventKey")  # read as text downstream


class ProtocolError(Exception):
    """A request the platform would never send; `status` is what the webhook answers."""

    status = 400


class Forbidden(ProtocolError):
    status = 403


class BadRequest(ProtocolError):
    status = 400


def sign(*parts: str) -> str:
    """The platform's signature: sha1 over the sorted, concatenated parts."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _same(expected: str, given: str | None) -> bool:
    return hmac.compare_digest(expected.encode(), (given or "").encode())


def _no_doctype(*_args: object) -> None:
    raise ValueError("DTDs are refused")


def _create_guarded_parser(*args: object, **kwargs: object) -> expat.XMLParserType:
    # Refusing the DOCTYPE at its start means no entity is ever declared, let alone expanded.
    parser = expat.ParserCreate(*args, **kwargs)
    parser.StartDoctypeDeclHandler = _no_doctype
    return parser


_GUARDED_EXPAT = types.SimpleNamespace(ParserCreate=_create_guarded_parser)


def parse_xml(body: bytes | str) -> dict:
    """Parse one `<xml>` document into a dict, refusing DTDs, entities and other shapes."""
    try:
        doc = xmltodict.parse(body, expat=_GUARDED_EXPAT, disable_entities=True)
    except (ValueError, expat.ExpatError) as exc:
        raise BadRequest(f"not well-formed XML: {exc}") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise BadRequest("the root element must be <xml> with fields inside")
    return root


def to_message(fields: dict) -> BaseMessage:
    """Pick the wechatpy class the way `wechatpy.parse_message` does, without parsing again."""
    for name in REQUIRED:
        if not isinstance(fields.get(name), str) or not fields[name].strip():
            raise BadRequest(f"missing {name}")
    for name, value in fields.items():
        if isinstance(value, list):
            raise BadRequest(f"{name} appears more than once")
    for name in TEXT_FIELDS:
        if not isinstance(fields.get(name), str | None):
            raise BadRequest(f"{name} must be text")
    for name, digits in (("CreateTime", 10), ("MsgId", 20)):  # seconds to 2286; 64-bit ids
        if name in fields and not (str(fields[name]).isdigit() and len(fields[name]) <= digits):
            raise BadRequest(f"{name} must be a number of at most {digits} digits")
    kind = fields["MsgType"].lower()
    if kind != "event" and not kind.startswith("device_"):
        return MESSAGE_TYPES.get(kind, UnknownMessage)(fields)
    event = str(fields.get("Event") or kind).lower()
    if kind.startswith("device_") and "Event" in fields:
        event = f"device_{event}"
    key = fields.get("EventKey")
    if event == "subscribe" and isinstance(key, str) and key:
        if key.startswith(("scanbarcode|", "scanimage|")):
            event = fields["Event"] = "subscribe_scan_product"
        elif key.startswith("qrscene_"):
            event = fields["Event"] = "subscribe_scan"
            fields["EventKey"] = key[len("qrscene_"):]
    return EVENT_TYPES.get(event, UnknownMessage)(fields)


def kind_of(message: BaseMessage) -> str:
    """The message type, also for types wechatpy 1.8 files as unknown (e.g. `file`)."""
    if message.type != "unknown":
        return message.type
    return str(message._data.get("MsgType", "unknown")).lower()  # noqa: SLF001 - no accessor


def event_of(message: BaseMessage) -> str:
    """The event name as wechatpy knows it, or lower-cased as sent when it does not."""
    return getattr(message, "event", None) or str(message._data.get("Event", "")).lower()


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
                 tolerance: int = 300, now: object = time.time) -> None:
        self.token, self.app_id, self.tolerance, self._now = token, app_id or "", tolerance, now
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None

    def check_query(self, query: Mapping[str, str]) -> None:
        """Signature and freshness of the query string; Forbidden when either fails."""
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not timestamp.isdigit() or len(timestamp) > 12:
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
            plain = PrpCrypto(self.crypto.key).decrypt(cipher, self.app_id)
        except Exception as exc:  # wechatpy raises several types for one cause: bad ciphertext
            raise BadRequest(f"undecryptable payload ({type(exc).__name__})") from None
        return parse_xml(plain)

    def encode(self, reply_xml: str | None, inbound: Inbound) -> str:
        """`success` when there is nothing to say; the reply, sealed when the push was."""
        if not reply_xml:
            return "success"
        if not inbound.encrypted or self.crypto is None:
            return reply_xml
        return self.crypto.encrypt_message(reply_xml, inbound.nonce or "wxbot",
                                           str(int(self._now())))
