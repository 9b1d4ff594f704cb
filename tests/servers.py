"""Real `wxbot` server processes for end-to-end tests, on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `python -m bot ...` process; `kill()` is kill -9, `start()` starts it again."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args, self.env, self.log = [*args, "--port", str(self.port)], env, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> Server:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", *self.args],
                                         env={**os.environ, **self.env}, stdout=out,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc.wait()
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=0.5).ok:
                    return self
            except requests.RequestException:  # not listening yet, or workers still booting
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server not ready in {timeout}s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running(args: list[str], env: dict[str, str], log: Path) -> Iterator[Server]:
    server = Server(args, env, log).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """A WSGI app (a mock backend, a sink) on a free loopback port, threaded; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
