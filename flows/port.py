"""The flows' port: what they may ask of a social-security backend, and what comes back.

The mock (SQLite, in process), and the HTTP client talking to the mock's API, both implement
`Backend`; the flows only ever see this interface, so a real backend can replace the mock.
It lives with the flows (bot.backend imports it) so that no import runs from flows up into bot.
Results are small frozen dataclasses so they cross process and HTTP boundaries unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol, get_args

Purpose = Literal["bind", "consent", "reset", "unbind", "loss", "lift"]  # consent: a guardian
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)
CardStatus = Literal["active", "lost", "frozen"]
Relation = Literal["father", "mother", "guardian"]


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    phone: str | None  # None: no phone on record


@dataclass(frozen=True)
class Card:
    card_number: str
    holder: str  # the holder's ID number
    status: CardStatus
    bound_openid: str | None = None


@dataclass(frozen=True)
class CodeSent:
    """Outcome of asking for an SMS code. `ok` False says why in `reason`."""

    ok: bool
    phone_masked: str = ""
    reason: Literal["", "no_phone", "too_soon", "capped", "locked", "unknown"] = ""
    retry_after: int = 0  # seconds, for too_soon / capped (the day's cap) / locked


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of checking an SMS code."""

    ok: bool
    # stale: a code sent for this purpose but replaced by a resend or used already
    reason: Literal["", "wrong", "expired", "locked", "none_sent", "stale"] = ""
    attempts_left: int = 0
    retry_after: int = 0  # seconds until the lock lifts


@dataclass(frozen=True)
class Review:
    ref: str  # reference number shown to the user, e.g. "R20261122-0001"
    id_number: str
    openid: str
    reason: str
    status: Literal["pending", "approved", "rejected"]
    created_at: float


@dataclass(frozen=True)
class LossRecord:
    """One change of a card's loss status, as the backend audits it; `ref` is what to quote."""

    ref: str  # e.g. "L20261122-0001"
    card_number: str
    action: Literal["report", "lift", "lapse"]  # lapse: a temporary report ran out by itself
    at: float
    lapses_at: float | None = None  # a temporary report lifts itself then
    by: str = ""  # who: the openid masked, or "clock" for a lapse


@dataclass(frozen=True)
class ConsentAsk:
    """A minor's bind asking the guardian in the guardian's own chat: who, whom, which card.

    `key` names the asking step (its effect key), so the step redone asks no second time.
    """

    key: str
    minor_openid: str
    guardian_openid: str
    card_number: str
    minor_id: str
    guardian_id: str
    minor_name_masked: str  # what the guardian reads: 王**


ConsentState = Literal["waiting", "yes", "no", "expired", "sms", "unreachable", "withdrawn",
                       "gone"]


class GuardianChat(Protocol):
    """Requests to a guardian's own chat (the bot's bot/family); flows only ask and look."""

    minutes: int  # how long a request waits for the guardian's answer
    max_members: int  # family members (亲情服务) one holder may add

    def ask(self, request: ConsentAsk) -> str:
        """Send the request (once per `request.key`); returns its id."""
        ...

    def status(self, rid: str) -> ConsentState:
        """Where the request stands; a decision not yet applied is applied first."""
        ...

    def withdraw(self, rid: str, answer: str = "sms") -> ConsentState:
        """The minor switches to SMS ("sms") or cancels ("withdrawn"): `answer` when that
        won, else the decision that came first."""
        ...


class Pauses(Protocol):
    """Where a follower met a lock (too many wrong codes or passwords), kept until it lifts.

    The lock itself is the backend's, on an ID number and purpose; but before the first
    question of an unbound follower's service the bot does not know whose ID it will be, so
    it remembers, per follower and service, only when the lock it met lifts (nothing
    personal), and the service says so up front instead of after the ID, name and card.
    """

    def note(self, openid: str, service: str, until: float) -> None:
        """`openid` met a lock in `service` that lifts at `until` (epoch seconds)."""
        ...

    def until(self, openid: str, service: str) -> float:
        """When the lock `openid` met in `service` lifts; 0.0 when none is remembered."""
        ...


