"""What the engine needs from storage: fenced turns, sessions, delivery records, an outbox.

Three implementations (memory, SQLite, Redis) keep the same meaning; the engine never knows
which one it has. Everything stored is JSON or text, so any of them can cross processes.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

DEDUP_TTL = 600  # platform retries end within ~15 s; keep the record well past that
SESSION_GRACE = 86_400  # an expired session's marker stays a day, so the user can be told
LEASE = 5.0  # seconds a turn is held without renewal: about the platform's window
TURN_WAIT = 30.0  # longest a queued turn waits in line (its reply is owed by then anyway)
PRUNE_INTERVAL = 60.0  # seconds between sweeps of expired rows (and one at start)

Claim = tuple[str, str, int]  # (signed query key, body digest, seconds to remember it)


class BoundQuery(str):
    """A signed query's key whose body only its follower's push can carry: the account is in
    safe mode, so every push taken is sealed and `msg_signature` binds it, follower included,
    to the query. Another follower's body on it fails that check before any claim, so the
    claim guards nothing across followers, and a store may keep it with the follower's keys
    (Redis Cluster: in their slot, no call of its own). Equal to the plain key: the stores
    that keep every claim in one place see no difference."""

    __slots__ = ()

RUNNING = "\x00running"  # a turn for this delivery is queued or working
OWED = "\x00owed"  # ... and the platform stopped waiting: the reply goes through the outbox
MARKERS = (RUNNING, OWED)
TURN = "turn:"  # outbox keys of owed turns (a push to run again); sends use the delivery key


class LockTimeout(Exception):
    """Waited too long for a user's earlier message; the caller answers `success`."""


class ClaimConflict(Exception):
    """A signed query came again with another body: a forgery, refused with 403."""


class LeaseLost(Exception):
    """A holder whose lease ran out tried to write: its work is dropped, never saved."""


@dataclass(frozen=True)
class Lease:
    """A held turn; `token` (the ticket) is the fencing token every write is checked against."""

    user: str
    token: int


@dataclass
class Begun:
    """What a push's first round trip found (`Store.begin_turn`), all read in one step.

    `record` is the delivery's record (a reply or a marker), None when the push is new (now
    RUNNING). A new push also joined its follower's line: `ticket`; `served` when the turn was
    its at once, and then `session` and `kv` (the values of the KV keys asked for: hand-over
    state, deferred notices) were read under that turn. Not served: read them once it is.
    """

    user: str
    record: str | None
    ticket: int = 0
    served: bool = False
    session: dict | None = None
    kv: dict[str, str | None] = field(default_factory=dict)

    @property
    def lease(self) -> Lease:
        return Lease(self.user, self.ticket)


Said = tuple[str, list[str], float]  # (a KV key holding a JSON list of marks, marks to add, ttl)
SAID_KEEP = 64  # marks a said-list keeps (the newest): a follower's notices are a handful


def with_marks(raw: str | None, marks: list[str]) -> str:
    """The said-list `raw` with `marks` added (each once, the newest SAID_KEEP kept)."""
    held = json.loads(raw) if raw else []
    held += [mark for mark in marks if mark not in held]
    return json.dumps(held[-SAID_KEEP:])


@dataclass
class Entry:
    """One owed message claimed by a courier: send `body`, then ack, retry or fail by `ref`."""

    ref: str
    key: str
    body: dict
    attempts: int
    unsure: bool = False  # an earlier send of it may have reached the follower (a timeout)

    @property
    def kind(self) -> str:
        """A `turn` (a push whose holder may die before its reply) to check, or a `send`."""
        return "turn" if self.key.startswith(TURN) else "send"


def follower_of(key: str, body: dict) -> str | None:
    """Whose order an entry keeps: a send's `touser`; an owed turn keeps none (its line does)."""
    to = body.get("touser")
    return to if isinstance(to, str) and to and not key.startswith(TURN) else None


def ticket_base(now: float) -> int:
    """Where a fresh per-follower counter starts, above every ticket an older one gave out."""
    return int(now * 1000)  # a follower never pushes more than once a millisecond


def expired_marker(session: dict) -> dict:
    """What an expired session keeps during its grace day: when and which service, not what
    (no slots), so only a follower who was in the middle of one is told it ended."""
    return {"at": session.get("at"), "expired": True, "flow": session.get("flow")}


