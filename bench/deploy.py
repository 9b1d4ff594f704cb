"""The processes a load run talks to: bot instances (gunicorn), Redis, an external backend.

`Deployment` is a context manager: on entry it starts what the configuration asks for, in a
temp dir, each in its own process group on a free loopback port; on exit it stops them all.
CPU is read from /proc per process group, so a run can say what each part cost.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from workload import APP_ID, ROOT, TOKEN

from bot.store import SQLiteStore

READY_TIMEOUT = 60.0  # s for a server to answer (2 shared cores, cold imports)
PROBE_TIMEOUT = 2.0  # s for one readiness probe
STOP_TIMEOUT = 30.0  # s a server gets to exit on SIGTERM before kill -9
WORKER_TIMEOUT = 60  # s a silent gunicorn worker lives before its master replaces it
KEEPALIVE = 30  # s an idle keep-alive connection stays open: longer than any pause in a walk


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_of_group(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ..., utime, stime
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_http(port: int, proc: subprocess.Popen, path: str = "/healthz", good: int = 4) -> None:
    """Block until `path` answers 200 `good` times in a row (every worker up), or fail."""
    deadline, seen = time.monotonic() + READY_TIMEOUT, 0
    while seen < good:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"server on port {port} not ready in {READY_TIMEOUT:g} s")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT)
            conn.request("GET", path)
            seen = seen + 1 if conn.getresponse().status == 200 else 0
            conn.close()
        except OSError:
            seen = 0
            time.sleep(0.2)

WORKER_CLASSES = {"wxbot": "bot.server.gunicorn_worker.Worker",  # threaded ones
                  "gthread": "gthread"}


@dataclass
class Setup:
    """What to start: bot instances x workers, the store, the backend (in process or not)."""

    instances: int = 1
    workers: int = 2
    store: str = "sqlite"  # sqlite | redis
    backend: str = "mock"  # mock (in each worker, one SQLite file) | http (`wxbot backend`)
    worker_class: str = "wxbot"  # wxbot (bot/server/gunicorn_worker.py) | gthread | sync
    threads: int = 16
    simulator: bool = False  # BOT_SIMULATOR on: the mock platform API on instance 0, if any


class Deployment:
    """Start a `Setup` in `data` (which holds seed.yaml); `ports`, `cpu()`, stop on exit."""

    def __init__(self, setup: Setup, data: Path, seed: Path) -> None:
        self.setup, self.data, self.seed = setup, data, seed
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports = [free_port() for _ in range(setup.instances)]
        self.backend_url: str | None = None

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.data / f"{name}.log").open("ab")
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log,
                                start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def __enter__(self) -> Deployment:
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        s, env = self.setup, {**os.environ, "PYTHONPATH": str(ROOT), "WECHAT_TOKEN": TOKEN,
                              "BOT_DATA_DIR": str(self.data), "BOT_BACKEND_SEED": str(self.seed),
                              "BOT_SIMULATOR": "1" if self.setup.simulator else "0"}
        for name in ("WECHAT_AES_KEY", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_API_BASE"):
            env.pop(name, None)
        if s.simulator:  # replies owed through the API go to instance 0's mock /cgi-bin/
            env.update(WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET="bench-secret",
                       WECHAT_API_BASE=f"http://127.0.0.1:{self.ports[0]}/cgi-bin/")
        env["BOT_STORE"] = f"sqlite:///{self.data / 'bot.sqlite3'}"
        if s.store == "sqlite":  # made once here: workers racing to create it can fail to boot
            SQLiteStore(str(self.data / "bot.sqlite3")).close()
        if s.store == "redis":
            port = free_port()
            proc = self._spawn("redis", [shutil.which("redis-server") or "redis-server",
                                         "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.data)], env)
            env["BOT_STORE"] = f"redis://127.0.0.1:{port}/0"
            deadline = time.monotonic() + READY_TIMEOUT
            while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                 check=False).stdout.strip() != b"PONG":
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        if s.backend == "http":
            port = free_port()
            proc = self._spawn("backend", [sys.executable, "-m", "bot", "backend", "--port",
                                           str(port), "--data-dir", str(self.data)], env)
            wait_http(port, proc, good=1)
            self.backend_url = f"http://127.0.0.1:{port}/backend/v1"
            env["BOT_BACKEND"] = self.backend_url
        for i, port in enumerate(self.ports):
            threaded = s.worker_class in WORKER_CLASSES
            extra = ["--threads", str(s.threads)] if threaded else []
            command = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(s.workers),
                       "-k", WORKER_CLASSES.get(s.worker_class, s.worker_class), *extra,
                       "--timeout", str(WORKER_TIMEOUT), "--keep-alive", str(KEEPALIVE),
                       "-b", f"127.0.0.1:{port}", "bot:create_app()"]
            wait_http(port, self._spawn(f"bot-{i}", command, env), good=2 * s.workers)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of each part: bot instances (all workers), redis, backend."""
        out = {"bots": 0.0, "redis": 0.0, "backend": 0.0}
        for name, proc in self.procs.items():
            out["bots" if name.startswith("bot-") else name] += cpu_of_group(proc.pid)
        return out

    def tail(self, chars: int = 3000) -> str:
        """The end of every server's log, for a run that went wrong."""
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-chars:]}"
                         for p in sorted(self.data.glob("*.log")))

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the group: no worker outlives its master
            except ProcessLookupError:
                pass
            proc.wait(STOP_TIMEOUT)
