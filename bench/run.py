"""Per-message cost of the bot against the echo floor and WeRoBot, in process, interleaved.

    python bench/run.py [--users 300] [--rounds 7] [--json bench/results/run.json]

Every contender walks the same bind-card dialog for `--users` users (five messages each,
all users at step 1, then all at step 2, ... so sessions are read back from the store between
turns) over bare WSGI with signed requests. Rounds alternate between the contenders, the
order rotating each round, so machine noise falls on all of them alike. Only the WSGI calls
are timed: requests are signed (and sealed) beforehand, the SMS codes read from each
contender's outbox between steps, and every reply and every binding checked afterwards.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from contenders import BotContender, Contender, FloorContender, PeerContender
from workload import STEPS, Person, call, machine, people, write_seed

NAMES = ("bot", "bot-safe", "floor", "floor-safe", "werobot", "bot-memstore")
TARGETS = {  # ratio name -> the most it may be (issue 22; issue 6 had 2.0, 0.5 and 1.25)
    "bot/floor": 2.5,
    "bot/werobot": 0.45,
    "bot-safe/bot": 1.15,
}
P99_TARGET_US = 2000.0  # the bot's p99 per call (issue 22), over every call of every round
RATIOS = {**{k: k.split("/") for k in TARGETS}, "floor-safe/floor": ["floor-safe", "floor"],
          "bot/bot-memstore": ["bot", "bot-memstore"]}


class BenchError(RuntimeError):
    """A contender answered wrongly: its numbers would mean nothing."""


@dataclass
class Round:
    """One contender's timings for one round."""

    calls: list[float] = field(default_factory=list)  # seconds per WSGI call
    steps: list[float] = field(default_factory=lambda: [0.0] * len(STEPS))

    @property
    def us_per_msg(self) -> float:
        return 1e6 * sum(self.calls) / len(self.calls)


def run_round(contender: Contender, users: list[tuple[str, Person]]) -> Round:
    """Walk every user through the five steps, step by step; time only the WSGI calls."""
    result, app = Round(), contender.app
    for step in range(len(STEPS)):
        envs = [
            contender.signer.environ(
                user, person.says(step, contender.code(user, person) if step == 4 else "")
            )
            for user, person in users
        ]
        answers, timings = [], []
        for env in envs:
            start = time.perf_counter()
            answers.append(call(app, env))
            timings.append(time.perf_counter() - start)
        result.calls += timings
        result.steps[step] = sum(timings)
        for (user, _), (status, body) in zip(users, answers, strict=True):
            problem = contender.check_reply(status, body)
            if problem:
                raise BenchError(f"{contender.name}, {user}, step {STEPS[step]}: {problem}")
    problem = contender.check_round(users)
    if problem:
        raise BenchError(f"{contender.name}: {problem}")
    return result


def make_contenders(names: list[str], workdir: Path, seed: Path) -> list[Contender]:
    """The named contenders, built once (apps, stores and backends live across rounds)."""
    makers = {
        "bot": lambda: BotContender(workdir, seed, safe=False),
        "bot-safe": lambda: BotContender(workdir, seed, safe=True),
        "floor": lambda: FloorContender(safe=False),
        "floor-safe": lambda: FloorContender(safe=True),
        "werobot": lambda: PeerContender(workdir / "werobot"),
        "bot-memstore": lambda: BotContender(workdir, seed, safe=False, memory_store=True),
    }
    return [makers[name]() for name in names]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summarize(rounds: dict[str, list[Round]], users: int) -> dict:
    """Medians over rounds per contender, and per-round ratios (their median and range)."""
    out: dict = {"contenders": {}, "ratios": {}, "targets": {}}
    for name, done in rounds.items():
        per_round = [r.us_per_msg for r in done]
        calls = [c for r in done for c in r.calls]
        us = statistics.median(per_round)
        out["contenders"][name] = {
            "us_per_msg": round(us, 1),
            "msgs_per_s": round(1e6 / us),
            "min_us": round(min(per_round), 1),
            "max_us": round(max(per_round), 1),
            "p50_us": round(1e6 * percentile(calls, 50), 1),
            "p99_us": round(1e6 * percentile(calls, 99), 1),
            "per_round_us": [round(x, 1) for x in per_round],
            "per_step_us": {
                step: round(1e6 * statistics.median(r.steps[i] for r in done) / users, 1)
                for i, step in enumerate(STEPS)
            },
        }
    for ratio, (top, bottom) in RATIOS.items():
        if top in rounds and bottom in rounds:
            each = [a.us_per_msg / b.us_per_msg
                    for a, b in zip(rounds[top], rounds[bottom], strict=True)]
            out["ratios"][ratio] = {"median": round(statistics.median(each), 3),
                                    "min": round(min(each), 3), "max": round(max(each), 3)}
            if ratio in TARGETS:
                out["targets"][ratio] = {"at_most": TARGETS[ratio],
                                         "met": statistics.median(each) <= TARGETS[ratio]}
    return out


