"""The platform's signing and encryption: wrap a push for a mode, open and check the reply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.protocol import MODES, ProtocolError, parse_xml, sign
from bot.sim.wire.build import cdata


class ReplyError(Exception):
    """A reply the platform would refuse: the user sees the 'cannot serve' notice instead."""


def parse_reply(text: str) -> dict[str, Any]:
    """The top-level fields under <xml>, read as the bot reads a push (no DTDs, no entities)."""
    try:
        return parse_xml(text)
    except ProtocolError as exc:
        raise ReplyError(str(exc)) from exc


class Envelope:
    """One account's mode, token and key: how its pushes are sealed and its replies opened."""

    def __init__(
        self,
        token: str,
        *,
        mode: str = "plaintext",
        aes_key: str | None = None,
        app_id: str | None = None,
        strict: bool = True,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if mode != "plaintext" and not (aes_key and app_id):
            raise ValueError(f"{mode} mode needs aes_key and app_id")
        self.token, self.mode, self.app_id, self.strict = token, mode, app_id, strict
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key and app_id else None

    @property
    def encrypted(self) -> bool:
        return self.mode != "plaintext"

    def encrypt(self, xml: str) -> str:
        """The base64 Encrypt value of `xml` (random 16-byte prefix, length, xml, AppID)."""
        assert self.crypto is not None, "no aes_key/app_id"
        return PrpCrypto(self.crypto.key).encrypt(xml, self.app_id).decode()

    def query(
        self, timestamp: str, nonce: str, *, openid: str | None = None, encrypt: str | None = None
    ) -> dict[str, str]:
        """The URL query the platform adds, in its order; msg_signature covers `encrypt`."""
        query = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp}
        query["nonce"] = nonce
        if openid is not None:
            query["openid"] = openid
        if encrypt is not None:
            query["encrypt_type"] = "aes"
            query["msg_signature"] = sign(self.token, timestamp, nonce, encrypt)
        return query

    def wrap(
        self, xml: str, *, account: str, timestamp: str, nonce: str, openid: str | None = None
    ) -> tuple[str, dict[str, str]]:
        """Body and query for pushing `xml`: as is, plain fields + Encrypt, or Encrypt alone."""
        if not self.encrypted:
            return xml, self.query(timestamp, nonce, openid=openid)
        encrypt = self.encrypt(xml)
        tag = f"<Encrypt>{cdata(encrypt)}</Encrypt>"
        if self.mode == "safe":
            body = f"<xml>\n<ToUserName>{cdata(account)}</ToUserName>\n{tag}\n</xml>"
        else:
            head, end, _ = xml.rstrip().rpartition("</xml>")
            if not end:
                raise ValueError("compat mode needs an XML push ending in </xml>")
            body = f"{head.rstrip()}\n{tag}\n</xml>"
        return body, self.query(timestamp, nonce, openid=openid, encrypt=encrypt)

    def open_reply(self, body: str) -> str:
        """The reply's plain XML, after checking its MsgSignature and AppID when encrypted."""
        fields = parse_reply(body)
        if "Encrypt" not in fields:
            if self.mode == "safe":
                raise ReplyError("safe mode: the reply is not encrypted")
            if self.mode == "compat" and self.strict:
                raise ReplyError(
                    "compat mode: the reply is not encrypted (the platform accepts that in compat"
                    " mode, but the bot must encrypt replies to encrypted requests)"
                )
            return body
        if self.crypto is None or not self.encrypted:
            raise ReplyError("plaintext mode: the reply is encrypted and cannot be read")
        missing = [k for k in ("MsgSignature", "TimeStamp", "Nonce") if not fields.get(k)]
        if missing:
            raise ReplyError(f"encrypted reply without {', '.join(missing)}")
        try:
            return self.crypto.decrypt_message(
                fields, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
        except InvalidSignatureException as exc:
            raise ReplyError("encrypted reply: MsgSignature does not match") from exc
        except InvalidAppIdException as exc:
            raise ReplyError(f"encrypted reply: not for AppID {self.app_id}") from exc
        except Exception as exc:  # bad base64, padding or length: unreadable ciphertext
            raise ReplyError(f"encrypted reply cannot be decrypted: {exc!r}") from exc


def push_mode(cfg: Mapping[str, Any]) -> str:
    """How the simulator seals its own pushes: as the account takes them (sealed whenever it
    can open them: compat and safe), except the sandbox profile, whose test accounts are
    plaintext."""
    if cfg["WECHAT_MODE"] == "plaintext" or cfg.get("BOT_SIM_PROFILE") == "sandbox":
        return "plaintext"
    return "safe"