class Outbox(Protocol):
    def put(self, key: str, body: dict) -> bool:
        """Owe `body` once; False when `key` was put before (sent, failed or still owed)."""
        ...

    def claim(self, consumer: str, limit: int, lease: float) -> list[Entry]:
        """Entries due now for `consumer`, each hidden from the others for `lease` seconds.

        Per follower only the oldest owed send is claimable: a later one waits while an
        earlier one is claimed, backing off or due later, so a follower reads in order.
        """
        ...

    def ack(self, entry: Entry) -> None: ...

    def retry(self, entry: Entry, delay: float, unsure: bool = False) -> None:
        """Hand the entry back, due again in `delay` seconds; `unsure` marks it for good as
        maybe delivered already (its next claim says so in `Entry.unsure`)."""
        ...

    def fail(self, entry: Entry, reason: str) -> None:
        """Keep the entry as failed (never sent again); `reason` holds no personal data."""
        ...

    def counts(self) -> dict[str, int]:
        """How many entries are owed, sent and failed (for tests and health)."""
        ...


class Store(Protocol):
    outbox: Outbox

    def begin(self, user: str, key: str, claim: Claim | None = None) -> str | None:
        """Start a delivery: None when new (now RUNNING), else its record (a reply or marker).

        With `claim`, first remember the signed query's body (ClaimConflict if it differs).
        """
        ...

    def touch(self, user: str, key: str) -> None:
        """Keep a RUNNING/OWED record alive while its turn is queued or working."""
        ...

    def owe(self, user: str, key: str, turn: dict | None = None) -> str | None:
        """Mark the delivery owed; if its turn already saved, the reply instead.

        With `turn` (the push, see bot/rescue.py), also owe the turn itself under TURN + key,
        so another instance runs it should this one die before the turn ends.
        """
        ...

    def reply(self, user: str, key: str) -> str | None:
        """The record of this delivery key, if any."""
        ...

    def claim_request(self, key: str, digest: str, ttl: int) -> bool:
        """Remember a signed query's body digest; False when it arrived with another body."""
        ...

    def begin_turn(self, user: str, key: str, claim: Claim | None = None,
                   reads: tuple[str, ...] = (), join: bool = True) -> Begun:
        """`begin`, the turn line and the turn's reads in one atomic step (one round trip).

        ClaimConflict as `begin`. A known delivery joins no line (its record says what to do),
        nor does one with `join=False` (its worker joins later: `lock`).
        """
        ...

    def hold(self, begun: Begun, timeout: float = TURN_WAIT) -> AbstractContextManager[Lease]:
        """The turn `begin_turn` joined the line for: at once when served, else waited for."""
        ...

    def look(self, user: str, reads: tuple[str, ...]) -> tuple[dict | None, dict]:
        """The session and the KV values a turn reads, once it holds a turn it waited for."""
        ...

    def leave(self, lease: Lease) -> None:
        """Give a ticket back unused: its turn ends, or it is passed over when it comes."""
        ...

    def lock(self, user: str, timeout: float = TURN_WAIT,
             claim: Claim | None = None) -> AbstractContextManager[Lease]:
        """Hold `user`'s turn as a lease: one message at a time, in arrival order, anywhere."""
        ...

    def renew(self, lease: Lease) -> bool:
        """Extend the lease; False when it was lost (another turn began)."""
        ...

    def session(self, user: str) -> dict | None: ...

    def clear_sessions(self) -> int:
        """End every follower's conversation (a backend reset); returns how many there were."""
        ...

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int,
             lease: Lease | None = None, owed: dict | None = None,
             remember: bool = True, sends: tuple[tuple[str, dict], ...] = (),
             said: Said | None = None) -> None:
        """Session, delivery record and the turn's end, together or not at all.

        With `lease`, LeaseLost unless it still holds the turn. When the delivery was owed,
        `owed` (a customer-service body) goes to the outbox and retries get `success`.
        `remember=False` forgets the delivery instead, so a retry does the work again.
        `sends` are outbox entries (key, body) the turn owes whatever happens; `said` adds
        marks to a KV list (the deferred notices this turn said), in the same step.
        """
        ...

    def prune(self) -> None:
        """Drop expired rows; expired sessions keep only a marker."""
        ...

    def close(self) -> None: ...
