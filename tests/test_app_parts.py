"""The app's parts reached one typed way: current_bot()/bot_of(), and one close for everything."""

from pathlib import Path

import pytest

from bot import create_app
from bot.app import Bot, bot_of, current_bot


def test_current_bot_is_the_bot_the_factory_built(app, bot: Bot) -> None:
    with app.test_request_context("/wechat"):
        assert current_bot() is bot
    assert isinstance(bot, Bot) and bot_of(app) is bot


def test_current_bot_outside_a_request_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="application context"):
        current_bot()


def test_current_bot_close_runs_every_plugged_part_once_last_first(config: dict) -> None:
    bot = bot_of(create_app(config))
    closed: list[str] = []
    bot.on_close.extend([lambda: closed.append("first"), lambda: closed.append("second")])
    bot.close()
    assert closed == ["second", "first"]


def test_current_bot_close_also_closes_the_recorder_and_sim_client(make_app,
                                                                  tmp_path: Path) -> None:
    app = make_app(BOT_SIMULATOR=True, BOT_RECORD_DIR=str(tmp_path / "rec"))
    bot = bot_of(app)
    assert len(bot.on_close) == 5  # the family sweeper, the recorder, the /sim page's client,
    # the mock platform, the agent console's view of the store (the messages left for a person)
    with app.test_client() as client:
        said = {"user": "alice", "type": "text", "content": "你好"}
        sent = client.post("/sim/api/send", json=said)
        assert sent.status_code == 200
    bot.close()  # filterwarnings=error: an unclosed log file or client would fail the run
    assert (tmp_path / "rec" / "traffic.jsonl").read_text("utf-8").count("\n") >= 1
