"""Several bot instances as an operator runs them: gunicorn x2, one Redis, one external backend.

`Fleet` starts `python -m bot backend` (the mock social-security backend as its own server) and
two `gunicorn -c python:bot.server.gunicorn_conf -w 2 'bot:create_app()'` instances (the settings we
ship) on BOT_STORE=redis://… and BOT_BACKEND=http://…/backend/v1. Each instance runs in its
own process group, so `kill()` is a real kill -9 of the master and its workers. Logs go to
files; `tails()` shows them on failure.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import requests
import yaml

from bot.sim.wire.client import PlatformClient
from flows.ids import make_id
from tests.conftest import APP_ID, TOKEN
from tests.servers import Server, free_port, launch
from tests.timing import READY_TIMEOUT, WINDOW

T = TypeVar("T")
APP_SECRET = "test-app-secret"  # the mock platform's account is the bots' own
ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2  # per instance: the issue's `gunicorn -w 2`; threads as bot/server/gunicorn_conf.py
WORKER_TIMEOUT = 30  # s a silent worker lives before its master replaces it
GRACEFUL_TIMEOUT = 5  # s a worker gets to finish its requests on SIGTERM
KEEPALIVE = 30  # s an idle keep-alive connection stays open (the tests pause, the pool reuses)
PROBE_TIMEOUT = 2.0  # s for one /healthz answer while an instance starts
API_TIMEOUT = 10.0  # s for a call to the backend's HTTP API from a test
LOG_SETTLE = 5.0  # s for an access-log line to appear: it is written after the answer is sent


def eventually(read: Callable[[], T], want: T, timeout: float = LOG_SETTLE,
               every: float = 0.05) -> T:
    """`read()` every `every` s until it returns `want` or `timeout` passes; the last value."""
    deadline = time.monotonic() + timeout
    while (got := read()) != want and time.monotonic() < deadline:
        time.sleep(every)
    return got


def settled(read: Callable[[], T], quiet: float = 0.3, timeout: float = LOG_SETTLE) -> T:
    """`read()` once it has stopped changing for `quiet` s (a log still being written)."""
    deadline, got = time.monotonic() + timeout, read()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        again = read()
        if again == got:
            break
        got = again
    return got


GIVEN = "安宁晓东明华建国志强秀英丽娟文博海涛静怡"  # 20 given-name characters: 400 names


def people(n: int) -> list[dict]:
    """`n` distinct bindable adults: ID number (valid check digit), name, phone, card number.

    Names are Chinese characters only: a digit in a name is not a name (the name reader takes
    "多实例0" as "多实例"), so a name built from the index would fail the name check.
    """
    out = []
    for i in range(n):
        born = date(1970, 1, 1) + timedelta(days=i % 9000)
        name = "林" + GIVEN[i // len(GIVEN) % len(GIVEN)] + GIVEN[i % len(GIVEN)]
        out.append({"id_number": make_id("110105", born, i // 9000 % 1000), "name": name,
                    "phone": f"137{i:08d}", "card": f"M{i:08d}"})
    return out


def write_seed(path: Path, persons: list[dict]) -> Path:
    """A backend seed (docs/architecture.md, "Seed") with one active card per person."""
    seed = {"people": [{k: p[k] for k in ("id_number", "name", "phone")} for p in persons],
            "cards": [{"card_number": p["card"], "holder": p["id_number"], "password": "147258",
                       "status": "active"} for p in persons],
            "guardianships": []}
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    return path


class Instance:
    """One gunicorn with its workers, in a process group of its own."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.env, self.log = name, env, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, tries: int = 3) -> Instance:
        """Start gunicorn and wait until its own workers answer. Another test's server may
        take the port between free_port() and the bind (a server on port 0 in another xdist
        worker): gunicorn then logs "Connection in use" and keeps retrying while /healthz is
        answered by that other server, so readiness also needs gunicorn's "Listening at" for
        this port, and a port taken is given up for a new one."""
        for _ in range(tries):
            if self._start():
                return self
            self.kill()
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        raise RuntimeError(f"{self.name}: no free port in {tries} tries")

    def _start(self) -> bool:
        """True once ready; False when the port was taken (the caller tries another)."""
        command = ["gunicorn", "-c", "python:bot.server.gunicorn_conf", "-w", str(WORKERS),
                   "--timeout", str(WORKER_TIMEOUT), "--graceful-timeout", str(GRACEFUL_TIMEOUT),
                   "--keep-alive", str(KEEPALIVE), "-b", f"127.0.0.1:{self.port}",
                   "--access-logfile", "-", "--access-logformat", "%(m)s %(U)s %(s)s",
                   "bot:create_app()"]
        start = self.log.stat().st_size if self.log.exists() else 0  # this start's lines
        self.proc = launch(command, self.env, self.log, cwd=ROOT, own_group=True)
        deadline, good = time.monotonic() + READY_TIMEOUT, 0
        listening = f"Listening at: {self.url} "
        taken = f"Connection in use: ('127.0.0.1', {self.port})"
        while good < 2 * WORKERS:  # a few answers in a row: more than one worker is up
            said = self.log.read_bytes()[start:].decode("utf-8", "replace")
            if taken in said:
                return False
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready: {self.log.read_text()[-2000:]}")
            if listening not in said:  # /healthz may be another server's, on a port taken
                time.sleep(0.1)
                continue
            try:
                probe = requests.get(f"{self.url}/healthz", timeout=PROBE_TIMEOUT)
                good = good + 1 if probe.ok else 0
            except requests.RequestException:  # refused, or accepted before a worker is up
                good = 0
                time.sleep(0.1)
        return True

    def kill(self) -> None:
        """kill -9 the master and every worker at once, as a crashed machine would."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)

    def signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the master and every worker (SIGSTOP: a stall; SIGCONT ends it)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(GRACEFUL_TIMEOUT + 10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # stragglers of the group, if any

    def answered(self) -> int:
        """POSTs to /wechat this instance answered, from its access log."""
        return self.log.read_text(errors="replace").count("POST /wechat ")

    def client(self, ids: object = None) -> PlatformClient:
        """The platform's wire client aimed at this instance (plaintext, signed)."""
        client = PlatformClient(self.url, TOKEN, timeout=WINDOW)
        if ids is not None:
            client.ids = ids  # one MsgId sequence across instances, as the platform has
        return client


