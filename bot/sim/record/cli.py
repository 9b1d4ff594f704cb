"""`wxbot record LOG -o FILE`: one follower's recorded session -> a replayable fixture.

The conversion is convert.py's; the summary says how many values of each kind were replaced,
never which.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import yaml

from bot.backend import DEFAULT_SEED
from bot.backend.seed import SeedError
from bot.sim.record.convert import convert
from bot.sim.record.log import LogError, read_log, session_of
from bot.sim.record.recorder import LOG_NAME


@click.command("record")
@click.argument("log", type=click.Path(exists=True, path_type=Path))
@click.option("--user", "users", multiple=True, metavar="OPENID",
              help="Whose session to convert (repeat for several); default: the log's only one.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The fixture file to write (YAML).")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Seed to take stand-ins from (default: BOT_BACKEND_SEED).")
@click.option("--name", help="The fixture's name (default: 录制的会话 <date>).")
def record_command(log: Path, users: tuple[str, ...], output: Path, seed: Path | None,
                   name: str | None) -> None:
    """Turn a recorded session (BOT_RECORD_DIR's traffic.jsonl) into a conversation fixture.

    Recording is an opt-in developer tool for the test-account sandbox: set BOT_RECORD_DIR and
    the bot logs live traffic (ID numbers, names, codes) to a 0600 file. Keep that log on your
    machine; the fixture written here holds seed stand-ins instead, and the summary counts
    what was replaced without showing it.
    """
    path = log / LOG_NAME if log.is_dir() else log
    seed = seed or Path(os.environ.get("BOT_BACKEND_SEED") or DEFAULT_SEED)
    try:
        entries = read_log(path)
        chosen = list(users) or [session_of(entries, None)[0]]
        fixture, subs = convert(entries, chosen, seed, name)
    except (LogError, SeedError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    text = yaml.safe_dump(fixture, allow_unicode=True, sort_keys=False, width=100)
    output.write_text("# Written by `wxbot record`: personal data replaced by seed stand-ins.\n"
                      + text, encoding="utf-8")
    counts = ", ".join(f"{what}: {n}" for what, n in sorted(subs.counts.items()) if n)
    click.echo(f"wrote {output}: {len(fixture['steps'])} steps; replaced {counts or 'nothing'}")
    for role in subs.unmatched:
        click.echo(f"warning: no seed person could stand in for {role}; "
                   "that part may replay differently", err=True)
