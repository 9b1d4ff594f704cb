"""The load generator's process: followers walking the bind-card flow over keep-alive HTTP.

Each thread is one follower at a time: it takes the next person off a queue and walks the
flow, its pushes spread over the instances as a round-robin balancer would (step i of
follower n goes to instance (n + i) mod N), reading SMS codes from the backend's SQLite file
between steps (untimed). A push answered `success` owes its reply through the API: when the
instances serve GET /sim/api/outbound the follower waits for it there, else it stops.
"""

from __future__ import annotations

import http.client
import json
import queue
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from workload import STEPS, Person, Signer

WINDOW = 5.0  # s the platform waits for a passive reply
HTTP_TIMEOUT = 60.0  # s a push may take before the generator gives up on it (an error)
OWED_WAIT = 30.0  # s a reply owed through the API may take to reach the follower
OWED_POLL = 0.1  # s between looks at the outbound API


def outbound(conn: http.client.HTTPConnection, openid: str) -> int | None:
    """How many messages reached `openid` through the API; None when there is no such API."""
    conn.request("GET", f"/sim/api/outbound?user={quote(openid)}")
    response = conn.getresponse()
    body = response.read()
    return len(json.loads(body)["messages"]) if response.status == 200 else None


def _post(conn: http.client.HTTPConnection, url: str, body: bytes,
          ) -> tuple[http.client.HTTPResponse, bytes]:
    conn.request("POST", url, body, {"Content-Type": "text/xml"})
    response = conn.getresponse()
    return response, response.read()


def post(conn: http.client.HTTPConnection, url: str, body: bytes,
         ) -> tuple[http.client.HTTPResponse, bytes]:
    """POST a push; once more on a fresh connection if the kept-alive one was closed under it."""
    try:
        return _post(conn, url, body)
    except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
        conn.close()  # the platform resends too; the bot answers a resent push without a new turn
        return _post(conn, url, body)


class Walk:
    """Shared state of one pass: the queue of followers and what happened to them."""

    def __init__(self, ports: list[int], persons: list[Person], first: int, tag: str,
                 codes: Path, deadline: float, think: float) -> None:
        self.ports, self.codes, self.deadline, self.think = ports, codes, deadline, think
        self.todo: queue.Queue = queue.Queue()
        for i, person in enumerate(persons):
            self.todo.put((first + i, f"o{tag}{first + i:06d}", person))
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.followers = {"sent": 0, "done": 0, "in_time": 0, "owed": 0, "owed_sent": 0}

    def count(self, **grown: int) -> None:
        with self.lock:
            for key, n in grown.items():
                self.followers[key] += n

    def slot(self) -> None:
        """One concurrent follower slot: walk followers until the queue or the time runs out."""
        signer = Signer("plaintext")
        conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=HTTP_TIMEOUT)
                 for p in self.ports]
        codes = sqlite3.connect(f"file:{self.codes}?mode=ro", uri=True, timeout=30)
        try:
            while time.monotonic() < self.deadline:
                try:
                    index, user, person = self.todo.get_nowait()
                except queue.Empty:
                    return
                self.count(sent=1)
                self.follower(index, user, person, signer, conns, codes)
        finally:
            for conn in conns:
                conn.close()
            codes.close()

    def follower(self, index: int, user: str, person: Person, signer: Signer,
                 conns: list[http.client.HTTPConnection], codes: sqlite3.Connection) -> None:
        in_time, owed = True, 0
        for step in range(len(STEPS)):
            if self.think:  # a person reading and typing, untimed; jittered so users drift apart
                time.sleep(random.uniform(0.5 * self.think, 1.5 * self.think))
            code = ""
            if step == 4:
                row = codes.execute("SELECT code FROM outbox WHERE phone=? ORDER BY seq DESC"
                                    " LIMIT 1", (person.phone,)).fetchone()
                code = row[0] if row else "000000"
            query, body = signer.request(user, person.says(step, code))
            conn = conns[(index + step) % len(conns)]
            start = time.perf_counter()
            try:
                response, answer = post(conn, "/wechat?" + urlencode(query), body)
            except OSError as exc:
                self.errors.append(f"{user} step {STEPS[step]}: {exc!r}")
                return
            took = time.perf_counter() - start
            with self.lock:
                self.latencies.append(took)
            in_time = in_time and took < WINDOW
            if response.status == 200 and answer.strip() in (b"", b"success"):
                owed += 1
                if not self.wait_owed(conns[0], user, owed):
                    self.count(owed=1)
                    return
            elif response.status != 200 or b"<Content>" not in answer:
                self.errors.append(f"{user} step {STEPS[step]}: HTTP {response.status} "
                                   f"{answer[:80]!r}")
                return
        self.count(done=1, in_time=int(in_time), owed=int(owed > 0), owed_sent=int(owed > 0))

    def wait_owed(self, conn: http.client.HTTPConnection, user: str, owed: int) -> bool:
        """Wait for the `owed`-th API message to `user`; False if none comes (or no API)."""
        deadline = time.monotonic() + OWED_WAIT
        while time.monotonic() < deadline:
            sent = outbound(conn, user)
            if sent is None:
                return False
            if sent >= owed:
                return True
            time.sleep(OWED_POLL)
        return False


def generate(ports: list[int], persons: list[Person], first: int, concurrency: int,
             duration: float, think: float, codes: Path, tag: str) -> dict[str, Any]:
    """Run the followers through the flow with `concurrency` threads; timings and counts."""
    walk = Walk(ports, persons, first, tag, codes, time.monotonic() + duration, think)
    threads = [threading.Thread(target=walk.slot, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + HTTP_TIMEOUT + OWED_WAIT)
    return {"latencies": walk.latencies, "errors": walk.errors, "followers": walk.followers,
            "wall_s": time.perf_counter() - started}


def load_process(ports: list[int], persons: list[Person], warmup: int, concurrency: int,
                 duration: float, think: float, codes: str, results: Any, go: Any) -> None:
    """The generator's process: an untimed warm-up pass, a signal, then the measured pass."""
    generate(ports, persons[:warmup], 0, concurrency, duration, 0.0, Path(codes), "HttpWarm")
    results.put("warm")
    go.get()  # the parent read the CPU counters (and set any fault): go
    cpu = time.process_time()
    outcome = generate(ports, persons[warmup:], warmup, concurrency, duration, think,
                       Path(codes), "Http")
    outcome["loader_cpu_s"] = time.process_time() - cpu  # the load generator's own share
    results.put(outcome)
