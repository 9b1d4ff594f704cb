"""SQLite as a service: gunicorn -w 4 on a fresh data dir starts every time, files are private."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.servers import free_port, launch

pytestmark = pytest.mark.e2e  # starts gunicorn ten times: no clock promise, so no group

STARTS = 10
WORKERS = 4


def gunicorn_start(data: Path, log: Path) -> tuple[bool, str]:
    """Start gunicorn -w 4 on `data`; (every worker booted and the master kept running, log)."""
    port = free_port()
    env = {**os.environ, "WECHAT_TOKEN": "t", "BOT_DATA_DIR": str(data)}
    log.write_bytes(b"")
    proc = launch(["gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
                   "bot:create_app()"], env, log)
    try:
        deadline, answered = time.monotonic() + 60, 0
        while time.monotonic() < deadline and proc.poll() is None:
            text = log.read_text()
            if text.count("Booting worker") >= WORKERS and answered:
                time.sleep(1.0)  # a worker that fails after booting halts the master now
                break
            try:
                answered += requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok
            except requests.RequestException:  # not listening yet, or its worker still loading
                time.sleep(0.1)
        return proc.poll() is None and answered > 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(20)


@pytest.mark.skipif(shutil.which("gunicorn") is None and
                    subprocess.run([sys.executable, "-m", "gunicorn", "--version"],
                                   capture_output=True).returncode != 0,
                    reason="gunicorn is not installed")
def test_gunicorn_four_workers_start_every_time_on_a_fresh_data_dir(tmp_path):
    for start in range(STARTS):
        data = tmp_path / f"fresh{start}" / "data"
        ok, log = gunicorn_start(data, tmp_path / f"gunicorn{start}.log")
        assert ok, f"start {start} failed:\n{log[-3000:]}"
        assert data.stat().st_mode & 0o777 == 0o700
        for name in ("bot.sqlite3", "backend.sqlite3"):
            assert (data / name).stat().st_mode & 0o777 == 0o600, name