class Fleet:
    """The backend and the bot instances, on one shared store (Redis, or a Redis Cluster)."""

    def __init__(self, tmp: Path, redis_url: str, persons: list[dict], instances: int = 2,
                 platform: bool = False) -> None:
        self.tmp, self.persons, self._next = tmp, persons, 0
        seed = write_seed(tmp / "seed.yaml", persons)
        base = {"PYTHONPATH": str(ROOT), "WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp / "bots")}
        self.backend = Server(["backend", "--data-dir", str(tmp / "backend"), "--seed", str(seed)],
                              base, tmp / "backend.log")
        self.api = f"{self.backend.url}/backend/v1"
        env = {**os.environ, **base, "BOT_STORE": redis_url, "BOT_BACKEND": self.api,
               "BOT_SIMULATOR": "0"}
        for name in ("WECHAT_AES_KEY", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_API_BASE"):
            env.pop(name, None)
        self.platform: Server | None = None
        if platform:  # the mock platform API (/cgi-bin/); its state is in the shared BOT_DATA_DIR
            account = {"WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET}
            self.platform = Server(["serve"], {**base, **account, "BOT_SIMULATOR": "1",
                                               "BOT_STORE": "memory://", "BOT_BACKEND": self.api},
                                   tmp / "platform.log")
            env.update(account, BOT_SIMULATOR="1",
                       WECHAT_API_BASE=f"{self.platform.url}/cgi-bin/")
        self.instances = [Instance(f"bot-{chr(97 + i)}", env, tmp / f"bot-{chr(97 + i)}.log")
                          for i in range(instances)]

    def start(self) -> Fleet:
        self.backend.start()
        if self.platform is not None:
            self.platform.start()
        for instance in self.instances:
            instance.start()
        return self

    def stop(self) -> None:
        for instance in self.instances:
            instance.signal(signal.SIGCONT)  # a stalled one must hear the TERM
            instance.stop()
        for server in (self.platform, self.backend):
            if server is not None:
                server.stop()

    def take(self, n: int) -> list[dict]:
        """`n` seeded people nobody else in this fleet has used yet."""
        taken, self._next = self.persons[self._next:self._next + n], self._next + n
        assert len(taken) == n, "seed too small for the tests: raise the fleet's people"
        return taken

    def get(self, path: str, **params: str) -> requests.Response:
        """GET from the backend's API: what the world looks like, not what the bot said."""
        return requests.get(f"{self.api}/{path}", params=params, timeout=API_TIMEOUT)

    def post(self, path: str, body: dict) -> requests.Response:
        """POST to the backend's API (e.g. its latency fault); a refusal fails the test."""
        answer = requests.post(f"{self.api}/{path}", json=body, timeout=API_TIMEOUT)
        answer.raise_for_status()
        return answer

    def outbound(self, openid: str) -> list[str]:
        """Texts that reached `openid` through the customer-service API, oldest first."""
        assert self.platform is not None, "start the fleet with platform=True"
        answer = requests.get(f"{self.platform.url}/sim/api/outbound", params={"user": openid},
                              timeout=API_TIMEOUT)
        answer.raise_for_status()
        return [m["body"]["text"]["content"] for m in answer.json()["messages"]
                if m["api"] == "custom" and m["body"].get("msgtype") == "text"]

    def card(self, number: str) -> dict:
        """The contract's card view: `bound_openid` says who the card is bound to."""
        return self.get(f"cards/{number}").json()

    def sms(self, phone: str) -> list[dict]:
        """Every code the backend texted to `phone`: one per flow, however it was delivered."""
        return self.get("sms", phone=phone).json()["messages"]

    def backend_calls(self) -> Counter[str]:
        """Calls that reached the backend so far, by RPC method, from its access log."""
        text = self.backend.log.read_text(errors="replace")
        return Counter(re.findall(r"POST /backend/v1/rpc/(\w+) HTTP", text))

    def tails(self, chars: int = 3000) -> str:
        """The end of every process's log, for the report of a failed test."""
        logs = [self.backend.log, *(i.log for i in self.instances)]
        logs += [self.platform.log] if self.platform is not None else []
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-chars:]}"
                         for p in logs if p.exists())
