"""The courier sends each owed message once, retries what may pass later, keeps what cannot."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from bot.outbound.courier import BACKOFF_FIRST, Courier
from bot.store import open_store
from tests.conftest import stores

BODY = {"touser": "oAlice0001", "msgtype": "text", "text": {"content": "绑定成功 A123****8"}}


class PlatformError(Exception):
    """Shaped like bot.platform.errors.PlatformError: errcode, errmsg, retryable."""

    def __init__(self, errcode: int, retryable: bool) -> None:
        super().__init__(f"{errcode}")
        self.errcode, self.retryable = errcode, retryable


class Api:
    """Fails with the queued errors first, then accepts; counts accepted bodies."""

    def __init__(self, *errors: Exception) -> None:
        self.errors, self.sent, self.tries = list(errors), [], 0
        self.done = threading.Event()

    def __call__(self, body: dict) -> None:
        self.tries += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(body)
        self.done.set()


@pytest.fixture
def outbox(store_url):
    store = open_store(store_url)
    yield store.outbox
    store.close()


def run(outbox, api: Api, seconds: float) -> None:
    courier = Courier(outbox, api, poll=0.05).start()
    try:
        api.done.wait(seconds)
        time.sleep(0.2)  # anything more would show up now
    finally:
        courier.close()


@stores("memory", "sqlite")
def test_courier_sends_once_and_acks(outbox):
    api = Api()
    outbox.put("m:oAlice0001:1", BODY)
    run(outbox, api, 3)
    assert api.sent == [BODY]
    assert outbox.counts() == {"owed": 0, "sent": 1, "failed": 0}


@stores("memory", "sqlite")
def test_courier_retries_a_retryable_error_with_backoff(outbox):
    api = Api(PlatformError(-1, retryable=True))
    outbox.put("k", BODY)
    started = time.monotonic()
    run(outbox, api, BACKOFF_FIRST + 3)
    assert api.sent == [BODY] and api.tries == 2
    assert time.monotonic() - started >= BACKOFF_FIRST  # waited before trying again


@pytest.mark.parametrize("errcode", [45015, 45047])
@stores("memory", "sqlite")
def test_courier_keeps_a_permanent_failure_and_logs_it_masked(outbox, errcode, caplog):
    api = Api(PlatformError(errcode, retryable=False))
    outbox.put("k", BODY)
    with caplog.at_level(logging.WARNING, logger="bot.outbound.courier"):
        run(outbox, api, 1)
    assert api.sent == [] and api.tries == 1
    assert outbox.counts()["failed"] == 1
    assert str(errcode) in caplog.text and "oAli***" in caplog.text
    assert "oAlice0001" not in caplog.text and "绑定成功" not in caplog.text


@stores("memory", "sqlite")
def test_courier_close_stops_its_thread(outbox):
    courier = Courier(outbox, Api(), poll=0.05).start()
    courier.close()
    assert not any(t.name == "wxbot-courier" and t.is_alive() and t is courier._thread
                   for t in threading.enumerate())
