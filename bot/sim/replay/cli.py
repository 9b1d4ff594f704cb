"""`wxbot replay PATH...`: run conversation fixtures; exit 0 all hold, 1 some fail, 2 misuse."""

from __future__ import annotations

import logging
import sys
from contextlib import nullcontext
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bot.sim.replay import report
from bot.sim.replay.coverage import Coverage
from bot.sim.replay.fixture import Fixture, FixtureError, discover, load_fixture
from bot.sim.replay.quiet import each_once
from bot.sim.replay.run import Failure, Outcome, replay
from bot.sim.targets.base import TargetError, TargetFactory
from bot.sim.targets.options import check_platform, platform_options


def load_all(paths: tuple[Path, ...], err: Console) -> tuple[list[Fixture], list[Outcome]]:
    """Every fixture under `paths`, and a failed outcome for each malformed one (exit 2: none)."""
    files = discover(paths)
    if not files:
        err.print("[red]error:[/] no fixtures (*.yaml, *.yml) found in the given paths")
        sys.exit(2)
    fixtures, broken = [], []
    for file in files:
        try:
            fixtures.append(load_fixture(file))
        except FixtureError as exc:
            err.print(f"[bold red]fixture error:[/] {escape(str(exc))}", highlight=False)
            failure = Failure(0, "load the fixture", "a well-formed fixture", str(exc))
            broken.append(Outcome(Fixture(file, file.name, []), 0, failure, 0.0))
    return fixtures, broken


def _progress(err: Console, total: int) -> Progress | nullcontext:
    if not err.is_terminal or total < 2:
        return nullcontext()
    return Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.description}"), console=err, transient=True)


@click.command("replay")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--url", help="Replay against a running bot (wxbot serve/demo): its base URL or "
              "its webhook URL (…/wechat).")
@platform_options
@click.option("--coverage", "want_coverage", is_flag=True,
              help="Print `transition coverage: N/M` and what was never reached (in process).")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write JUnit XML here, one testcase per fixture.")
def replay_command(paths: tuple[Path, ...], url: str | None, mode: str, token: str,
                   aes_key: str | None, app_id: str | None, want_coverage: bool,
                   junit: Path | None) -> None:
    """Replay conversation fixtures (files, or directories of *.yaml) and check every reply.

    In process by default: a fresh app per fixture with its seed, language and day. With --url,
    a running bot; with its simulator on, the backend is reset to each fixture's seed first.
    """
    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    if want_coverage and url:
        raise click.UsageError("--coverage needs the bot in process (drop --url)")
    check_platform(url, mode, aes_key, app_id)
    fixtures, broken = load_all(paths, err)
    from flows.registry import ALL_FLOWS

    cov = Coverage(list(ALL_FLOWS)) if want_coverage else None
    remote = None
    if url:
        from bot.sim.targets.remote import Remote

        remote = Remote(url, token, mode=mode, aes_key=aes_key, app_id=app_id)
        try:
            remote.probe()
        except TargetError as exc:
            remote.close()
            raise click.UsageError(str(exc)) from None
        if not remote.simulator:
            err.print("[yellow]warning:[/] no simulator API at the URL: the backend is not "
                      "reset, and {sms:…}, wait, review and state steps will fail")
        target_for = remote.for_run
    else:
        from bot.sim.targets.local import local_targets

        # The report names each fixture; the in-process simulator's step log would interleave.
        logging.getLogger("wxbot.sim").addHandler(logging.NullHandler())
        target_for = local_targets(mode=mode, coverage=cov)
    try:
        with each_once():
            outcomes = broken + _run(fixtures, target_for, out, err)
    finally:
        if remote is not None:
            try:
                remote.close()  # the server gets its clock, seed and language back
            except TargetError as exc:
                err.print(f"[yellow]warning:[/] the server was not put back: {escape(str(exc))}")
    report.failures(out, outcomes)
    report.totals(out, outcomes)
    if cov is not None:
        report.coverage(out, cov)
    if junit is not None:
        report.write_junit(junit, outcomes)
        err.print(f"wrote {junit}")
    sys.exit(0 if all(o.ok for o in outcomes) else 1)


def _run(fixtures: list[Fixture], target_for: TargetFactory, out: Console,
         err: Console) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with _progress(err, len(fixtures)) as bar:
        task = bar.add_task("", total=len(fixtures)) if bar else None
        try:
            for outcome in replay(fixtures, target_for):
                outcomes.append(outcome)
                # With both on one terminal, print above the bar so neither garbles the other.
                report.outcome_line(bar.console if bar and out.is_terminal else out, outcome)
                if bar:
                    bar.update(task, advance=1, description=outcome.fixture.name)
        except TargetError as exc:
            err.print(f"[bold red]error:[/] {exc}")
            sys.exit(2)
    return outcomes
