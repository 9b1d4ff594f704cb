"""`wxbot record LOG -o FILE`: one follower's recorded session -> a replayable fixture.

Every personal value becomes a seed value of the same role (bot/sim/record/substitute.py), openids
become aliases, replies become stable key phrases (bot/sim/record/expectation.py), and the summary
says how many values of each kind were replaced, never which.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import yaml

from bot.backend import DEFAULT_SEED
from bot.backend.seed import SeedError, read_seed
from bot.sim.record.expectation import expectation
from bot.sim.record.log import Entry, LogError, read_log, session_of
from bot.sim.record.recorder import LOG_NAME
from bot.sim.record.roles import PREBOUND, analyse
from bot.sim.record.seedbook import SeedBook, card_fits
from bot.sim.record.substitute import Substitutes
from bot.sim.wire.shorthand import EventError, parse_event
from flows.catalog import DEFAULT_LANG, LANGS, Catalog

WAIT_FROM = 30  # seconds of silence worth replaying (code resend gap, expiry, session TTL)
KEYED_EVENTS = {"click": "click", "view": "view", "scan": "scan"}
BARE_MESSAGES = ("image", "video", "shortvideo", "location", "link", "file", "voice")


def gesture(entry: Entry, said: str | None) -> Any:
    """The fixture's `event:` for a push (None to skip it); media and places stay generic."""
    if entry.kind == "voice" and said is not None:
        return {"voice": said}
    if entry.kind in BARE_MESSAGES:
        return entry.kind
    event, key = entry.event, str(entry.fields.get("EventKey") or "")
    if event in ("subscribe", "subscribe_scan"):
        return {"subscribe": key.removeprefix("qrscene_")} if key else "subscribe"
    if event in KEYED_EVENTS:
        return {KEYED_EVENTS[event]: key}
    if event == "location":
        return "report_location"
    try:
        parse_event(event)
    except EventError:
        return None
    return event


def _state(entry: Entry) -> str:
    after = entry.after
    return f"{after['flow']}.{after['state']}" if after else "none"


def convert(entries: list[Entry], users: list[str], seed: Path, out: Path,
            name: str | None = None) -> tuple[dict, Substitutes]:
    """The fixture (as data) for these followers' messages, and what was replaced."""
    sessions = [session_of(entries, user)[1] for user in users]
    mine = sorted((e for s in sessions for e in s), key=lambda e: e.at)
    lang = mine[0].lang if mine[0].lang in LANGS else DEFAULT_LANG
    catalog, today = Catalog(lang), mine[0].day
    analyses = [analyse(s, catalog) for s in sessions]
    merged = analyses[0]
    for extra in analyses[1:]:
        for rid, wanted in extra.people.items():
            merged.people.setdefault(rid, wanted)
    raw = read_seed(seed)
    passwords = {str(c["card_number"]): str(c.get("password")) for c in raw.get("cards") or []}
    subs = Substitutes(merged, SeedBook(raw, today), passwords, lang)
    answers = {id(e): a for s, an in zip(sessions, analyses, strict=True)
               for e, a in zip(s, an.answers, strict=True)}
    aliases = {user: f"user{i}" if len(users) > 1 else "user" for i, user in enumerate(users, 1)}
    openids = {user: f"oRecorded{i:04d}" for i, user in enumerate(users, 1)}
    stand_in = subs.stand_in.get(PREBOUND)
    for user, analysis in zip(users, analyses, strict=True):
        if PREBOUND in analysis.people and stand_in:
            card = next(c for c in stand_in.cards if card_fits(c, "bound"))
            openids[user] = str(card["bound_openid"])  # the seed's account with a card bound
    said = {id(e): subs.replace(answers[id(e)], e.said) for e in mine
            if e.said is not None and answers[id(e)].role not in ("keyword", "text", "event")}
    said.update({id(e): subs.scrub(e.said) for e in mine
                 if e.said is not None and id(e) not in said})
    steps, last = [], mine[0].at
    for entry in mine:
        step: dict[str, Any] = {"as": aliases[entry.openid]} if len(users) > 1 else {}
        if entry.at - last >= WAIT_FROM:
            step["wait"] = int(entry.at - last)
        last = entry.at
        if entry.kind == "text":
            step["send"] = said[id(entry)]
        elif (event := gesture(entry, said.get(id(entry)))) is not None:
            step["event"] = event
        else:
            subs.counts["pushes skipped (no fixture form)"] += 1
            continue
        step["expect"] = expectation(entry.reply, lang, subs.personal)
        step["state"] = _state(entry)
        steps.append(step)
    subs.counts["openids"] = len(users)
    fixture = {"name": name or f"录制的会话 {today.isoformat()}", "today": today,
               "seed": os.path.relpath(seed.resolve(), out.resolve().parent), "lang": lang,
               "users": {aliases[u]: openids[u] for u in users}, "steps": steps}
    return fixture, subs


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
        fixture, subs = convert(entries, chosen, seed, output, name)
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
