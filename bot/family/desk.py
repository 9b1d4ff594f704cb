"""Consent requests in a guardian's own chat: ask once, decide once, apply to both followers.

A request is one KV record keyed by its id (a digest of the minor's asking step, so a step
redone asks no second time). Its decision (yes, no, expired, sms, unreachable) is one more
record written with set-if-absent: whoever writes it first decides, anyone later reads it.
Applying a decision binds the card (the backend's bind repeats as a no-op) and owes each
follower's message under a key of the outbox (put once), then marks the request applied; any
instance may apply, as often as it likes, and the followers hear it once. The guardian's
turn, the minor's next message and the sweeper all apply what they find undecided-on-time or
decided-not-applied, so a process killed between the decision and its effects loses nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from bot.clock import Clock
from bot.family.records import Records
from bot.family.tell import Tell
from bot.outbound.courier import mask
from flows.ids import mask_card
from flows.port import Backend, BackendError, ConsentAsk, ConsentState

log = logging.getLogger(__name__)
DAY = 86_400
REFUSED = ("card_bound", "account_bound", "card_lost", "card_frozen", "card_unknown",
           "not_guardian")
ANSWERS = ("yes", "no", "expired", "sms", "unreachable", "withdrawn")


class FamilyDesk:
    """Built once per app; `wait` is BOT_CONSENT_WAIT (seconds a request waits)."""

    def __init__(self, records: Records, tell: Tell, backend: Backend, clock: Clock,
                 wait: int = 1800, wake: Callable[[], None] = lambda: None,
                 max_members: int = 5) -> None:
        """`max_members` is BOT_FAMILY_MAX_MEMBERS, which the family flow reads here."""
        self.records, self.tell, self.backend, self.clock = records, tell, backend, clock
        self.wait, self.wake, self.max_members = wait, wake, max_members

    @property
    def minutes(self) -> int:
        """The wait as the followers read it."""
        return max(1, round(self.wait / 60))

    # -- the minor's side (flows.port.GuardianChat) ----------------------------------------
    def ask(self, request: ConsentAsk) -> str:
        rid = hashlib.sha256(request.key.encode()).hexdigest()[:16]
        now = self.clock.now()
        record = {**asdict(request), "rid": rid, "asked_at": now,
                  "expires_at": now + self.wait}
        self.records.add(f"req:{rid}", record)
        if self.records.get(f"decision:{rid}") is None:  # a redone step: lists made whole
            self.records.include("open", rid)
            self.records.include(f"pending:{request.guardian_openid}", rid)
            if self.tell.ask(self.records.get(f"req:{rid}") or record, self.minutes):
                self.wake()
        return rid

    def status(self, rid: str) -> ConsentState:
        """Where `rid` stands; it expires here when its time is up, and is applied if due."""
        request = self.records.get(f"req:{rid}")
        decision = self.records.get(f"decision:{rid}")
        if decision is None:
            if request is None:
                return "gone"
            if self.clock.now() < request["expires_at"]:
                return "waiting"
            decision = self.decide(rid, "expired", "clock")
        self.apply(rid)
        return decision["answer"]

    def withdraw(self, rid: str, answer: str = "sms") -> ConsentState:
        """The minor takes the request back: "sms" (改用短信验证) or "withdrawn" (取消).

        A decision like any other, so whichever of the minor and the guardian writes first
        holds; the state returned is the one that holds (the guardian's "yes" may have won).
        """
        if self.records.get(f"req:{rid}") is None:
            return "gone"
        state = self.status(rid)  # expired first if its time is up
        if state != "waiting":
            return state
        answer = self.decide(rid, answer, "minor")["answer"]
        self.apply(rid)
        return answer

    # -- the guardian's side ---------------------------------------------------------------
    def pending(self, openid: str) -> list[dict[str, Any]]:
        """The requests waiting for this follower's answer, oldest first (expired ones go)."""
        waiting = []
        for rid in self.records.members(f"pending:{openid}"):
            if self.status(rid) == "waiting":
                waiting.append(self.records.get(f"req:{rid}"))
        return [request for request in waiting if request is not None]

    def answer(self, openid: str, rid: str, yes: bool) -> tuple[str, str]:
        """The guardian's 同意/拒绝: (the decision that holds, what applying it did).

        Only the guardian the request went to, whose own card is still bound to this chat
        and who is still on record as the minor's guardian, decides; anyone else: "stranger".
        """
        request = self.records.get(f"req:{rid}")
        if request is None or request["guardian_openid"] != openid or not self._on_record(
                request):
            return "stranger", ""
        if self.status(rid) == "waiting":
            self.decide(rid, "yes" if yes else "no", "guardian")
        decision = self.records.get(f"decision:{rid}") or {"answer": "waiting"}
        return decision["answer"], self.apply(rid)

    def links(self, openid: str, session: dict | None) -> list[dict[str, Any]]:
        """The other follower each open request ties this one to (the workbench's inspector):
        as guardian, every request waiting for them; as minor, the one their bind waits on."""
        asked = (session or {}).get("slots", {}).get("request")
        found = [(rid, "minor") for rid in [asked] if rid]
        found += [(r["rid"], "guardian") for r in self.pending(openid)]
        links = []
        for rid, role in found:
            request = self.records.get(f"req:{rid}")
            if request is None:
                continue
            other = request["guardian_openid" if role == "minor" else "minor_openid"]
            links.append({"role": role, "other": other, "state": self.status(rid),
                          "card": mask_card(request["card_number"]),
                          "expires_at": request["expires_at"]})
        return links

    def _on_record(self, request: dict[str, Any]) -> bool:
        guardian = request["guardian_id"]
        cards = self.backend.cards_of(guardian)
        return any(card.bound_openid == request["guardian_openid"] for card in cards) and \
            self.backend.guardian_relation(request["minor_id"], guardian) is not None

    # -- one decision, applied to each follower ---------------------------------------------
    def decide(self, rid: str, answer: str, by: str) -> dict[str, Any]:
        """Write the decision if none is there; the one that holds is returned either way."""
        if answer not in ANSWERS:
            raise ValueError(f"not a decision: {answer!r}")
        self.records.add(f"decision:{rid}", {"answer": answer, "by": by, "at": self.clock.now()})
        return self.records.get(f"decision:{rid}")

    def apply(self, rid: str) -> str:
        """Carry out the decision once in effect ("bound", a refusal, or ""); repeats are no-ops.

        The applied mark is written last: whoever dies before it leaves the work to be done
        again, and each part of it (bind, the two messages, the lists) repeats as a no-op.
        """
        done = self.records.get(f"applied:{rid}")
        if done is not None:
            return done
        request, decision = self.records.get(f"req:{rid}"), self.records.get(f"decision:{rid}")
        if request is None or decision is None:
            return ""
        result = self._bind(request) if decision["answer"] == "yes" else ""
        if self.tell.outcome(request, decision["answer"], result):
            self.wake()
        self.records.exclude(f"pending:{request['guardian_openid']}", rid)
        self.records.exclude("open", rid)
        self.records.put(f"applied:{rid}", result)
        return result

    def _bind(self, request: dict[str, Any]) -> str:
        try:
            self.backend.bind(request["card_number"], request["minor_openid"],
                              guardian=request["guardian_id"], via="wechat")
        except BackendError as refused:
            if refused.code not in REFUSED:
                raise  # unavailable: whoever applies next tries again
            log.info("consent for %s given, binding refused: %s",
                     mask(request["minor_openid"]), refused.code)
            return refused.code
        return "bound"

    def unreachable(self, rid: str) -> None:
        """The courier's word that the guardian's chat cannot be reached: the SMS path."""
        self.decide(rid, "unreachable", "platform")
        self.apply(rid)

    def sweep(self) -> None:
        """Expire what is due and apply what was decided but not applied (the sweeper's)."""
        try:
            rids = self.records.members("open")
        except Exception:  # the KV is down: the next sweep looks again
            log.warning("family requests could not be read", exc_info=True)
            return
        for rid in rids:
            try:
                self.status(rid)
            except Exception:  # the backend or the KV failed: the next sweep tries again
                log.warning("family request could not be settled yet", exc_info=True)