def report(summary: dict) -> str:
    """The summary as a plain table for the terminal."""
    lines = [f"{'contender':<11} {'us/msg':>8} {'msgs/s':>7} {'min':>8} {'max':>8} "
             f"{'p50 us':>8} {'p99 us':>8}   per step (us): " + " ".join(STEPS)]
    for name, c in summary["contenders"].items():
        steps = " ".join(f"{v:.0f}" for v in c["per_step_us"].values())
        lines.append(f"{name:<11} {c['us_per_msg']:>8.1f} {c['msgs_per_s']:>7} {c['min_us']:>8.1f}"
                     f" {c['max_us']:>8.1f} {c['p50_us']:>8.1f} {c['p99_us']:>8.1f}   {steps}")
    lines.append("")
    for ratio, r in summary["ratios"].items():
        target = summary["targets"].get(ratio)
        verdict = ""
        if target:
            verdict = f"  target <= {target['at_most']}: {'met' if target['met'] else 'MISSED'}"
        lines.append(f"{ratio:<17} {r['median']:.3f}  (rounds {r['min']:.3f}..{r['max']:.3f})"
                     f"{verdict}")
    if "bot" in summary["contenders"]:
        p99 = summary["contenders"]["bot"]["p99_us"]
        met = "met" if p99 < P99_TARGET_US else "MISSED"
        lines.append(f"{'p99 bot':<17} {p99 / 1000:.2f} ms  "
                     f"target < {P99_TARGET_US / 1000:g} ms: {met}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse options, run warm-up and rounds interleaved, print (and save) the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300, help="users per round (default 300)")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--warmup-users", type=int, default=30,
                        help="users in the untimed warm-up round (default 30)")
    parser.add_argument("--only", default=",".join(NAMES),
                        help=f"comma-separated contenders (default {','.join(NAMES)})")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        parser.error(f"unknown contenders {unknown}; known: {', '.join(NAMES)}")

    started = time.monotonic()
    persons = people(args.users)
    with tempfile.TemporaryDirectory(prefix="wxbot-bench-") as tmp:
        workdir = Path(tmp)
        seed = write_seed(workdir / "seed.yaml", persons)
        print(f"building {', '.join(names)} (seeding {len(persons)} cards)...", file=sys.stderr)
        contenders = make_contenders(names, workdir, seed)
        try:
            rounds: dict[str, list[Round]] = {c.name: [] for c in contenders}
            for r in range(-1, args.rounds):  # round -1: warm-up, not counted
                count = args.warmup_users if r < 0 else args.users
                order = contenders[r % len(contenders):] + contenders[:r % len(contenders)]
                for contender in order:
                    contender.begin_round()
                    users = [(f"oBench{r + 1:03d}u{i:06d}", p)
                             for i, p in enumerate(persons[:count])]
                    done = run_round(contender, users)
                    if r >= 0:
                        rounds[contender.name].append(done)
                print(f"round {r + 1}/{args.rounds} done" if r >= 0 else "warm-up done",
                      file=sys.stderr)
        finally:
            for contender in contenders:
                contender.close()
    summary = {"machine": machine(),
               "params": {"users": args.users, "rounds": args.rounds,
                          "messages_per_user": len(STEPS), "warmup_users": args.warmup_users},
               **summarize(rounds, args.users),
               "wall_s": round(time.monotonic() - started, 1)}
    print(report(summary))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
