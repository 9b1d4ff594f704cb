"""Where the bot's per-message time goes: cProfile over the in-process bind-card workload.

    python bench/profile.py [--users 300] [--safe] [--top 30] [--out bench/results/bot.prof]

Runs one untimed warm-up round, then profiles one round of the same workload as run.py (only
the WSGI calls are inside the profiler), and prints the top functions by own time and by
cumulative time, plus own time grouped by area (SQLite, Flask/Werkzeug, wechatpy, flows...).
Then, since cProfile sees SQLite as one opaque C call, a second (unprofiled) round times every
SQL statement by database file, with the COMMIT latencies of each file.
"""

from __future__ import annotations

import argparse
import io
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from contenders import BotContender
from run import Round
from workload import RESULTS, STEPS, Person, call, people, write_seed

# Own time is charged to the first area whose marker is in the function's file (or name).
AREAS = (
    ("sqlite3 (C calls)", "sqlite3.Connection"),
    ("sqlite3 (C calls)", "sqlite3.Cursor"),
    ("bot.store", "/bot/store/"),
    ("bot.backend", "/bot/backend/"),
    ("bot.protocol / webhook", "/bot/protocol/"),
    ("bot.protocol / webhook", "/bot/server/webhook.py"),
    ("bot.window.engine", "/bot/window/engine.py"),
    ("flows", "/flows/"),
    ("transitions", "/transitions/"),
    ("wechatpy", "/wechatpy/"),
    ("xmltodict / expat", "xmltodict"),
    ("xmltodict / expat", "pyexpat"),
    ("crypto", "/cryptography/"),
    ("flask", "/flask/"),
    ("werkzeug", "/werkzeug/"),
    ("json", "/json/"),
    ("logging", "/logging/"),
    ("contextlib / threading", "/contextlib.py"),
    ("contextlib / threading", "/threading.py"),
)


def _stdlib_profiler() -> tuple[ModuleType, ModuleType]:
    """cProfile and pstats, with this file's directory off sys.path first.

    Run as `python bench/profile.py`, this file would shadow the stdlib `profile` module that
    cProfile imports; dropping bench/ from sys.path once our own imports are done avoids it.
    """
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.modules.pop("profile", None)
    import cProfile
    import pstats

    return cProfile, pstats


def area(func: tuple[str, int, str]) -> str:
    """The area a profiled function belongs to, by its file (or built-in's name)."""
    where = f"{func[0]}:{func[2]}"
    for name, marker in AREAS:
        if marker in where:
            return name
    return "other" if func[0] != "~" else f"built-in: {func[2]}"


class TurnProfiles:
    """cProfile sees only the thread it runs in; each turn runs on the engine's worker pool
    (bot/window/workers.py), so every worker thread gets a profiler of its own while `on`."""

    def __init__(self, cprofile: ModuleType) -> None:
        self.cprofile, self.local, self.all, self.on = cprofile, threading.local(), [], False

    def install(self) -> None:
        from bot.window.workers import Window

        run = Window._run

        def profiled(window: Window, work: Any, flight: Any) -> None:
            if not self.on:
                return run(window, work, flight)
            prof = getattr(self.local, "prof", None)
            if prof is None:
                prof = self.local.prof = self.cprofile.Profile()
                self.all.append(prof)
            prof.enable()
            try:
                return run(window, work, flight)
            finally:
                prof.disable()

        Window._run = profiled  # type: ignore[method-assign]


def profiled_round(contender: BotContender, users: list[tuple[str, Person]], profiler: Any
                   ) -> Round:
    """run.run_round, with the profiler enabled around the WSGI calls only."""
    result, app = Round(), contender.app
    contender.begin_round()
    for step in range(len(STEPS)):
        envs = [contender.signer.environ(
            user, person.says(step, contender.code(user, person) if step == 4 else ""))
            for user, person in users]
        start = time.perf_counter()
        profiler.enable()
        answers = [call(app, env) for env in envs]
        profiler.disable()
        result.steps[step] = time.perf_counter() - start
        bad = [a for a in answers if contender.check_reply(*a)]
        if bad:
            raise RuntimeError(f"step {STEPS[step]}: {bad[0]}")
    problem = contender.check_round(users)
    if problem:
        raise RuntimeError(problem)
    return result


class _TimedConnection(sqlite3.Connection):
    """A connection that charges each execute to (database file, statement)."""

    spent: ClassVar[dict[tuple[str, str], list[float]]] = defaultdict(list)
    file = "?"

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        start = time.perf_counter()
        try:
            return super().execute(sql, *args)
        finally:
            statement = re.sub(r"\s+", " ", sql).strip()[:64]
            self.spent[(self.file, statement)].append(time.perf_counter() - start)


