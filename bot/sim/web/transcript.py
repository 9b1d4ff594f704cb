"""The simulator's memory of what it delivered: every push, its bytes, the answer, per follower.

The page reloads a follower's chat from here (so a reload or a new tab shows the same chat),
the traffic panel shows the raw XML as sent and as opened, a retry re-sends the exact wire
bytes, and "save as fixture" reads the exchanges (bot/sim/websave.py). In memory and bounded:
this is the developer's simulator, not a log of real people.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, deque
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.sim.wire.delivery import Delivery

PER_FOLLOWER = 500  # exchanges kept per follower; the page's chat needs far fewer
FOLLOWERS = 200  # followers kept, least recently active dropped first (a sandbox has many)


@dataclass
class Exchange:
    """One delivery from the page and what came of it."""

    id: int
    openid: str
    at: float  # the bot's clock when it was sent
    shown: str  # the follower's bubble: what they typed, or [菜单] 绑定社保卡
    kind: str
    lang: str
    status: int = 0
    latency_ms: float = 0.0
    error: str | None = None
    reply_text: str | None = None
    reply_type: str | None = None
    request_xml: str = ""  # the push as the platform built it
    wire_body: str = ""  # as it went over the wire (sealed in safe mode)
    query: dict[str, str] = field(default_factory=dict)
    reply_body: str = ""  # the HTTP answer as it came back
    reply_xml: str | None = None  # the reply opened (decrypted in safe mode)
    before: dict | None = None
    after: dict | None = None
    trace: list = field(default_factory=list)
    retry_of: int | None = None

    def fill(self, delivery: Delivery) -> Exchange:
        """Take the answer's status, timing, bytes and text from a delivery."""
        answer = delivery.answers[0] if delivery.answers else None
        self.status, self.error = delivery.status, delivery.error
        self.latency_ms = round(answer.elapsed * 1000, 1) if answer else 0.0
        self.reply_body, self.reply_xml = delivery.body, delivery.reply_xml
        self.reply_text = delivery.text or None
        self.reply_type = delivery.reply.get("MsgType") if delivery.reply else None
        self.wire_body, self.query = delivery.request_body, dict(delivery.query)
        self.request_xml = delivery.request_xml or self.request_xml
        return self

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Transcripts:
    """Exchanges per follower, oldest first, with ids that rise across followers."""

    def __init__(self, keep: int = PER_FOLLOWER, followers: int = FOLLOWERS) -> None:
        self.keep, self.max_followers = keep, followers
        self._by_user: OrderedDict[str, deque[Exchange]] = OrderedDict()
        self._ids = itertools.count(1)
        self.last_id = 0  # the newest exchange's id (kept across clear: ids only rise)
        self._lock = threading.Lock()

    def new(self, openid: str, **values: Any) -> Exchange:
        """A numbered exchange, kept under its follower."""
        with self._lock:
            exchange = Exchange(next(self._ids), openid, **values)
            self.last_id = exchange.id
            self._by_user.setdefault(openid, deque(maxlen=self.keep)).append(exchange)
            self._by_user.move_to_end(openid)
            while len(self._by_user) > self.max_followers:
                self._by_user.popitem(last=False)
            return exchange

    def of(self, openid: str) -> list[Exchange]:
        with self._lock:
            return list(self._by_user.get(openid, ()))

    def find(self, exchange_id: int) -> Exchange | None:
        with self._lock:
            return next((e for d in self._by_user.values() for e in d if e.id == exchange_id),
                        None)

    def followers(self) -> list[str]:
        with self._lock:
            return list(self._by_user)

    def clear(self, openid: str | None = None) -> None:
        with self._lock:
            if openid is None:
                self._by_user.clear()
            else:
                self._by_user.pop(openid, None)

    def of_all(self, openids: list[str]) -> list[Exchange]:
        """These followers' exchanges in the order they happened."""
        return sorted((e for openid in openids for e in self.of(openid)), key=lambda e: e.id)