class TimeSource(Protocol):
    """The clock as the flows see it (bot.clock.Clock is one): ages and expiries need both."""

    def now(self) -> float: ...

    def today(self) -> date: ...


class BackendError(Exception):
    """A refusal the user should hear about; `code` selects the catalog message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Backend(Protocol):
    """The social-security service as the flows see it. Errors raise BackendError(code)."""

    def person(self, id_number: str) -> Person | None: ...

    def name_matches(self, id_number: str, name: str) -> bool: ...

    def card(self, card_number: str) -> Card | None: ...

    def cards_of(self, id_number: str) -> list[Card]: ...

    def guardian_relation(self, minor: str, guardian: str) -> Relation | None: ...

    def send_code(self, id_number: str, purpose: Purpose, key: str | None = None) -> CodeSent:
        """Text a code to the phone on record; a repeat with the same idempotency `key` (the
        step redone after a crash) gets the first answer, not a "too soon"."""
        ...

    def check_code(
        self, id_number: str, purpose: Purpose, code: str, key: str | None = None
    ) -> CodeCheck:
        """Check and use up a code; a repeat with the same idempotency `key` gets that answer."""
        ...

    def bind(self, card_number: str, openid: str, guardian: str | None = None,
             via: str | None = None) -> Card:
        """Bind; BackendError 'card_bound' / 'account_bound' / 'card_lost' / 'card_frozen'.
        With `guardian`, `via` says how they consented: "wechat" (their own chat) or "sms"."""
        ...

    def binding(self, openid: str) -> Card | None: ...

    def family_of(self, guardian: str) -> list[Person]:
        """The family members (亲情服务) a holder added, oldest first."""
        ...

    def add_family(self, guardian: str, member: str) -> bool:
        """Add `member` to `guardian`'s family; False when already there (a repeat)."""
        ...

    def remove_family(self, guardian: str, member: str) -> bool:
        """Remove `member`; False when they were not there (a repeat)."""
        ...

    def unbind(self, openid: str) -> Card | None: ...

    def password_is(self, id_number: str, password: str) -> bool:
        """True when `password` is the current password of the holder's card."""
        ...

    def set_password(self, id_number: str, password: str, key: str | None = None) -> None:
        """Set a new password; a repeat with the same idempotency `key` is a no-op."""
        ...

    def verify_password(self, card_number: str, password: str) -> bool: ...

    def check_password(
        self, id_number: str, password: str, purpose: Purpose, key: str | None = None
    ) -> CodeCheck:
        """The holder's service password as proof: a wrong one counts toward the same lock as
        a wrong code for `purpose`; a repeat with the same `key` gets that answer."""
        ...

    def open_review(self, id_number: str, openid: str, reason: str) -> Review: ...

    def report_loss(self, card_number: str, openid: str, key: str | None = None) -> LossRecord:
        """Report an active card lost (temporarily); a repeat with the same `key` gets the same
        record. BackendError 'card_unknown' / 'card_lost' / 'card_frozen'."""
        ...

    def lift_loss(self, card_number: str, openid: str, key: str | None = None) -> LossRecord:
        """Make a lost card active again; same `key`, same record. 'card_unknown' / 'not_lost'."""
        ...

    def loss_report(self, card_number: str) -> LossRecord | None:
        """The card's running temporary report (reference, when made, when it lapses); None
        when none is on record here (not lost, or reported at a counter)."""
        ...

    def reviews(self, openid: str | None = None) -> list[Review]: ...

    def decide_review(self, ref: str, approve: bool) -> Review: ...

    def reset(self) -> None:
        """Reload the seed, dropping bindings, codes, reviews and changed passwords."""
        ...

    def close(self) -> None:
        """Release connections (SQLite files, HTTP sessions); the app calls it at shutdown."""
        ...
