"""One or more followers' recorded sessions -> a fixture (as data) that replays as it went.

Every personal value becomes a seed value of the same role (substitute.py), openids become
aliases, replies become stable key phrases (expectation.py), faults armed meanwhile become
`faults:` steps, and a reply that missed the deadline is expected through the API (`pushed:`).
The seed goes into the fixture so it travels: `wxbot:NAME` for a shipped one, else embedded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.backend.seed import read_seed
from bot.sim.record.expectation import expectation
from bot.sim.record.log import UNKNOWN, Entry, session_of, settled
from bot.sim.record.roles import PREBOUND, analyse
from bot.sim.record.seedbook import SeedBook, card_fits
from bot.sim.record.substitute import Substitutes
from bot.sim.targets.seeds import reference_for
from bot.sim.wire.shorthand import EventError, parse_event
from flows.catalog import DEFAULT_LANG, LANGS, Catalog

WAIT_FROM = 30  # seconds of silence worth replaying (code resend gap, expiry, session TTL)
KEYED_EVENTS = {"click": "click", "view": "view", "scan": "scan"}
BARE_MESSAGES = ("image", "video", "shortvideo", "location", "link", "file", "voice")
DEFAULT_DEADLINE = 4.0  # the bot's BOT_REPLY_DEADLINE unless set: no need to write it down
SOMETHING = {"regex": r"\S"}  # a late reply whose text the log did not keep


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


def seed_field(seed: Path, raw: Any) -> str | dict:
    """How the fixture names its seed: the shipped one by name, any other one embedded."""
    return reference_for(seed) or dict(raw)


def convert(entries: list[Entry], users: list[str], seed: Path, name: str | None = None, *,
            final: dict[str, Any] | None = None) -> tuple[dict, Substitutes]:
    """The fixture (as data) for these followers' messages, and what was replaced.

    `final`: openid -> where each follower stands now, when known (the page knows it), so a
    last reply that went out late is checked against where its turn really ended.
    """
    sessions = [settled(session_of(entries, user)[1], (final or {}).get(user, UNKNOWN))
                for user in users]
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
    steps: list[dict[str, Any]] = []
    last, deadlines = mine[0].at, set()
    for entry in mine:
        steps += [{"faults": fault} for fault in entry.faults]
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
        if entry.late is not None:  # answered `success`; the reply came through the API
            deadlines.add(entry.late)
            step["pushed"] = expectation(entry.pushed, lang, subs.personal) \
                if entry.pushed else SOMETHING
        step["state"] = _state(entry)
        steps.append(step)
    subs.counts["openids"] = len(users)
    fixture: dict[str, Any] = {"name": name or f"录制的会话 {today.isoformat()}", "today": today,
                               "seed": seed_field(seed, raw), "lang": lang}
    deadline = min(deadlines, default=DEFAULT_DEADLINE)
    if deadline != DEFAULT_DEADLINE and 0 < deadline < 5:
        fixture["reply_deadline"] = deadline  # so the same turns miss it in replay
    fixture.update({"users": {aliases[u]: openids[u] for u in users}, "steps": steps})
    return fixture, subs
