"""What each recorded answer was, and what the conversation showed of each person in it.

The step a message answered (`before`) says what the text is: the flow declares it as the
state's `role` (an ID number, a card number, a code...), so renaming a state cannot turn a typed
name into free text. Where the answer led (`outcome`) says whether it was accepted and, for the
branches, what kind of person gave it (a minor, a lost card, no phone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.sim.record.log import Entry, LogError
from bot.sim.record.seedbook import Wanted
from flows.base import DONE, FAILED
from flows.catalog import Catalog
from flows.ids import age_on, birth_date, fold
from flows.language.slots import read_slot
from flows.passwords import weakness
from flows.reading import checked_id
from flows.registry import ALL_FLOWS

PREBOUND = "@prebound"  # the holder of a card bound to the account before the recording
FLOWS = {flow.name: flow for flow in ALL_FLOWS}
SUBJECT = {  # (flow, role of the step, the state it led to) -> what that says of the holder
    ("bind_card", "card", "ask_code"): {"card": "active", "phone": True},
    ("bind_card", "card", "code_locked"): {"card": "active", "phone": True},
    ("bind_card", "card", "ask_guardian"): {"card": "active"},
    ("bind_card", "card", "card_lost"): {"card": "lost"},
    ("bind_card", "card", "card_frozen"): {"card": "frozen"},
    ("bind_card", "card", "card_bound"): {"card": "bound"},
    ("bind_card", "card", "no_phone"): {"card": "active", "phone": False},
    ("forgot_password", "name", "ask_code"): {"card": "any", "phone": True},
    ("forgot_password", "name", "code_locked"): {"card": "any", "phone": True},
    ("forgot_password", "name", "ask_guardian"): {"card": "any"},
    ("forgot_password", "name", "ask_reason"): {"card": "any", "phone": False},
    ("forgot_password", "name", "no_card"): {"card": "none"},
}
GUARDIAN_PHONE = {"ask_code": True, "code_locked": True, "no_phone": False, "ask_reason": False}


class UnknownStep(LogError):
    """A log names a step the flows no longer have: its text cannot be classified safely."""


def role_of(flow: str | None, state: str | None) -> str:
    """What the follower typed at this step, as the flow declares it (`text`: nothing personal)."""
    if flow is None or state is None:
        return "text"
    spec = FLOWS[flow].specs.get(state) if flow in FLOWS else None
    if spec is None:
        raise UnknownStep(f"the log has a step {flow}.{state} that no flow has; record it again")
    return spec.get("role", "text")


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
        after = entry.after or {}
        opens_unbind = entry.before is None and after.get("flow") == "unbind"
        if opens_unbind and after.get("state") != "not_bound" and holder is None:
            holder = PREBOUND  # asks about a card bound before the log began
            out.people.setdefault(PREBOUND, Wanted(adult=True, prebound=True))
        if after.get("flow") == "unbind" and holder is not None \
                and role_of("unbind", after.get("state")) == "code":  # a code went out
            _learn(out.people, holder, {"phone": True})
        if said is None:
            out.answers.append(Answer("event"))
            continue
        role = role_of(entry.flow, state)
        if catalog.command(said) is not None or role == "text":
            out.answers.append(Answer("keyword" if catalog.command(said) else "text"))
            continue
        ok = outcome not in (state, FAILED)
        answer = Answer(role, subject, ok)
        slot = read_slot(role, said)  # the answer as the step read it out of the sentence
        if role in ("id", "guardian"):
            number, error = checked_id(slot.value if slot else said, entry.day)
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
            typed = slot.value if slot else fold(said)
            answer.ok = outcome == "ask_confirm"
            answer.detail = None if answer.ok else (
                weakness(typed, birth_date(subject)) or "reset.pw_current")
        elif role == "confirm":
            answer.ok = outcome == DONE
        if subject and (facts := SUBJECT.get((entry.flow or "", role, outcome or ""))):
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
