"""The bot over real HTTP: gunicorn with 2 workers, a load generator in a second process.

    python bench/http_load.py [--concurrency 50] [--users 500] [--duration 60] [--json FILE]

(Not `bench/http.py`: run as a script, that name would shadow the stdlib `http` package.)

Starts `gunicorn -w 2 'bot:create_app()'` on a free loopback port with the config in the
environment (SQLite store and mock backend in a temp dir, a synthetic seed), then a second
process runs `--concurrency` threads, each a user walking the bind-card flow with signed
requests over keep-alive http.client connections and taking the next user when done, until
`--users` users are through or `--duration` seconds have passed. The SMS codes are read from
the mock backend's outbox (its SQLite file) between steps, outside the latency. It reports
messages/s and the latency percentiles, then stops gunicorn. Loopback only, bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from run import percentile
from workload import ROOT, STEPS, TOKEN, Person, Signer, machine, people, write_seed

from bot.backend.mock import MockBackend
from bot.clock import Clock


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_of_children(pid: int) -> float:
    """CPU seconds (user + system) used so far by the processes whose parent is `pid`."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:  # fields after the name: state, ppid, ..., utime, stime
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Block until /healthz answers 200 a few times in a row (both workers up), or fail."""
    deadline, good = time.monotonic() + timeout, 0
    while good < 10:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not become ready in time")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            good = good + 1 if conn.getresponse().status == 200 else 0
            conn.close()
        except OSError:
            good = 0
            time.sleep(0.2)


def walk(port: int, users: queue.Queue, outbox: Path, deadline: float, think: float,
         latencies: list[float], errors: list[str], done: list[int]) -> None:
    """One concurrent user slot: take users off the queue and walk each through the flow."""
    signer = Signer("plaintext")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    codes = sqlite3.connect(f"file:{outbox}?mode=ro", uri=True, timeout=30)
    try:
        while time.monotonic() < deadline:
            try:
                index, user, person = users.get_nowait()
            except queue.Empty:
                return
            for step in range(len(STEPS)):
                if think:  # a person reading and typing, untimed; jittered so users drift apart
                    time.sleep(random.uniform(0.5 * think, 1.5 * think))
                code = ""
                if step == 4:
                    row = codes.execute("SELECT code FROM outbox WHERE phone=? ORDER BY seq DESC"
                                        " LIMIT 1", (person.phone,)).fetchone()
                    code = row[0] if row else "000000"
                query, body = signer.request(user, person.says(step, code))
                url = "/wechat?" + urlencode(query)
                start = time.perf_counter()
                conn.request("POST", url, body, {"Content-Type": "text/xml"})
                response = conn.getresponse()
                answer = response.read()
                latencies.append(time.perf_counter() - start)
                if response.status != 200 or b"<Content>" not in answer:
                    errors.append(f"{user} step {STEPS[step]}: HTTP {response.status} "
                                  f"{answer[:80]!r}")
                    break
            else:
                done.append(index)
    finally:
        conn.close()
        codes.close()


def generate(port: int, persons: list[Person], first: int, concurrency: int, duration: float,
             think: float, outbox: Path, tag: str) -> dict[str, Any]:
    """Run the users through the flow with `concurrency` threads; timings and errors."""
    users: queue.Queue = queue.Queue()
    for i, person in enumerate(persons):
        users.put((first + i, f"o{tag}{first + i:06d}", person))
    latencies: list[float] = []
    errors: list[str] = []
    done: list[int] = []
    deadline = time.monotonic() + duration
    slot = (port, users, outbox, deadline, think, latencies, errors, done)
    threads = [threading.Thread(target=walk, args=slot, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 60)
    wall = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "users_done": len(done), "wall_s": wall}


def load_process(port: int, persons: list[Person], warmup: int, concurrency: int,
                 duration: float, think: float, outbox: str,
                 results: multiprocessing.Queue) -> None:
    """The load generator's process: an untimed warm-up pass, then the measured pass."""
    generate(port, persons[:warmup], 0, concurrency, duration, 0.0, Path(outbox), "HttpWarm")
    results.put("warm")
    cpu = time.process_time()
    outcome = generate(port, persons[warmup:], warmup, concurrency, duration, think,
                       Path(outbox), "Http")
    outcome["loader_cpu_s"] = time.process_time() - cpu  # the load generator's own share
    results.put(outcome)


