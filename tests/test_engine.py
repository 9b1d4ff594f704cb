"""The engine on its own, with a demo flow: routing, order, expiry, cancel and help."""

from __future__ import annotations

import re
import threading
import time

import pytest

from bot.app import bot_of, create_app
from bot.sim.wire.client import PlatformClient
from tests.conftest import TOKEN, stores
from tests.demo_flow import Count, Demo, demo_catalog


@pytest.fixture
def config(tmp_path, clock):
    return {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path), "CLOCK": clock,
            "BOT_LANG": "en", "FLOWS": [Demo, Count], "CATALOG": demo_catalog(),
            "BACKEND": object(), "BOT_SESSION_TTL": 600}


@pytest.fixture
def alice(chat):
    return chat("oAlice")


def test_engine_walks_a_flow_and_ends_it(alice, bot):
    assert "colour" in alice.say("demo")
    assert alice.say("green").startswith("Not a colour I know.")
    assert "size" in alice.say("red")
    assert alice.say("12") == "Done: red 12."
    kept = bot.store.session("oAlice")  # no flow, no answers: only what just ended (and
    assert "flow" not in kept and kept["topic"][1].startswith("demo.")  # how), for a follow-up


def test_engine_menu_click_starts_a_flow(alice):
    assert "colour" in alice.click("DEMO")


def test_engine_unknown_words_get_the_menu(alice):
    reply = alice.say("what is this")
    assert "did not understand" in reply and "1. demo — a colour and a size" in reply


STEPS = [("ask_colour", []), ("ask_size", ["blue"])]


@pytest.mark.parametrize(("state", "answers"), STEPS)
def test_engine_cancel_ends_the_flow_in_every_state(alice, bot, state, answers):
    for said in ["demo", *answers]:
        alice.say(said)
    assert bot.store.session("oAlice")["state"] == state
    assert "Cancelled" in alice.say("cancel")
    assert bot.store.session("oAlice") is None
    assert "did not understand" in alice.say("blue")


@pytest.mark.parametrize(("state", "answers", "explained"),
                         [(s, a, h) for (s, a), h in zip(STEPS, ["red or blue", "a number"],
                                                         strict=True)])
def test_engine_help_explains_the_step_and_keeps_it(alice, bot, state, answers, explained):
    for said in ["demo", *answers]:
        alice.say(said)
    assert explained in alice.say("help")
    assert bot.store.session("oAlice")["state"] == state


def test_engine_cancel_with_nothing_to_cancel(alice):
    assert "Nothing is in progress" in alice.say("取消")  # keywords heard in both languages


def test_engine_session_expires_after_silence(alice, clock):
    alice.say("demo")
    clock.advance(601)
    reply = alice.say("red")
    assert "no reply for 10 minutes" in reply
    assert "did not understand" in reply  # "red" was not taken as the old step's answer


def test_engine_session_kept_inside_ttl(alice, clock):
    alice.say("demo")
    clock.advance(599)
    assert "size" in alice.say("red")


@pytest.mark.parametrize(("kind", "fields"), [
    ("image", {}), ("voice", {}), ("video", {}), ("file", {"Title": "a.pdf"}),
    ("link", {"Title": "a", "Url": "https://example.com"}),
    ("location", {"Location_X": 23.13, "Location_Y": 113.26}),
])
def test_engine_non_text_asks_again_and_keeps_state(alice, bot, kind, fields):
    alice.say("demo")
    assert "needs a text reply" in alice.send(kind, **fields)
    assert bot.store.session("oAlice")["state"] == "ask_colour"


def test_engine_voice_recognition_counts_as_text(alice):
    alice.say("demo")
    assert "size" in alice.send("voice", Recognition="red")


def test_engine_subscribe_welcomes_and_unsubscribe_drops_session(alice, wechat, bot):
    assert "Welcome" in alice.send("event_subscribe")
    alice.say("demo")
    assert wechat.send("event_unsubscribe", "oAlice").text == ""
    assert bot.store.session("oAlice") is None


@stores("sqlite", "redis")
def test_engine_two_threads_lose_and_double_no_transition(make_app, platform_for, store_url):
    """200 messages from each of two threads, one user: every one counted exactly once."""
    app = make_app(BOT_STORE=store_url)
    clients = [platform_for(app) for _ in range(3)]  # one per thread: each has its own session
    assert clients[0].text("oBusy", "count").text == "count 0"
    seen: list[int] = []

    def send_many(mine) -> None:
        for _ in range(200):
            seen.append(int(mine.text("oBusy", "tick").text.split()[1]))

    threads = [threading.Thread(target=send_many, args=(mine,)) for mine in clients[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(seen) == list(range(1, 401))
    assert bot_of(app).store.session("oBusy")["slots"]["n"] == 400


def test_engine_users_are_not_serialised_behind_each_other(wechat, bot):
    with bot.store.lock("oStuck"):
        started = time.perf_counter()
        assert "colour" in wechat.text("oFree", "demo").text
        assert time.perf_counter() - started < 0.5


def test_engine_answers_success_when_a_user_is_stuck(config, clock):
    """An earlier push holds the turn: this one is answered `success` by the deadline."""
    from tests.window_kit import Sink

    sink = Sink()
    app = create_app({**config, "BOT_REPLY_DEADLINE": 0.3, "OUTBOUND_SEND": sink})
    bot = bot_of(app)
    with PlatformClient(app, TOKEN, clock=clock) as wechat:
        with bot.store.lock("oStuck") as lease:
            started = time.perf_counter()
            delivery = wechat.text("oStuck", "demo")
            assert delivery.status == 200 and delivery.body == "success"
            assert time.perf_counter() - started < 1.0
            bot.store.save("oStuck", None, "earlier", "", 600, lease)
        assert "colour" in sink.wait(1, 3)[0]["text"]["content"]  # owed, then sent
    bot.close()


MERMAID_LINE = re.compile(r"^    (\[\*\]|\w+) --> (\[\*\]|\w+)( : [\w \[\]&]+)?$")


def test_diagram_is_mermaid_from_the_flow_definition():
    from flows.diagram import mermaid

    text = mermaid(Demo)
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert all(MERMAID_LINE.match(line) for line in lines[1:]), text
    assert "ask_colour --> ask_size : answer [is_accepted]" in text
    assert "ask_colour --> failed : answer [is_out_of_tries]" in text


def test_engine_runs_on_the_zh_catalog_too(make_app, platform_for):
    wechat = platform_for(make_app(BOT_LANG="zh_CN", CATALOG=demo_catalog("zh_CN")))
    assert "没有听懂" in wechat.text("oZh", "什么").text


def test_engine_says_busy_and_keeps_the_step_when_a_flow_breaks(alice, bot, monkeypatch, caplog):
    alice.say("demo")

    def broken(self, text):
        raise ConnectionError("backend unavailable")

    monkeypatch.setattr(Demo, "read_colour", broken)
    assert "busy" in alice.say("red")
    assert bot.store.session("oAlice")["state"] == "ask_colour"
    assert "handling failed" in caplog.text
    monkeypatch.undo()
    assert "size" in alice.say("red")
