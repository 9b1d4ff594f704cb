"""The 5-second window through real servers, on the real clock: `python -m bot serve`
processes (deadline 4 s), a mock backend over HTTP that can be made slow, and a sink that
stands for message/custom/send. kill -9 and SIGSTOP are real signals.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.wrappers import Request, Response

from bot.backend import seed_path
from bot.backend.mock import MockBackend
from bot.backend.server import create_backend_app
from bot.clock import Clock
from bot.sim.wire.client import PlatformClient
from tests.conftest import stores
from tests.servers import Server, serving
from tests.timing import LEASE, WINDOW
from tests.window_kit import Sink, deliver_three_times

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("processes-window")]

TOKEN = "windowtoken"
BIND = "绑定社保卡"  # its first step asks the backend whether the follower is bound


class SlowBackendServer:
    """The mock backend over HTTP; `delay` seconds before each `binding` call, counted."""

    def __init__(self, path: Path) -> None:
        self.backend = MockBackend(path, seed_path(None), Clock())
        self.app = create_backend_app(self.backend)
        self.delay, self.bindings, self.called = 0.0, 0, threading.Event()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").endswith("/rpc/binding"):
            self.bindings += 1
            self.called.set()
            time.sleep(self.delay)
        return self.app(environ, start_response)


class SinkServer(Sink):
    """An HTTP sink: records each JSON body it accepts; `refuse` answers 503 instead."""

    refuse = False
    refused = 0

    def wsgi(self, environ, start_response):
        request = Request(environ)
        if self.refuse:
            self.refused += 1
            return Response("down", 503)(environ, start_response)
        self(request.get_json())
        return Response("{}", 200, content_type="application/json")(environ, start_response)


@pytest.fixture
def world(store_url, tmp_path):
    """(backend, sink, env for a bot) with both helpers listening."""
    backend, sink = SlowBackendServer(tmp_path / "backend.sqlite3"), SinkServer()
    with serving(backend) as backend_url, serving(sink.wsgi) as sink_url:
        env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path / "bot"),
               "BOT_BACKEND": f"{backend_url}/backend/v1", "OUTBOUND_SEND": f"{sink_url}/send",
               "BOT_REPLY_DEADLINE": "4", "BOT_STORE": store_url}
        yield backend, sink, env
    backend.backend.close()


@contextmanager
def bot_server(env: dict, log: Path, *args: str) -> Iterator[Server]:
    server = Server(["serve", *args], env, log).start()
    try:
        yield server
    finally:
        server.stop()


@stores("sqlite", "redis")
def test_server_slow_backend_three_deliveries_one_turn_one_send(world, tmp_path):
    backend, sink, env = world
    with bot_server(env, tmp_path / "bot.log") as bot, PlatformClient(bot.url, TOKEN) as wechat:
        backend.delay = 6.0
        answers = deliver_three_times(wechat, "oSlow0001", BIND, gap=5.0)
        assert [body for _, body in answers] == ["success"] * 3
        assert answers[0][0] < 5.0  # inside the platform's window
        assert all(elapsed < 1.0 for elapsed, _ in answers[1:])  # retries neither wait...
        assert backend.bindings == 1  # ...nor redo the work
        (sent,) = sink.wait(1, 5)
        assert sent["touser"] == "oSlow0001" and sent["msgtype"] == "text"
        assert sent["text"]["content"]
        time.sleep(1.5)
        assert len(sink.bodies) == 1


@stores("sqlite", "redis")
def test_server_kill_9_after_success_still_sends_once(world, tmp_path):
    backend, sink, env = world
    sink.refuse = True  # the API is down: the reply waits in the outbox
    log = tmp_path / "bot.log"
    with bot_server(env, log) as bot, PlatformClient(bot.url, TOKEN) as wechat:
        backend.delay = 5.0
        assert wechat.text("oKill0001", BIND).body == "success"
        deadline = time.monotonic() + 10
        while sink.refused == 0:
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.05)
        time.sleep(0.3)  # the refusal is recorded as a retry
        bot.kill()
        sink.refuse = False
        bot.start()
        (sent,) = sink.wait(1, 10)
        assert sent["touser"] == "oKill0001"
        time.sleep(2)
        assert len(sink.bodies) == 1 and backend.bindings == 1


@stores("sqlite", "redis")
def test_server_stalled_holder_cannot_write_back(world, tmp_path):
    """Two servers on one data dir; the holder is SIGSTOPped past its lease."""
    backend, sink, env = world
    with bot_server(env, tmp_path / "a.log") as a, bot_server(env, tmp_path / "b.log") as b:
        backend.delay = 8.0
        with PlatformClient(a.url, TOKEN, timeout=1) as to_a:
            pushed = threading.Thread(target=to_a.text, args=("oStall001", BIND), daemon=True)
            pushed.start()
            assert backend.called.wait(5)
            a.signal(signal.SIGSTOP)
            stopped = time.monotonic()
            backend.delay = 0.0
            try:
                with PlatformClient(b.url, TOKEN) as to_b:
                    assert to_b.text("oStall001", "帮助").body == "success"  # waits for the lease
                (helped,) = sink.wait(1, LEASE + 12)
                waited = time.monotonic() - stopped
                # seconds, not CLAIM_LEASE's 30: the lease lapses, then B's turn runs and its
                # reply goes out through the API; 8 s of slack for a loaded 2-core machine
                assert LEASE - 2 < waited < LEASE + 8
            finally:
                a.signal(signal.SIGCONT)
            time.sleep(max(0.0, 8.0 + 2 - (time.monotonic() - stopped)))  # A's backend call returns
            assert sink.bodies == [helped]  # A's reply was never saved nor sent
            pushed.join(5)
    assert "lost its lease; its work was dropped" in (tmp_path / "a.log").read_text()


@stores("sqlite")
def test_gunicorn_push_queued_for_a_thread_is_answered_within_the_window(world, tmp_path):
    """One request thread, two slow pushes at once: the second waits out the first's deadline
    in gunicorn's queue, and its own deadline has been counting all that while."""
    backend, sink, env = world
    env = {**env, "GUNICORN_CMD_ARGS": "--workers 1 --threads 1"}
    answers: dict[str, tuple[float, str]] = {}

    def push(wechat: PlatformClient, user: str) -> None:
        started = time.monotonic()
        body = wechat.text(user, BIND).body
        answers[user] = (time.monotonic() - started, body)

    with bot_server(env, tmp_path / "bot.log", "--gunicorn") as bot:
        clients = [PlatformClient(bot.url, TOKEN) for _ in range(2)]
        backend.delay = 6.0
        threads = [threading.Thread(target=push, args=(c, f"oQueue000{n}"))
                   for n, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(3 * WINDOW)
        for client in clients:
            client.close()
        assert sorted(answers) == ["oQueue0000", "oQueue0001"]
        assert [body for _, body in answers.values()] == ["success"] * 2
        slowest = max(elapsed for elapsed, _ in answers.values())
        assert 3.5 < slowest < WINDOW, answers  # the queued one did not get 4 s more
        sent = sink.wait(2, 3 * WINDOW)  # both replies went out through the API, once each
        assert sorted(body["touser"] for body in sent) == ["oQueue0000", "oQueue0001"]
        assert backend.bindings == 2
        time.sleep(1.0)
        assert len(sink.bodies) == 2


@stores("sqlite", "redis")  # memory:// forgets owed replies on a stop, by design
def test_server_sigterm_mid_turn_answers_in_time_and_the_reply_is_sent_once(world, tmp_path):
    """An operator's stop (SIGTERM) while a turn waits on a 6-s backend: the push is still
    answered inside the window, the stop waits for the turn (gunicorn's graceful_timeout)
    instead of cutting it off, and its reply reaches the follower once: sent before the
    server exits, or left in the outbox for the next start to send."""
    backend, sink, env = world
    sink.refuse = True  # nothing can leave before the stop: the reply must survive it
    log = tmp_path / "bot.log"
    bot = Server(["serve"], env, log).start()
    answer: list[tuple[float, str]] = []
    try:
        backend.delay = 6.0
        with PlatformClient(bot.url, TOKEN) as wechat:
            def push() -> None:
                started = time.monotonic()
                body = wechat.text("oTerm0001", BIND).body
                answer.append((time.monotonic() - started, body))

            pushed = threading.Thread(target=push)
            pushed.start()
            assert backend.called.wait(5)
            stopped = time.monotonic()
            bot.proc.terminate()  # SIGTERM to the master, as systemd or Kubernetes would
            pushed.join(WINDOW + 2)
            assert answer and answer[0][1] == "success", (answer, log.read_text()[-2000:])
            assert answer[0][0] < WINDOW  # answered in time though the server was stopping
            bot.proc.wait(30)
            took = time.monotonic() - stopped
        from bot.server.gunicorn_conf import GRACEFUL_TIMEOUT

        assert 4.0 < took < GRACEFUL_TIMEOUT + 3, took  # it waited for the turn, within bound
        assert "wxbot worker" in log.read_text().split("Handling signal: term")[-1]
        sink.refuse = False
        bot.start()  # the next start finds the reply owed and sends it
        (sent,) = sink.wait(1, 20)
        assert sent["touser"] == "oTerm0001" and sent["text"]["content"]
        time.sleep(2)
        assert len(sink.bodies) == 1 and backend.bindings == 1
    finally:
        bot.stop()
