"""Does the bot's memory stay flat as open conversations pile up? RSS at 100 and 10,000 users.

    python bench/memory.py [--users 10000] [--base 100] [--store sqlite|memory] [--json FILE]

Each distinct user sends 绑定社保卡 and then an ID number, which leaves a conversation open
(waiting for the name) for every one of them. Sessions live in the SQLite store, so the
process's resident memory should not grow with them; `--store memory` shows the contrast.
RSS is read from /proc after a full garbage collection, at `--base` users and at `--users`
(and a few points between), and the open sessions are counted in the store at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from workload import Signer, bot_config, call, machine, people, rss_bytes, write_seed

from bot import create_app
from bot.app import bot_of

MB = 1024 * 1024


def main(argv: list[str] | None = None) -> int:
    """Open `--users` conversations and report RSS growth from `--base` users on."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--base", type=int, default=100, help="users at the first reading")
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    started = time.monotonic()
    persons = people(args.users)
    checkpoints = sorted({args.base, *(n for n in (1000, 2500, 5000) if n < args.users),
                          args.users})
    readings: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="wxbot-memory-") as tmp:
        seed = write_seed(Path(tmp) / "seed.yaml", persons[:10])  # IDs need no record to be asked
        config = bot_config(Path(tmp), seed)
        if args.store == "memory":
            config["BOT_STORE"] = "memory://"
        app = create_app(config)
        signer = Signer("plaintext")
        try:
            for i in range(-20, args.users):  # 20 warm-up users first (imports, caches)
                user = f"oMem{i:+07d}"
                for text in ("绑定社保卡", persons[i % len(persons)].id_number):
                    status, body = call(app, signer.environ(user, text))
                    if status != 200 or b"<Content>" not in body:
                        raise RuntimeError(f"{user}: HTTP {status} {body[:120]!r}")
                if i + 1 in checkpoints:
                    gc.collect()
                    readings[i + 1] = rss_bytes()
                    print(f"{i + 1:>6} users: RSS {readings[i + 1] / MB:.1f} MB", file=sys.stderr)
            open_sessions = None
            if args.store == "sqlite":
                with sqlite3.connect(Path(tmp) / "bot.sqlite3") as db:
                    (open_sessions,) = db.execute(
                        "SELECT COUNT(*) FROM sessions WHERE user LIKE 'oMem+%' "
                        "AND data LIKE '%\"state\": \"ask_name\"%'").fetchone()
        finally:
            bot_of(app).close()

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
