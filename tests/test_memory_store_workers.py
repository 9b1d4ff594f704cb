"""memory:// lives in one process: several workers on it are refused, one gets a warning."""

from __future__ import annotations

import logging
import os

import pytest

from bot.app import bot_of, create_app
from tests.conftest import TOKEN
from tests.servers import free_port, run_to_exit

pytestmark = pytest.mark.e2e

pytest.importorskip("gunicorn")


def _env(tmp_path) -> dict:
    return {**os.environ, "WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path),
            "BOT_STORE": "memory://"}


@pytest.mark.parametrize("command", [
    ["bot", "serve", "--workers", "3"],
    ["gunicorn", "-c", "python:bot.gunicorn_conf", "--workers", "2", "bot:create_app()"],
])
def test_several_workers_on_memory_store_refuse_to_start(tmp_path, command):
    bind = ["--port" if "bot" in command[0] else "--bind",
            str(free_port()) if "bot" in command[0] else f"127.0.0.1:{free_port()}"]
    status, said = run_to_exit([*command, *bind], _env(tmp_path))
    assert status != 0
    assert "memory://" in said and "worker" in said and "Booting worker" not in said


def test_one_gunicorn_worker_on_memory_store_starts(tmp_path):
    """The refusal is about several processes, not about memory:// itself."""
    from tests.servers import Server

    server = Server(["serve", "--gunicorn"], {"WECHAT_TOKEN": TOKEN, "BOT_STORE": "memory://",
                                              "BOT_DATA_DIR": str(tmp_path)}, tmp_path / "g.log")
    server.start()
    server.stop()
    assert "Booting worker" in (tmp_path / "g.log").read_text()


def test_memory_store_warns_it_is_one_process_only(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    app = create_app({"WECHAT_TOKEN": TOKEN, "BOT_STORE": "memory://",
                      "BOT_DATA_DIR": str(tmp_path)})
    bot_of(app).close()
    assert "memory://" in caplog.text and "one process" in caplog.text
