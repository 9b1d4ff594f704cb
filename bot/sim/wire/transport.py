"""Getting a push to the bot, in process or over HTTP, with the platform's 5-second retries."""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

import requests

from bot.sim.wire.delivery import Answer

DRAIN = 60.0  # seconds to wait for late answers after the platform has given up


class Transport(Protocol):
    """Sends one request and blocks until the bot answers."""

    def send(self, method: str, query: dict[str, str], body: str | None) -> Answer: ...

    def close(self) -> None: ...


class InProcess:
    """A Flask app called through its test client: fast, no sockets."""

    def __init__(self, app: Any, path: str) -> None:
        self.app, self.path = app, path

    def send(self, method: str, query: dict[str, str], body: str | None) -> Answer:
        data = body.encode() if body is not None else None
        response = self.app.test_client().open(
            self.path, method=method, query_string=query, data=data, content_type="text/xml"
        )
        try:
            return Answer(response.status_code, response.get_data(as_text=True))
        finally:
            response.close()

    def close(self) -> None:
        """Nothing to release: test clients are per request."""


class OverHttp:
    """A running server reached with one requests Session."""

    def __init__(self, base_url: str, path: str) -> None:
        self.url = base_url.rstrip("/") + path
        self.session = requests.Session()

    def send(self, method: str, query: dict[str, str], body: str | None) -> Answer:
        data = body.encode() if body is not None else None
        headers = {"Content-Type": "text/xml"} if data is not None else {}
        with self.session.request(
            method, self.url, params=query, data=data, headers=headers, timeout=DRAIN
        ) as response:
            return Answer(response.status_code, response.content.decode("utf-8", "replace"))

    def close(self) -> None:
        self.session.close()


def _timed(transport: Transport, method: str, query: dict[str, str], body: str | None) -> Answer:
    start = time.monotonic()
    answer = transport.send(method, query, body)
    answer.elapsed = time.monotonic() - start
    return answer


def deliver(
    transport: Transport,
    method: str,
    query: dict[str, str],
    body: str | None,
    *,
    retry: bool = False,
    timeout: float = 5.0,
    tries: int = 3,
) -> tuple[list[Answer | None], int | None]:
    """Every delivery's answer (None: none came) and the index of the one taken, if any.

    Without `retry` the one answer is taken however long it took. With it, as the platform
    does, a delivery unanswered after `timeout` is sent again identically, up to `tries` in all;
    the first answer in time is taken; late answers are still collected (the bot did the work).
    """
    if not retry:
        answer = _timed(transport, method, query, body)
        answer.in_time = answer.elapsed <= timeout
        return [answer], 0
    results: list[Answer | BaseException | None] = []
    threads, taken = [], None

    def run(index: int) -> None:
        try:
            results[index] = _timed(transport, method, query, body)
        except BaseException as exc:  # re-raised in the caller's thread below
            results[index] = exc

    for index in range(tries):
        results.append(None)
        thread = threading.Thread(target=run, args=(index,), name=f"wx-delivery-{index + 1}")
        thread.daemon = True
        thread.start()
        threads.append(thread)
        thread.join(timeout)
        if not thread.is_alive():
            taken = index
            break
    deadline = time.monotonic() + DRAIN
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    answers: list[Answer | None] = []
    for index, result in enumerate(results):
        if isinstance(result, BaseException):
            raise result
        if result is not None:
            result.in_time = index == taken
        answers.append(result)
    return answers, taken
