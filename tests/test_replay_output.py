"""`wxbot replay` output: each warning once, each error once, however many apps it builds."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

from tests.conftest import ROOT

PROJECT = ROOT / "fixtures" / "conversations"
MEMORY = "BOT_STORE=memory:// keeps conversations in this process only"


def test_a_replay_of_several_fixtures_says_each_warning_and_error_once(tmp_path):
    (tmp_path / "broken.yaml").write_text("name: broken\nsteps:\n  - sned: hi\n",
                                          encoding="utf-8")
    (tmp_path / "wrong.yaml").write_text(
        "name: wrong\nsteps:\n  - send: 绑定社保卡\n    expect: 不会出现的话\n", encoding="utf-8")
    fixtures = [PROJECT / f"{name}.yaml" for name in ("bind_adult", "help_cancel_menu",
                                                      "unbind", "reset_adult")]
    done = subprocess.run([sys.executable, "-m", "bot", "replay", *map(str, fixtures),
                           str(tmp_path)], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stdout + done.stderr
    both = done.stdout + done.stderr
    assert "6 fixtures: 4 passed, 2 failed" in done.stdout
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    repeated = {line: n for line, n in Counter(warnings).items() if n > 1}
    assert not repeated, repeated  # five apps were built: each said the same things
    assert sum(MEMORY in line for line in warnings) == 1
    assert both.count("steps[1].sned: unknown key") == 1  # the broken fixture, said once
    assert both.count("不会出现的话") == 1  # the failing step's expectation, said once