def main(argv: list[str] | None = None) -> int:
    """Start gunicorn, load it from a second process, report, stop gunicorn."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=50, help="users at once (default 50)")
    parser.add_argument("--users", type=int, default=1000,
                        help="users walked in the measured pass (default 1000, 5 messages each)")
    parser.add_argument("--warmup", type=int, default=50, help="users in the untimed warm-up")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds after which no new user starts (default 60)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds each user pauses before each message, jittered "
                        "+-50%% (default 0: flat out)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--gunicorn-arg", action="append", default=[], metavar="ARG",
                        help="extra gunicorn argument, repeatable (e.g. --gunicorn-arg=-k "
                        "--gunicorn-arg=gthread)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    persons = people(args.warmup + args.users)
    with tempfile.TemporaryDirectory(prefix="wxbot-http-") as tmp:
        data = Path(tmp)
        seed = write_seed(data / "seed.yaml", persons)
        print(f"seeding {len(persons)} cards...", file=sys.stderr)
        MockBackend(data / "backend.sqlite3", seed, Clock()).close()  # workers find it seeded
        port = free_port()
        env = {**os.environ, "WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(data),
               "BOT_STORE": f"sqlite:///{data / 'bot.sqlite3'}", "BOT_BACKEND": "mock",
               "BOT_BACKEND_SEED": str(seed), "BOT_SIMULATOR": "0"}
        for name in ("WECHAT_AES_KEY", "WECHAT_APP_ID"):
            env.pop(name, None)
        command = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers),
                   "-b", f"127.0.0.1:{port}", *args.gunicorn_arg, "bot:create_app()"]
        log = (data / "gunicorn.log").open("w")
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            wait_ready(port, server)
            print(f"gunicorn up ({args.workers} workers, port {port}); loading with "
                  f"{args.concurrency} concurrent users...", file=sys.stderr)
            ctx = multiprocessing.get_context("spawn")
            results = ctx.Queue()
            loader = ctx.Process(target=load_process, args=(
                port, persons, args.warmup, args.concurrency, args.duration, args.think,
                str(data / "backend.sqlite3"), results))
            loader.start()
            results.get(timeout=args.duration + 120)  # the warm-up is over
            workers_before = cpu_of_children(server.pid)
            outcome = results.get(timeout=2 * args.duration + 180)
            workers_cpu = cpu_of_children(server.pid) - workers_before
            loader.join(30)
            with sqlite3.connect(data / "backend.sqlite3") as db:
                (bound,) = db.execute("SELECT COUNT(*) FROM cards WHERE bound_openid LIKE "
                                      "'oHttp0%'").fetchone()
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
        if outcome["errors"]:
            print((data / "gunicorn.log").read_text()[-3000:], file=sys.stderr)

    lat = outcome["latencies"]
    summary = {
        "machine": machine(),
        "params": {"workers": args.workers, "gunicorn_args": args.gunicorn_arg,
                   "think_s": args.think, "concurrency": args.concurrency,
                   "users": args.users, "warmup_users": args.warmup,
                   "duration_cap_s": args.duration,
                   "load_generator": "python threads + http.client, second process"},
        "messages": len(lat),
        "users_done": outcome["users_done"],
        "users_bound_in_backend": bound,
        "errors": outcome["errors"][:10],
        "error_count": len(outcome["errors"]),
        "wall_s": round(outcome["wall_s"], 2),
        "msgs_per_s": round(len(lat) / outcome["wall_s"]),
        "load_generator_cores_used": round(outcome["loader_cpu_s"] / outcome["wall_s"], 2),
        "gunicorn_workers_cores_used": round(workers_cpu / outcome["wall_s"], 2),
        "worker_cpu_us_per_msg": round(1e6 * workers_cpu / max(1, len(lat))),
        "latency_ms": {f"p{q}": round(1e3 * percentile(lat, q), 2) for q in (50, 90, 99)}
        | {"max": round(1e3 * max(lat), 2), "mean": round(1e3 * sum(lat) / len(lat), 2)},
    }
    summary["target"] = {"p99_ms_below": 50, "met": summary["latency_ms"]["p99"] < 50}
    ms = summary["latency_ms"]
    print(f"{summary['messages']} messages from {summary['users_done']} users in "
          f"{summary['wall_s']} s: {summary['msgs_per_s']} msgs/s; latency p50 {ms['p50']} ms, "
          f"p90 {ms['p90']} ms, p99 {ms['p99']} ms, max {ms['max']} ms; "
          f"{summary['error_count']} errors; bound in backend: {bound}; CPU: workers "
          f"{summary['gunicorn_workers_cores_used']} cores "
          f"({summary['worker_cpu_us_per_msg']} us/msg), "
          f"load generator {summary['load_generator_cores_used']} cores; "
          f"p99 < 50 ms: {'met' if summary['target']['met'] else 'MISSED'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return 1 if outcome["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
