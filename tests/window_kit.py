"""Shared parts of the 5-second-window tests: a slow flow, a counting backend, a sink."""

from __future__ import annotations

import threading
import time

from flows.catalog import Catalog
from tests.demo_flow import TEXTS, Count


class SlowBackend:
    """Counts calls (turns that did the work) and takes `delay` seconds over each."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay, self.calls, self._guard = delay, 0, threading.Lock()

    def work(self) -> None:
        with self._guard:
            self.calls += 1
        time.sleep(self.delay)


class SlowCount(Count):
    """`count` starts at once; every later answer calls the backend first."""

    def tick(self, _event) -> None:
        self.turn.backend.work()
        super().tick(_event)


def slow_catalog() -> Catalog:
    texts = {**TEXTS, "busy": "busy, try again"}
    return Catalog("en", {"texts": texts, "keywords": {"count": ["count"]}})


class Sink:
    """Stands for message/custom/send: what reached the follower, each body once."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self._arrived = threading.Condition()

    def __call__(self, body: dict) -> None:
        with self._arrived:
            self.bodies.append(body)
            self._arrived.notify_all()

    def wait(self, count: int, timeout: float) -> list[dict]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.bodies) >= count, timeout)
            return list(self.bodies)

    def texts(self) -> list[str]:
        return [b["text"]["content"] for b in self.bodies]


def deliver_three_times(wechat, user: str, content: str, gap: float) -> list[tuple[float, str]]:
    """One push delivered at t=0, gap, 2*gap as the platform retries: (elapsed, body) each."""
    xml = wechat.build("text", user, Content=content)
    body, query = wechat.envelope.wrap(xml, account=wechat.account, timestamp=wechat.signed_at(),
                                       nonce=wechat.nonce(), openid=user)
    results: list[tuple[float, str] | None] = [None] * 3

    def one(index: int) -> None:
        started = time.monotonic()
        delivery = wechat.post(body, query, user=user)
        assert delivery.status == 200
        results[index] = (time.monotonic() - started, delivery.body)

    threads = []
    for index in range(3):
        thread = threading.Thread(target=one, args=(index,))
        thread.start()
        threads.append(thread)
        if index < 2:
            time.sleep(gap)
    for thread in threads:
        thread.join(30)
    return results  # type: ignore[return-value]
