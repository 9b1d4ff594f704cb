"""The bot over real HTTP: gunicorn instances on one store, a load generator in a second process.

    python bench/http_load.py [--instances 1|2] [--store sqlite|redis] [--followers 50]
                              [--users 200] [--backend mock|http] [--json FILE]
    python bench/http_load.py --slow-backend 6 --slow-calls 50 [--instances 2 --store redis]
    python bench/http_load.py --matrix [--json FILE]   # {1,2} instances x {SQLite,Redis} x {50,300}

(Not `bench/http.py`: run as a script, that name would shadow the stdlib `http` package.)

Starts `--instances` x `gunicorn -w 2 -k bot.server.gunicorn_worker.Worker 'bot:create_app()'` on
free loopback ports sharing one store (one SQLite file, or a redis-server started here) and one
backend (the in-process mock on one SQLite file, or `wxbot backend` as its own process), with a
synthetic seed. A second process runs `--followers` threads, each walking followers through the
bind-card flow (bench/loadgen.py), until `--users` are through or `--duration` has passed. It
reports messages/s, latency percentiles, CPU per message of each part (from /proc, per process
group), and followers answered in time: every push answered within 5 s, passively or (`success` at
once) through the customer-service API. `--slow-backend S` sets the backend's latency fault (`POST
/backend/v1/faults`) on the next `--slow-calls` calls, after the warm-up. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from deploy import Deployment, Setup
from loadgen import WINDOW, load_process
from run import percentile
from workload import machine, people, write_seed

from bot.backend.mock import MockBackend
from bot.clock import Clock

PASS_TIMEOUT = 300.0  # s for a pass to report before the run is abandoned
FAULT_TIMEOUT = 10.0  # s for the fault request to the backend


def set_fault(backend_url: str, delay: float, times: int) -> None:
    """The backend's latency fault; SystemExit naming what is missing when it has none."""
    body = json.dumps({"delay": delay, "times": times}).encode()
    request = urllib.request.Request(f"{backend_url}/faults", body,
                                     {"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=FAULT_TIMEOUT).close()
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"the backend has no latency fault (POST /backend/v1/faults: HTTP "
                         f"{exc.code}); --slow-backend needs it") from None


def run(setup: Setup, followers: int, users: int, warmup: int, duration: float, think: float,
        slow: float = 0.0, slow_calls: int = 0) -> dict[str, Any]:
    """One configuration, start to stop: the summary of its measured pass."""
    persons = people(warmup + users)
    with tempfile.TemporaryDirectory(prefix="wxbot-http-") as tmp:
        data = Path(tmp)
        seed = write_seed(data / "seed.yaml", persons)
        print(f"seeding {len(persons)} cards...", file=sys.stderr)
        MockBackend(data / "backend.sqlite3", seed, Clock()).close()  # servers find it seeded
        with Deployment(setup, data, seed) as deployment:
            print(f"{setup.instances} instance(s) up on {setup.store}, backend {setup.backend}; "
                  f"{followers} followers at once...", file=sys.stderr)
            ctx = multiprocessing.get_context("spawn")
            results, go = ctx.Queue(), ctx.Queue()
            loader = ctx.Process(target=load_process, args=(
                deployment.ports, persons, warmup, followers, duration, think,
                str(data / "backend.sqlite3"), results, go))
            loader.start()
            try:
                results.get(timeout=PASS_TIMEOUT)  # the warm-up is over
                if slow:
                    assert deployment.backend_url, "--slow-backend needs --backend http"
                    set_fault(deployment.backend_url, slow, slow_calls)
                before = deployment.cpu()
                go.put("go")
                outcome = results.get(timeout=PASS_TIMEOUT + duration)
                cpu = {k: v - before[k] for k, v in deployment.cpu().items()}
            finally:
                loader.join(30)
                if loader.is_alive():
                    loader.kill()
            if outcome["errors"]:
                print(deployment.tail(), file=sys.stderr)
        with sqlite3.connect(data / "backend.sqlite3") as db:
            (bound,) = db.execute("SELECT COUNT(*) FROM cards WHERE bound_openid LIKE "
                                  "'oHttp0%'").fetchone()
    return summarize(setup, outcome, cpu, bound, followers, users, think, slow, slow_calls)


def summarize(setup: Setup, outcome: dict, cpu: dict[str, float], bound: int, followers: int,
              users: int, think: float, slow: float, slow_calls: int) -> dict[str, Any]:
    lat, wall = outcome["latencies"] or [0.0], outcome["wall_s"]
    messages = len(outcome["latencies"])
    return {
        "setup": vars(setup) | {"followers_at_once": followers, "users": users, "think_s": think,
                                "slow_backend_s": slow, "slow_calls": slow_calls},
        "messages": messages,
        "wall_s": round(wall, 2),
        "msgs_per_s": round(messages / wall),
        "latency_ms": {f"p{q}": round(1e3 * percentile(lat, q), 1) for q in (50, 90, 99)}
        | {"max": round(1e3 * max(lat), 1)},
        "answered_late": sum(t >= WINDOW for t in outcome["latencies"]),
        "cpu_us_per_msg": {k: round(1e6 * v / max(1, messages)) for k, v in cpu.items()},
        "cores_used": {k: round(v / wall, 2) for k, v in cpu.items()}
        | {"load_generator": round(outcome["loader_cpu_s"] / wall, 2)},
        "followers": outcome["followers"],
        "bound_in_backend": bound,
        "errors": outcome["errors"][:10],
        "error_count": len(outcome["errors"]),
    }


def line(s: dict[str, Any]) -> str:
    """One summary as a Markdown table row (see `HEADER`)."""
    st, ms, f, cpu = s["setup"], s["latency_ms"], s["followers"], s["cpu_us_per_msg"]
    return (f"| {st['instances']} | {st['store']} | {st['followers_at_once']} | {s['messages']} "
            f"| {s['msgs_per_s']} | {ms['p50']} | {ms['p99']} | {ms['max']} | {cpu['bots']} "
            f"| {cpu['redis'] or '-'} | {cpu['backend'] or '-'} | {f['in_time']} / {f['sent']} "
            f"| {s['error_count']} |")


HEADER = ("| instances | store | followers at once | msgs | msgs/s | p50 ms | p99 ms | max ms "
          "| CPU µs/msg: bots | redis | backend | followers in time / sent | errors |\n"
          "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")


def main(argv: list[str] | None = None) -> int:
    """Run one configuration (or the matrix), print the figures, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=1, help="gunicorn instances (1)")
    parser.add_argument("--workers", type=int, default=2, help="workers per instance (2)")
    parser.add_argument("--worker-class", default="wxbot", choices=("wxbot", "gthread", "sync"),
                        help="wxbot: gthread stamping arrivals (bot/server/gunicorn_worker.py)")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker (16)")
    parser.add_argument("--store", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--backend", choices=("mock", "http"), default="mock",
                        help="mock: in each worker on one SQLite file; http: `wxbot backend`")
    parser.add_argument("--followers", "--concurrency", type=int, default=50, dest="followers",
                        help="followers at once (default 50)")
    parser.add_argument("--users", type=int, default=200,
                        help="followers walked in the measured pass (default 200, 5 msgs each)")
    parser.add_argument("--warmup", type=int, default=20, help="followers in the untimed warm-up")
    parser.add_argument("--duration", type=float, default=30.0,
                        help="seconds after which no new follower starts (default 30)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a follower pauses before each message, +-50%%")
    parser.add_argument("--slow-backend", type=float, default=0.0, metavar="S",
                        help="the backend's latency fault: S seconds more on --slow-calls calls")
    parser.add_argument("--slow-calls", type=int, default=50, metavar="K")
    parser.add_argument("--matrix", action="store_true",
                        help="1 and 2 instances x SQLite and Redis x 50 and 300 followers")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    base = dict(workers=args.workers, worker_class=args.worker_class, threads=args.threads,
                backend="http" if args.slow_backend else args.backend,
                simulator=bool(args.slow_backend))
    runs = [(n, store, followers) for n in (1, 2) for store in ("sqlite", "redis")
            for followers in (50, 300)] if args.matrix else [
        (args.instances, args.store, args.followers)]
    summaries = []
    for instances, store, followers in runs:
        setup = Setup(instances=instances, store=store, **base)
        users = max(args.users, followers) if args.matrix else args.users
        summary = run(setup, followers, users, args.warmup, args.duration, args.think,
                      args.slow_backend, args.slow_calls)
        summaries.append(summary)
        print(line(summary), file=sys.stderr)
    print(HEADER)
    for summary in summaries:
        print(line(summary))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = {"machine": machine(), "runs": summaries}
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    return 1 if any(s["error_count"] for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
