"""`BOT_LOG_FORMAT=json`: every line a server writes is one JSON object a pipeline can read."""

from __future__ import annotations

import json

import pytest
import requests

from bot.config import ConfigError, load_config
from bot.sim.wire.client import PlatformClient
from tests.conftest import TOKEN

pytestmark = pytest.mark.e2e

ID_NUMBER = "110101199001011234"


@pytest.mark.parametrize("args", [("serve",), ("serve", "--workers", "2")])
def test_logs_json_every_line_parses_with_its_request_id(served, args):
    server = served(*args, BOT_LOG_FORMAT="json")
    refused = requests.post(f"{server.url}/wechat?signature=x&timestamp=1&nonce=2", data="<xml/>",
                            headers={"X-Request-Id": "req-json-1"}, timeout=5)
    with PlatformClient(server.url, TOKEN) as wechat:  # something personal, typed
        assert wechat.text("oLogsFollower0001", "绑定社保卡").ok
        assert wechat.text("oLogsFollower0001", ID_NUMBER).ok
    server.stop()
    assert refused.status_code == 403
    said = server.log.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in said.splitlines()]  # each one, or this fails
    assert lines and all({"time", "level", "logger", "message", "request_id"} <= set(x)
                         for x in lines)
    refusal = [x for x in lines if "refused POST /wechat" in x["message"]]
    assert [x["request_id"] for x in refusal] == ["req-json-1"]
    assert refusal[0]["level"] == "WARNING" and refusal[0]["logger"] == "bot.server.webhook"
    assert ID_NUMBER not in said and "oLogsFollower0001" not in said


def test_logs_text_stays_for_people(served):
    server = served("serve")
    requests.post(f"{server.url}/wechat?signature=x&timestamp=1&nonce=2", data="<xml/>",
                  headers={"X-Request-Id": "req-text-1"}, timeout=5)
    server.stop()
    line = next(x for x in server.log.read_text().splitlines() if "req-text-1" in x)
    assert " WARNING bot.server.webhook: refused POST /wechat" in line
    assert not line.startswith("{")


def test_logs_format_is_text_unless_asked(monkeypatch):
    monkeypatch.delenv("BOT_LOG_FORMAT", raising=False)
    assert load_config({"WECHAT_TOKEN": "t"}, env_file="/nonexistent")["BOT_LOG_FORMAT"] == "text"
    assert load_config({"WECHAT_TOKEN": "t", "BOT_LOG_FORMAT": " JSON "})["BOT_LOG_FORMAT"] == \
        "json"


@pytest.mark.parametrize("value", ["xml", "jsonl", "logfmt"])
def test_logs_format_refuses_what_it_does_not_know(value):
    with pytest.raises(ConfigError, match="BOT_LOG_FORMAT must be text or json"):
        load_config({"WECHAT_TOKEN": "t", "BOT_LOG_FORMAT": value})


def test_logs_a_turns_lines_carry_its_turn_id_on_the_worker_too():
    """The id is set where the push is handled and rides the context to the turn's worker;
    it is the same for the push's retries (a digest of the delivery key) and names no one."""
    import logging

    from bot import turnid
    from bot.server.logs import JsonFormatter, RequestId
    from bot.store import MemoryStore
    from bot.window.workers import Window

    key = "1234567890:oLogsFollower0001"
    window, lines = Window(MemoryStore()), []
    log = logging.getLogger("tests.turnid")

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(self.format(record)))

    handler = Keep()
    handler.addFilter(RequestId())
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    try:
        def work(_flight) -> str:  # noqa: ANN001
            log.warning("on the worker")
            return ""

        turnid.enter(key)
        log.warning("on the request thread")
        window.submit(work, "oLogsFollower0001", key).future.result(5)
    finally:
        log.removeHandler(handler)
        window.close()
    assert [x["turn_id"] for x in lines] == [turnid.of(key)] * 2
    assert turnid.of(key) == turnid.of("1234567890:oLogsFollower0001") != turnid.of(key + "x")
    assert "oLogsFollower0001" not in json.dumps(lines)
