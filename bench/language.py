"""What the language stage costs: µs per message on a sentence workload, and the one-time build.

    python bench/language.py [--rounds 7] [--json bench/results/language.json]

The workload is every corpus line (both languages, every part) plus the same lines as phones
send them (a closing 。/！/？, full-width letters, a stray space), so the exact, sentence, fuzzy
and pinyin tiers all run. Each message is timed on its own with perf_counter; the figure is the
median over all messages and rounds, with the 90th percentile beside it. The build is measured
in a fresh interpreter (import and Understander() separately), so its memory is what one bot
process pays: the growth of the resident set (/proc/self/statm; ru_maxrss would carry the
parent's peak across fork and exec) over a bare interpreter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.language import Understander  # noqa: E402
from flows.language.evaluate import load_corpus  # noqa: E402

BUILD = """
import json, os, time
page = os.sysconf("SC_PAGE_SIZE") / 2**20
def rss(): return int(open("/proc/self/statm").read().split()[1]) * page
bare = rss(); t0 = time.perf_counter()
from flows.language import Understander
t1 = time.perf_counter(); imported = rss()
understander = Understander()
t2 = time.perf_counter()
understander.understand("帮我把社保卡绑到微信上")
print(json.dumps({"import_ms": 1e3 * (t1 - t0), "build_ms": 1e3 * (t2 - t1),
                  "import_mb": imported - bare, "build_mb": rss() - imported,
                  "total_mb": rss() - bare}))
"""


def workload() -> list[str]:
    """Corpus lines as typed, and as a phone or voice input would send them."""
    lines = [text for text, _ in load_corpus(part="all")[0]]
    wide = "".join(chr(c) for c in range(0x21, 0x7F)).maketrans(
        {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    return [*lines, *(f"{t}。" for t in lines), *(f" {t.translate(wide)}？" for t in lines)]


def per_message(understander: Understander, messages: list[str], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        for text in messages:
            start = time.perf_counter()
            understander.understand(text)
            timings.append(time.perf_counter() - start)
    return timings


def build_cost() -> dict[str, float]:
    """Import and build in a fresh interpreter: what each bot process pays once."""
    done = subprocess.run([sys.executable, "-c", BUILD], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    build = build_cost()
    understander = Understander()
    messages = workload()
    per_message(understander, messages, 1)  # warm up
    timings = sorted(per_message(understander, messages, args.rounds))
    summary = {
        "messages": len(messages),
        "rounds": args.rounds,
        "us_median": 1e6 * statistics.median(timings),
        "us_p90": 1e6 * timings[int(0.9 * len(timings))],
        **build,
    }
    print(f"{len(messages)} messages x {args.rounds} rounds")
    print(f"per message: median {summary['us_median']:.1f} µs, p90 {summary['us_p90']:.1f} µs "
          f"(target: median <= 50 µs)")
    print(f"once per process: import {build['import_ms']:.0f} ms / {build['import_mb']:.1f} MB, "
          f"build {build['build_ms']:.0f} ms / {build['build_mb']:.1f} MB "
          f"(total {build['total_mb']:.1f} MB)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
