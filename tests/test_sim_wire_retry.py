"""The platform's retries: a bot silent for 5 s gets the same request again, up to 3 times."""

from __future__ import annotations

from collections.abc import Callable

from bot.sim.wire.client import PlatformClient
from bot.sim.wire.delivery import USER_SEES_ON_ERROR
from tests.servers import serving
from tests.tinybot import APP_ID, KEY, TOKEN, USER, bot_app, numbered


def client(target, mode: str = "plaintext", retry: bool = True) -> PlatformClient:
    """A platform that gives up after 0.2 s instead of 5, to keep the tests fast."""
    return PlatformClient(
        target, TOKEN, aes_key=KEY, app_id=APP_ID, mode=mode, retry=retry, timeout=0.2
    )


def slow_first(seconds: float) -> Callable[[int], float]:
    return lambda n: seconds if n == 1 else 0.0


def test_a_fast_bot_gets_one_delivery() -> None:
    with client(bot_app()) as wechat:
        delivery = wechat.text(USER, "hi")
    assert delivery.ok and delivery.deliveries == 1 and delivery.retry_replies == []


def test_an_always_slow_bot_gets_three_identical_deliveries_and_fails() -> None:
    app = bot_app(delay=lambda n: 0.35)
    with client(app, "safe") as wechat:
        delivery = wechat.text(USER, "hi")
    assert delivery.deliveries == 3 and not delivery.ok and delivery.status == 0
    assert "no answer within 0.2 s in 3 deliveries" in delivery.error
    assert USER_SEES_ON_ERROR in delivery.error
    sent = app.config["RECEIVED"]
    assert len(sent) == 3 and all(
        (r["query"], r["body"]) == (sent[0]["query"], sent[0]["body"]) for r in sent
    )
    assert not delivery.processed_twice  # the echo bot answers the same each time


def test_the_first_answer_in_time_is_taken() -> None:
    with client(bot_app(delay=slow_first(0.35)), "compat") as wechat:
        delivery = wechat.text(USER, "hi")
    assert delivery.ok and delivery.deliveries == 2 and delivery.text == "echo:hi"
    assert [a.in_time for a in delivery.answers] == [False, True]
    assert delivery.retry_replies == [delivery.body]


def test_processing_a_retry_as_new_is_detected() -> None:
    with client(bot_app(numbered, delay=slow_first(0.35)), "safe") as wechat:
        delivery = wechat.text(USER, "hi")
    assert delivery.text == "第2次" and delivery.processed_twice


def test_answering_retries_with_success_is_not_processing_twice() -> None:
    def dedup(message, n: int) -> str:
        return "success" if n > 1 else numbered(message, n)

    with client(bot_app(dedup, delay=lambda n: 0.3)) as wechat:
        delivery = wechat.text(USER, "hi")
    assert delivery.deliveries == 3 and not delivery.processed_twice


def test_retries_over_http() -> None:
    app = bot_app(numbered, delay=slow_first(0.35))
    with serving(app) as url, client(url, "safe") as wechat:
        delivery = wechat.text(USER, "hi")
    assert delivery.deliveries == 2 and delivery.text == "第2次" and delivery.processed_twice


def test_without_retry_a_slow_answer_is_still_taken() -> None:
    with client(bot_app(delay=lambda n: 0.3), retry=False) as wechat:
        delivery = wechat.text(USER, "hi")
    assert delivery.ok and delivery.deliveries == 1 and not delivery.answers[0].in_time
