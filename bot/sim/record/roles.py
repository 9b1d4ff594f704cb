"""What each recorded answer was, and what the conversation showed of each person in it.

The step a message answered (`before`) says what the text is (an ID number at ask_id, a card
number at ask_card, a code at ask_code...); where the answer led (`outcome`) says whether it was
accepted and, for the branches, what kind of person gave it (a minor, a lost card, no phone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.sim.record.log import Entry
from bot.sim.record.seedbook import Wanted
from flows.catalog import Catalog
from flows.ids import age_on, birth_date, fold
from flows.passwords import weakness
from flows.verify import checked_id

PREBOUND = "@prebound"  # the holder of a card bound to the account before the recording
ID_STATES = {"ask_id": "id", "ask_guardian": "guardian"}
OTHER_STATES = {"ask_name": "name", "ask_card": "card", "ask_code": "code",
                "ask_password": "password", "ask_confirm": "confirm", "ask_reason": "reason"}
SUBJECT = {  # (flow, step, where it led) -> what that says of the holder
    ("bind_card", "ask_card", "ask_code"): {"card": "active", "phone": True},
    ("bind_card", "ask_card", "code_locked"): {"card": "active", "phone": True},
    ("bind_card", "ask_card", "ask_guardian"): {"card": "active"},
    ("bind_card", "ask_card", "card_lost"): {"card": "lost"},
    ("bind_card", "ask_card", "card_frozen"): {"card": "frozen"},
    ("bind_card", "ask_card", "card_bound"): {"card": "bound"},
    ("bind_card", "ask_card", "no_phone"): {"card": "active", "phone": False},
    ("forgot_password", "ask_name", "ask_code"): {"card": "any", "phone": True},
    ("forgot_password", "ask_name", "code_locked"): {"card": "any", "phone": True},
    ("forgot_password", "ask_name", "ask_guardian"): {"card": "any"},
    ("forgot_password", "ask_name", "ask_reason"): {"card": "any", "phone": False},
    ("forgot_password", "ask_name", "no_card"): {"card": "none"},
}
GUARDIAN_PHONE = {"ask_code": True, "code_locked": True, "no_phone": False, "ask_reason": False}


@dataclass
class Answer:
    """One message's role: what its text is, whose it is, and whether the bot took it."""

    role: str  # id bad_id name card guardian code password confirm reason keyword text event
    owner: str | None = None  # the recorded ID number the value belongs to
    ok: bool = True
    detail: str | None = None  # why an ID or a password was refused (a catalog key)


@dataclass
class Analysis:
    answers: list[Answer] = field(default_factory=list)
    people: dict[str, Wanted] = field(default_factory=dict)  # recorded ID -> what it showed


def _learn(people: dict[str, Wanted], who: str, facts: dict) -> None:
    wanted = people[who]
    if facts.get("card") and wanted.card in (None, "any"):
        wanted.card = facts["card"]
    if facts.get("phone") is not None and wanted.phone is None:
        wanted.phone = facts["phone"]


def analyse(entries: list[Entry], catalog: Catalog) -> Analysis:
    """Walk one follower's session in order, keeping who the holder and guardian are."""
    out = Analysis()
    subject = guardian = holder = None  # holder: whose card this account has bound
    flow = None
    for entry in entries:
        restarted = entry.said is None and entry.after != entry.before  # e.g. a menu click
        if entry.before is None or entry.flow != flow or restarted:
            subject = guardian = None  # a new conversation: its own holder and guardian
        flow = (entry.after or {}).get("flow")
        state, outcome, said = entry.state, entry.outcome, entry.said
        if entry.before is None and entry.after == {"flow": "unbind", "state": "ask_code"}:
            if holder is None:
                holder = PREBOUND
                out.people.setdefault(PREBOUND, Wanted(adult=True, prebound=True))
            _learn(out.people, holder, {"phone": True})
        if said is None:
            out.answers.append(Answer("event"))
            continue
        role = ID_STATES.get(state or "") or OTHER_STATES.get(state or "", "text")
        if catalog.command(said) is not None or role == "text":
            out.answers.append(Answer("keyword" if catalog.command(said) else "text"))
            continue
        ok = outcome not in (state, "failed")
        answer = Answer(role, subject, ok)
        if role in ("id", "guardian"):
            number, error = checked_id(said, entry.day)
            if error:
                answer = Answer("bad_id", None, False, error)
            elif role == "id":
                subject = answer.owner = number
            elif ok:
                guardian = answer.owner = number
        if answer.owner and answer.owner not in out.people and answer.role != "bad_id":
            out.people[answer.owner] = Wanted(adult=age_on(answer.owner, entry.day) >= 18)
        if role == "code":
            answer.owner = holder if entry.flow == "unbind" else guardian or subject
            answer.ok = ok and outcome not in ("code_locked", "ask_reason")
        elif role == "password" and subject:
            typed = fold(said)
            answer.ok = outcome == "ask_confirm"
            answer.detail = None if answer.ok else (
                weakness(typed, birth_date(subject)) or "reset.pw_current")
        elif role == "confirm":
            answer.ok = outcome == "done"
        if subject and (facts := SUBJECT.get((entry.flow or "", state or "", outcome or ""))):
            _learn(out.people, subject, facts)
        if role == "guardian" and answer.owner and subject:
            minors = out.people[answer.owner].guardian_of
            minors.extend([subject] if subject not in minors else [])
            _learn(out.people, guardian, {"phone": GUARDIAN_PHONE.get(outcome or "")})
        if entry.flow == "bind_card" and outcome == "bound":
            holder = subject
        elif entry.flow == "unbind" and outcome == "unbound":
            holder = None
        out.answers.append(answer)
    return out