def sql_round(persons: list[Person], safe: bool, top: int) -> None:
    """Run one round with every SQLite connection timed; print where the SQL time goes."""
    connect = sqlite3.connect

    def timed_connect(path: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        base = kwargs.pop("factory", sqlite3.Connection)  # bot/sqlitedb.py's pooled class
        timed = type("Timed" + base.__name__, (_TimedConnection, base), {})
        conn = connect(path, *args, factory=timed, **kwargs)
        conn.file = Path(str(path)).name
        return conn

    sqlite3.connect = timed_connect  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory(prefix="wxbot-profile-sql-") as tmp:
            seed = write_seed(Path(tmp) / "seed.yaml", persons)
            contender = BotContender(Path(tmp), seed, safe=safe)
            try:
                warm = [(f"oWarm{i:06d}", p) for i, p in enumerate(persons[:30])]
                profiled_round(contender, warm, _NoProfiler())
                _TimedConnection.spent.clear()
                users = [(f"oSql{i:06d}", p) for i, p in enumerate(persons)]
                profiled_round(contender, users, _NoProfiler())
            finally:
                contender.close()
    finally:
        sqlite3.connect = connect  # type: ignore[assignment]
    messages = len(persons) * len(STEPS)
    spent = _TimedConnection.spent
    total = sum(sum(v) for v in spent.values())
    print(f"\n--- SQL: {1e6 * total / messages:.0f} us/msg in "
          f"{sum(len(v) for v in spent.values()) / messages:.1f} statements/msg ---")
    for (file, statement), times in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:top]:
        print(f"{1e6 * sum(times) / messages:7.1f} us/msg {len(times):6d} x "
              f"{1e6 * statistics.mean(times):6.1f} us  {file:<16} {statement}")
    for (file, statement), times in spent.items():
        if statement == "COMMIT":
            ordered = sorted(times)
            print(f"COMMIT latency in {file}: median {1e6 * ordered[len(ordered) // 2]:.0f} us, "
                  f"mean {1e6 * statistics.mean(ordered):.0f} us, p99 "
                  f"{1e6 * ordered[int(0.99 * (len(ordered) - 1))]:.0f} us, "
                  f"{len(ordered) / messages:.2f} per message")


class _NoProfiler:
    """Stands in for a profiler where only the SQL timing is wanted."""

    def enable(self) -> None:
        pass

    def disable(self) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    """Profile one round of the bot and print what dominates."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--safe", action="store_true", help="profile safe mode instead")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-sql", action="store_true", help="skip the SQL timing round")
    parser.add_argument("--out", type=Path, default=RESULTS / "bot.prof",
                        help="where to save the raw profile (for snakeviz, pstats)")
    args = parser.parse_args(argv)
    cprofile, pstats = _stdlib_profiler()
    turns = TurnProfiles(cprofile)
    turns.install()

    persons = people(args.users)
    with tempfile.TemporaryDirectory(prefix="wxbot-profile-") as tmp:
        seed = write_seed(Path(tmp) / "seed.yaml", persons)
        contender = BotContender(Path(tmp), seed, safe=args.safe)
        try:
            warm = [(f"oWarm{i:06d}", p) for i, p in enumerate(persons[:30])]
            profiled_round(contender, warm, cprofile.Profile())  # warm-up, discarded
            profiler = cprofile.Profile()
            users = [(f"oProf{i:06d}", p) for i, p in enumerate(persons)]
            turns.on = True
            done = profiled_round(contender, users, profiler)
            turns.on = False
        finally:
            contender.close()
    messages = len(users) * len(STEPS)
    print(f"{contender.name}: {messages} messages, {1e6 * sum(done.steps) / messages:.0f} us/msg "
          "under the profiler (slower than unprofiled)\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(args.out)

    stats = pstats.Stats(profiler)
    for prof in turns.all:  # the turns' threads beside the request thread
        stats.add(prof)
    # The request thread's wait for its turn is "acquire" of a lock: time the turn's own
    # rows already count, so it is left out of the shares below.
    stats.stats = {f: row for f, row in stats.stats.items()
                   if f[2] != "<method 'acquire' of '_thread.lock' objects>"}
    total = sum(row[2] for row in stats.stats.values())  # own time of everything
    by_area: dict[str, float] = defaultdict(float)
    for func, row in stats.stats.items():
        by_area[area(func)] += row[2]
    print("own time by area (share of all profiled time, us per message):")
    for name, own in sorted(by_area.items(), key=lambda kv: -kv[1])[:20]:
        print(f"  {100 * own / total:5.1f}%  {1e6 * own / messages:7.1f}  {name}")
    others = sorted(((row[2], func) for func, row in stats.stats.items()
                     if area(func) == "other"), reverse=True)[:12]
    print("\n'other', its largest own times (us per message):")
    for own, (path, line, name) in others:
        print(f"  {1e6 * own / messages:7.1f}  {Path(path).name}:{line}({name})")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats.stream = out
        stats.strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"\n--- top {args.top} by {order} ---")
        text = out.getvalue()
        print(text[text.find("   ncalls"):].rstrip())
    print(f"raw profile: {args.out}", file=sys.stderr)
    if not args.no_sql:
        sql_round(persons, args.safe, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
