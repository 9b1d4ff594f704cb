"""Prometheus' multiprocess mode under gunicorn: one directory of counter files per server.

Each worker writes its counters to files there and `/metrics` sums them (bot/metrics.py), so
a scrape sees the whole server whichever worker answers. bot/server/gunicorn_conf.py calls
`multiprocess_metrics()` before its other imports and `worker_gone` from its `child_exit`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.config import merged
from bot.sqlitedb import private_dir

MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_metrics() -> None:
    """Every worker's metrics in files, summed at /metrics (bot/metrics.py).

    prometheus_client chooses its multiprocess mode once, when first imported: so in the
    master, before anything imports it, the directory is named (BOT_DATA_DIR/metrics unless
    set) and last run's files removed (they would be summed into this run's). A process that
    already imported it (a test reading these settings) is left as it is.
    """
    if "prometheus_client" in sys.modules:
        return
    if not os.environ.get(MULTIPROC):
        data = merged()["BOT_DATA_DIR"]
        private_dir(data)
        os.environ[MULTIPROC] = str(Path(data).resolve() / "metrics")
    folder = Path(os.environ[MULTIPROC])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink(missing_ok=True)


def worker_gone(pid: int) -> None:
    """A worker exited: its live gauges stop counting (the prometheus_client docs' hook)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)
