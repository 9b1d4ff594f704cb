"""Does the bot's memory stay flat as open conversations pile up? RSS from 100 to N users.

    python bench/memory.py [--users 10000] [--base 100] [--store sqlite|redis|memory]
    python bench/memory.py --users 100000 --base 1000     # the scale check (a few minutes)

Each distinct user sends 绑定社保卡 and then an ID number, which leaves a conversation open
(waiting for the name) for every one of them. Sessions live in the SQLite store, so the
process's resident memory should not grow with them; `--store memory` shows the contrast.
`--store redis` starts a redis-server here and reports its own memory beside the bot's.
RSS is read from /proc after a full garbage collection, at `--base` users and at `--users`
(and at 1, 2.5 and 5 times each power of ten between), and the open sessions are counted in
the store at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from workload import Signer, bot_config, call, machine, people, rss_bytes, write_seed

from bot import create_app
from bot.app import bot_of

MB = 1024 * 1024
REDIS_START = 10.0  # s for the redis-server started here to answer


def checkpoints(base: int, users: int) -> list[int]:
    """`base`, `users`, and the 1-2.5-5 steps of each decade strictly between them."""
    steps = {m * 10**e for e in range(2, 7) for m in (1, 2.5, 5)}
    return sorted({base, users, *(int(n) for n in steps if base < n < users)})


def start_redis(workdir: Path) -> tuple[str, subprocess.Popen]:
    """A throwaway redis-server on a free port (no persistence); its URL and process."""
    from deploy import free_port

    port = free_port()
    proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port),
                             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(workdir)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + REDIS_START
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                         check=False).stdout.strip() != b"PONG":
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("redis-server did not start")
        time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0", proc


def redis_used_mb(url: str) -> float:
    """The redis-server's own memory (INFO used_memory), in MB."""
    with redis.Redis.from_url(url) as client:
        return round(client.info("memory")["used_memory"] / MB, 1)


def main(argv: list[str] | None = None) -> int:
    """Open `--users` conversations and report RSS growth from `--base` users on."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--base", type=int, default=100, help="users at the first reading")
    parser.add_argument("--store", choices=("sqlite", "redis", "memory"), default="sqlite")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    started = time.monotonic()
    persons = people(args.users)
    points = checkpoints(args.base, args.users)
    readings: dict[int, int] = {}
    redis_mb: float | None = None
    server = None
    with tempfile.TemporaryDirectory(prefix="wxbot-memory-") as tmp:
        seed = write_seed(Path(tmp) / "seed.yaml", persons[:10])  # IDs need no record to be asked
        config = bot_config(Path(tmp), seed)
        if args.store == "memory":
            config["BOT_STORE"] = "memory://"
        if args.store == "redis":
            config["BOT_STORE"], server = start_redis(Path(tmp))
        app = create_app(config)
        signer = Signer("plaintext")
        try:
            for i in range(-20, args.users):  # 20 warm-up users first (imports, caches)
                user = f"oMem{i:+07d}"
                for text in ("绑定社保卡", persons[i % len(persons)].id_number):
                    status, body = call(app, signer.environ(user, text))
                    if status != 200 or b"<Content>" not in body:
                        raise RuntimeError(f"{user}: HTTP {status} {body[:120]!r}")
                if i + 1 in points:
                    gc.collect()
                    readings[i + 1] = rss_bytes()
                    print(f"{i + 1:>6} users: RSS {readings[i + 1] / MB:.1f} MB", file=sys.stderr)
            open_sessions = None
            if args.store == "sqlite":
                with sqlite3.connect(Path(tmp) / "bot.sqlite3") as db:
                    (open_sessions,) = db.execute(
                        "SELECT COUNT(*) FROM sessions WHERE user LIKE 'oMem+%' "
                        "AND data LIKE '%\"state\": \"ask_name\"%'").fetchone()
            if args.store == "redis":
                redis_mb = redis_used_mb(config["BOT_STORE"])
                with redis.Redis.from_url(config["BOT_STORE"]) as client:
                    open_sessions = sum(1 for _ in client.scan_iter("*session*oMem+*",
                                                                    count=1000))
        finally:
            bot_of(app).close()
            if server is not None:
                server.terminate()
                server.wait(REDIS_START)

    base, last = readings[args.base], readings[args.users]
    growth = (last - base) / MB
    summary = {
        "machine": machine(),
        "store": args.store,
        "users": args.users,
        "rss_mb": {str(n): round(v / MB, 1) for n, v in readings.items()},
        "growth_mb": round(growth, 2),
        "bytes_per_user": round((last - base) / (args.users - args.base)),
        "open_sessions_in_store": open_sessions,
        "redis_used_mb": redis_mb,
        "target": {"growth_mb_below": 20, "met": growth < 20},
        "wall_s": round(time.monotonic() - started, 1),
    }
    print(f"RSS {base / MB:.1f} MB at {args.base} users -> {last / MB:.1f} MB at {args.users}: "
          f"growth {growth:+.1f} MB ({summary['bytes_per_user']} bytes/user); "
          f"open sessions in the store: {open_sessions}; "
          f"target < 20 MB: {'met' if summary['target']['met'] else 'MISSED'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
