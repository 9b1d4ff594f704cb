"""Passive replies: what the engine may say, rendered as the platform's reply XML by wechatpy.

Transfer is the hand-over to a person (platform-more.md §1.1). wechatpy 1.8's
TransferCustomerServiceReply has no TransInfo and drops an `account=` silently, so the
directed form is rendered by the small DirectedTransferReply below.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from wechatpy.fields import BaseField
from wechatpy.messages import BaseMessage
from wechatpy.replies import (
    ArticlesReply,
    BaseReply,
    ImageReply,
    TransferCustomerServiceReply,
)


@dataclass(frozen=True)
class Text:
    content: str


@dataclass(frozen=True)
class Article:
    title: str
    description: str = ""
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class News:
    articles: list[Article] = field(default_factory=list)


@dataclass(frozen=True)
class Image:
    media_id: str


@dataclass(frozen=True)
class Transfer:
    """Hand the follower to the platform's customer service; `account`: one named agent."""

    account: str | None = None


Reply = Text | News | Image | Transfer


class _TransInfoField(BaseField):
    """`<TransInfo><KfAccount>…</KfAccount></TransInfo>`, the field wechatpy 1.8 lacks."""

    def to_xml(self, value: str) -> str:
        return f"<TransInfo><KfAccount><![CDATA[{cdata_safe(value)}]]></KfAccount></TransInfo>"


class DirectedTransferReply(BaseReply):
    """transfer_customer_service to a named agent (the platform queues the follower for them)."""

    type = "transfer_customer_service"
    account = _TransInfoField("TransInfo")


def cdata_safe(text: str) -> str:
    """Text safe inside CDATA: `]]>` is split, as wechatpy 1.8 would end the section there."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def text_xml(message: BaseMessage, content: str, stamp: int) -> str:
    """What wechatpy's TextReply renders, character for character (tests/test_protocol.py
    holds it to that), at a twentieth of its cost: the reply to nearly every push is text."""
    return (f"<xml>\n<MsgType><![CDATA[text]]></MsgType>\n"
            f"<Content><![CDATA[{cdata_safe(content)}]]></Content>\n"
            f"<FromUserName><![CDATA[{message.target}]]></FromUserName>\n"
            f"<ToUserName><![CDATA[{message.source}]]></ToUserName>\n"
            f"<CreateTime>{stamp}</CreateTime>\n</xml>")


def render(reply: Reply, message: BaseMessage, now: float | None = None) -> str:
    """The passive-reply XML: To/From swapped by wechatpy, CreateTime fresh."""
    stamp = int(now if now is not None else time.time())
    if isinstance(reply, Text):
        return text_xml(message, reply.content, stamp)
    if isinstance(reply, Transfer):
        if reply.account:
            return DirectedTransferReply(message=message, account=reply.account,
                                         time=stamp).render()
        return TransferCustomerServiceReply(message=message, time=stamp).render()
    if isinstance(reply, Image):
        return ImageReply(message=message, media_id=reply.media_id, time=stamp).render()
    out = ArticlesReply(message=message, time=stamp)
    for a in reply.articles:
        out.add_article({"title": cdata_safe(a.title), "description": cdata_safe(a.description),
                         "image": a.image, "url": a.url})
    return out.render()
