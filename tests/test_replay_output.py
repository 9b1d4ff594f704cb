"""`wxbot replay` output: each warning once, each error once, however many apps it builds."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections import Counter

from tests.conftest import ROOT

PROJECT = ROOT / "fixtures" / "conversations"
MEMORY = "BOT_STORE=memory:// keeps conversations in this process only"
NO_KEY = "BOT_STORE_KEY is not set"


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
    # Its own throwaway stores: no word about what they keep (a server's store still warns)
    assert not [line for line in warnings if MEMORY in line or NO_KEY in line], warnings
    assert both.count("steps[1].sned: unknown key") == 1  # the broken fixture, said once
    assert both.count("不会出现的话") == 1  # the failing step's expectation, said once


def test_only_replays_throwaway_store_is_not_warned_about(make_app, caplog):
    """serve and demo (no THROWAWAY_STORE) still warn of memory:// and of no BOT_STORE_KEY;
    replay's in-process app, whose store goes with the run, says neither."""
    caplog.set_level(logging.WARNING, logger="bot.app")
    make_app(BOT_STORE="memory://", THROWAWAY_STORE=True)
    assert MEMORY not in caplog.text and NO_KEY not in caplog.text
    make_app(BOT_STORE="memory://")
    assert MEMORY in caplog.text and NO_KEY in caplog.text
