"""What the platform makes of the bot's answers: a checked reply, or what the user sees instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.sim.wire.envelope import Envelope, ReplyError, parse_reply

USER_SEES_ON_ERROR = "该公众号暂时无法提供服务，请稍后再试"
REPLY_TYPES = {"text", "image", "voice", "video", "music", "news", "transfer_customer_service"}


@dataclass
class Answer:
    """One HTTP answer to one delivery; `in_time` False: it came after the platform gave up."""

    status: int
    body: str
    elapsed: float = 0.0
    in_time: bool = True


@dataclass
class Reading:
    """An answer as the platform reads it: decrypted XML, top-level fields, or an error."""

    xml: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _problems(fields: dict[str, Any], user: str | None, account: str | None) -> list[str]:
    found = []
    if user is not None and fields.get("ToUserName") != user:
        found.append(f"ToUserName is {fields.get('ToUserName')!r}, not the user {user!r}")
    if account is not None and fields.get("FromUserName") != account:
        found.append(f"FromUserName is {fields.get('FromUserName')!r}, not {account!r}")
    if not str(fields.get("CreateTime") or "").isdigit():
        found.append(f"CreateTime {fields.get('CreateTime')!r} is not an integer")
    kind = fields.get("MsgType")
    if kind not in REPLY_TYPES:
        found.append(f"MsgType {kind!r} is not a passive reply type")
    if kind == "text" and "Content" not in fields:
        found.append("text reply without Content")
    if kind == "news":
        count = str(fields.get("ArticleCount") or "")
        if not count.isdigit() or int(count) != len(fields.get("Articles") or []):
            found.append(f"ArticleCount {count!r} does not match the Articles")
    return found


def read_answer(
    answer: Answer, envelope: Envelope, *, user: str | None, account: str | None
) -> Reading:
    """Decrypt and check an answer: `success` or empty is fine, any other non-reply is an error."""
    if answer.status != 200:  # the bot's own words (bad signature, stale timestamp…) help most
        said = " ".join(answer.body.split())[:160]
        return Reading(error=flag(f"HTTP {answer.status}" + (f" «{said}»" if said else "")))
    if answer.body.strip() in ("", "success"):
        return Reading()
    try:
        xml = envelope.open_reply(answer.body)
        fields = parse_reply(xml)
    except ReplyError as exc:
        return Reading(error=flag(str(exc)))
    articles = fields.get("Articles")
    if isinstance(articles, dict):
        items = articles.get("item")
        fields["Articles"] = items if isinstance(items, list) else [items] if items else []
    problems = _problems(fields, user, account)
    return Reading(xml, fields, flag("; ".join(problems)) if problems else None)


def flag(reason: str) -> str:
    """An error as the developer needs it: the reason, then what the follower sees."""
    return f"{reason} — the user sees 「{USER_SEES_ON_ERROR}」"


def _same(fields: dict[str, Any]) -> str:
    return repr(sorted((k, v) for k, v in fields.items() if k != "CreateTime"))


@dataclass
class Delivery:
    """One push and what came of it, including every retry the platform made."""

    status: int
    body: str
    reply_xml: str | None
    reply: dict[str, Any]
    error: str | None
    request_body: str = ""
    query: dict[str, str] = field(default_factory=dict)
    request_xml: str = ""
    answers: list[Answer | None] = field(default_factory=list)
    readings: list[Reading | None] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None

    @property
    def text(self) -> str:
        """Content of a text reply; "" for `success`, empty or any other reply."""
        return (self.reply.get("Content") or "") if self.reply.get("MsgType") == "text" else ""

    @property
    def deliveries(self) -> int:
        return max(1, len(self.answers))

    @property
    def retry_replies(self) -> list[str]:
        """Raw bodies the bot answered to the platform's retries (deliveries 2 and 3)."""
        return [a.body for a in self.answers[1:] if a is not None]

    @property
    def processed_twice(self) -> bool:
        """True when deliveries got different real replies: the bot took a retry as new."""
        seen = {_same(r.fields) for r in self.readings if r is not None and r.fields}
        return len(seen) > 1
