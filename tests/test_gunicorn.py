"""`wxbot serve --workers N` runs gunicorn with bot/server/gunicorn_conf.py: real processes."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from bot.protocol import sign
from bot.sim.wire.client import PlatformClient
from tests.conftest import TOKEN
from tests.servers import running
from tests.timing import WINDOW

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("processes-serve")]

pytest.importorskip("gunicorn")


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp / "data")}
    with running(["serve", "--workers", "2"], env, tmp / "gunicorn.log") as server:
        yield server


class SlowLoris(threading.Thread):
    """Sends a push's headers at once, then its body a byte a second; notes when answered."""

    def __init__(self, port: int, length: int = 400) -> None:
        super().__init__(daemon=True)
        ts, nonce = str(int(time.time())), f"slow{id(self)}"
        query = f"signature={sign(TOKEN, ts, nonce)}&timestamp={ts}&nonce={nonce}"
        self.head = (f"POST /wechat?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Content-Length: {length}\r\n\r\n").encode()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=1)
        self.answer, self.held = b"", 0.0
        self.sent_all = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        self.sock.sendall(self.head)
        try:
            while time.monotonic() - started < 3 * WINDOW:
                self.sock.sendall(b"<")
                try:
                    self.answer = self.sock.recv(4096)
                    break  # answered (or closed: b"")
                except TimeoutError:
                    continue  # a second has passed: the next byte
        except OSError:
            pass  # reset by the server: it let go
        self.held = time.monotonic() - started
        self.sock.close()


def test_gunicorn_cuts_off_a_slow_body_while_a_push_is_answered(gunicorn_server):
    loris = [SlowLoris(gunicorn_server.port) for _ in range(2)]
    for one in loris:
        one.start()
    time.sleep(1.5)  # both hold a connection, mid-body
    with PlatformClient(gunicorn_server.url, TOKEN) as wx:
        started = time.monotonic()
        delivery = wx.text("oNormal", "菜单")
        took = time.monotonic() - started
    assert delivery.ok and "绑定社保卡" in delivery.text, delivery.error
    assert took < 1.0
    for one in loris:
        one.join(4 * WINDOW)
        assert not one.is_alive()
        assert one.held < WINDOW, f"a byte-a-second body held a worker {one.held:.1f} s"
        assert one.answer.startswith(b"HTTP/1.1 408") or one.answer == b"", one.answer[:80]


def test_gunicorn_answers_a_push_sent_in_pieces_quickly(gunicorn_server):
    """A body that arrives in a few packets within the deadline is read whole, as usual."""
    loris = SlowLoris(gunicorn_server.port)
    ts, nonce = str(int(time.time())), "pieces"
    body = ("<xml><ToUserName>gh</ToUserName><FromUserName>oPieces</FromUserName><CreateTime>"
            f"{ts}</CreateTime><MsgType>text</MsgType><Content>菜单</Content><MsgId>9</MsgId>"
            "</xml>").encode()
    query = f"signature={sign(TOKEN, ts, nonce)}&timestamp={ts}&nonce={nonce}"
    with socket.create_connection(("127.0.0.1", gunicorn_server.port), timeout=5) as sock:
        sock.sendall(f"POST /wechat?{query} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}"
                     "\r\nConnection: close\r\n\r\n".encode())
        for i in range(0, len(body), 60):
            sock.sendall(body[i:i + 60])
            time.sleep(0.05)
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    loris.sock.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert "绑定社保卡".encode() in answer


def test_gunicorn_serves_healthz_from_two_workers(gunicorn_server):
    assert requests.get(f"{gunicorn_server.url}/healthz", timeout=5).status_code == 200
    log = gunicorn_server.log.read_text()
    assert "bot.server.gunicorn_worker.Worker" in log and log.count("Booting worker") >= 2


def test_gunicorn_settings_fit_the_platforms_window():
    """What a push may spend before the reply is written, and how long a stop waits for it."""
    from bot.server import gunicorn_conf as conf

    reply_deadline = 4.0  # BOT_REPLY_DEADLINE's default
    from gunicorn.workers.gthread import ThreadWorker

    from bot.server.gunicorn_worker import Worker
    from bot.window.workers import TURN_WORKERS

    assert conf.worker_class == "bot.server.gunicorn_worker.Worker"
    assert issubclass(Worker, ThreadWorker)
    assert conf.threads >= TURN_WORKERS  # a thread to wait for each turn that may be running
    assert conf.BODY_DEADLINE <= reply_deadline  # both counted from the push's arrival
    # A stop lets pushes in flight be answered (by the deadline) and their turns finish.
    assert isinstance(conf.graceful_timeout, int)  # gunicorn takes whole seconds only
    assert conf.graceful_timeout >= reply_deadline + conf.GRACE_AFTER_DEADLINE
    assert conf.keepalive < WINDOW


def test_gunicorn_graceful_timeout_follows_the_reply_deadline(tmp_path):
    """BOT_REPLY_DEADLINE=2.5 gives a stop 2.5 s + the grace: read as gunicorn reads it."""
    import subprocess
    import sys

    code = "from bot.server import gunicorn_conf as c; print(c.graceful_timeout)"
    env = {"PATH": "/usr/bin:/bin", "BOT_REPLY_DEADLINE": "2.5",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, timeout=60,
                         capture_output=True, text=True, check=True).stdout
    from bot.server.gunicorn_conf import GRACE_AFTER_DEADLINE

    assert int(out) == 3 + GRACE_AFTER_DEADLINE  # 2.5 + 6, rounded up to whole seconds


def test_a_ready_worker_has_its_start_up_objects_frozen_out_of_the_collector():
    """A full collection in a worker must not walk what start-up built (44 ms with the app)."""
    import gc
    import logging
    from types import SimpleNamespace

    from bot.server import gunicorn_conf

    gc.unfreeze()
    built = [{"slot": i} for i in range(1000)]  # stands for the app's long-lived tables
    try:
        gunicorn_conf.post_worker_init(SimpleNamespace(pid=1, log=logging.getLogger("t")))
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()
