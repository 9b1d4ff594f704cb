"""Real `wxbot` server processes for end-to-end tests, on free loopback ports.

`launch` is the one place a test starts a server process (`python -m bot serve ...`,
`python -m gunicorn ...`): a change to how the server starts touches that function only.
Servers under test have no platform API unless a test gives one, so `launch` opts in to
BOT_ALLOW_LOST_LATE_REPLIES unless the test's env names it (a refusal test sets it "").
`wxbot serve` runs gunicorn, so a `Server` is a process group: kill() kills the master and
its workers at once, as a machine's crash would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server

from tests.timing import READY_TIMEOUT


def _worker_share() -> tuple[int, int]:
    """(this pytest-xdist worker's index, how many workers); (0, 1) outside xdist."""
    name, count = os.environ.get("PYTEST_XDIST_WORKER", ""), \
        os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")
    return (int(name[2:]) if name.startswith("gw") else 0), max(int(count), 1)


def free_port() -> int:
    """A loopback port nothing listens on now, from this xdist worker's own share of them.

    Between choosing a port and a server binding it another process may choose the same one;
    under xdist the workers choose at once, so each takes only ports with (port // 2) % workers
    == its index (Linux hands out even ports to bind(0) first, hence the halving) and two
    workers never pick the same port.
    """
    index, count = _worker_share()
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if (port // 2) % count == index:
            return port


def launch(command: list[str], env: Mapping[str, str], log: Path | None = None, *,
           cwd: Path | None = None, own_group: bool = False) -> subprocess.Popen:
    """Start `python -m COMMAND...` (`bot serve`, `gunicorn -c ...`) with exactly `env`.

    Output (stdout and stderr together) is appended to `log`, or piped when there is none
    (read it with `communicate`). `own_group` puts the process in a new process group, so
    killing the group kills a gunicorn master and its workers at once.
    """
    argv = [sys.executable, "-m", *command]
    env = {"BOT_ALLOW_LOST_LATE_REPLIES": "1", **env}
    if log is None:
        return subprocess.Popen(argv, env=dict(env), cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=own_group)
    with open(log, "ab") as out:
        return subprocess.Popen(argv, env=dict(env), cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=own_group)


def run_to_exit(command: list[str], env: Mapping[str, str], timeout: float = 60.0) -> \
        tuple[int, str]:
    """A server start expected to be refused: (exit status, everything it said)."""
    proc = launch(command, env)
    try:
        said, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return proc.returncode, said


def refused(command: list[str], env: Mapping[str, str], cwd: Path,
            timeout: float = 30.0) -> tuple[int, str, str, float]:
    """A start expected to end by itself: (exit status, stdout, stderr, seconds it took).

    `env` is all the process gets (beside PATH), so no setting leaks in from the test run;
    `cwd` is where it looks for a `.env`.
    """
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", *command], env={"PATH": os.environ["PATH"],
                          **env}, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


class Server:
    """One `python -m bot ...` process; `kill()` is kill -9, `start()` starts it again."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args, self.env, self.log = [*args, "--port", str(self.port)], env, log
        self.command, self.cwd = ["bot", *self.args], None
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = READY_TIMEOUT) -> Server:
        self.since = self.log.stat().st_size if self.log.exists() else 0  # this start's lines
        self.proc = launch(self.command, {**os.environ, **self.env}, self.log, cwd=self.cwd,
                           own_group=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc.wait()
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=0.5).ok and self.all_ready():
                    return self
            except requests.RequestException:  # not listening yet, or workers still booting
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server not ready in {timeout}s: {self.log.read_text()[-2000:]}")

    def all_ready(self) -> bool:
        """Every gunicorn worker has built its app (bot/server/gunicorn_conf.py says so): a
        test that starts before the last one boots meets a worker with its own clock and
        start-up sweep, which is not what it means to test."""
        if self.args[0] != "serve" or "--dev" in self.args:
            return True  # one process, ready when it answers
        workers = int(self.args[self.args.index("--workers") + 1]) if "--workers" in self.args \
            else 1
        with open(self.log, "rb") as log:
            log.seek(self.since)
            return log.read().count(b"wxbot worker ") >= workers

    def signal(self, sig: int) -> None:
        """Send `sig` to the whole server (master and workers): SIGSTOP stalls it all."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def pids(self) -> list[int]:
        """The server's processes (the gunicorn master and its workers), from /proc."""
        if self.proc is None:
            return []
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[2]) == self.proc.pid:  # its process group
                found.append(int(stat.parent.name))
        return found

    def kill(self) -> None:
        """kill -9 of the whole server: the master and every worker, at once."""
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # gone already
            self.proc.wait(10)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM, as an operator's stop: gunicorn drains its workers (graceful_timeout)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # whatever is left of the group


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
