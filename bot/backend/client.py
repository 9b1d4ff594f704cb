"""`Backend` over HTTP: the bot talking to a mock backend served by `wxbot backend`.

One `requests.Session` (connection reuse), a timeout on every call. A refusal (409) comes
back as the same BackendError code the in-process mock raises; an unreachable or broken
server is BackendError("unavailable"), a request the server rejects is "bad_request".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from bot.backend import rpc
from bot.backend.losses import record_of
from bot.backend.reviews import Observer, notify
from bot.backend.seed import read_seed
from flows.port import (
    BackendError,
    Card,
    CodeCheck,
    CodeSent,
    LossRecord,
    Person,
    Purpose,
    Relation,
    Review,
)

CONNECT_TIMEOUT = 3.05  # seconds: just over TCP's classic 3 s SYN retransmit (requests' advice)
# Seconds to wait for an answer (BOT_BACKEND_TIMEOUT). Not bounded by the platform's 5 s: past
# BOT_REPLY_DEADLINE the turn runs on and its reply goes out through the outbox, within the
# 48-hour window. What bounds it is the follower's next message, which waits in line at most
# TURN_WAIT (30 s) behind this turn: a bit longer than that, so a 30 s backend still answers.
READ_TIMEOUT = 45.0


class HttpBackend:
    """Client of the mock backend API at `base_url` (e.g. http://127.0.0.1:8081/backend/v1)."""

    def __init__(self, base_url: str, timeout: float = READ_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (CONNECT_TIMEOUT, timeout)  # (connect, read) seconds
        self.session = requests.Session()
        self.on_decision: list[Observer] = []  # see MockBackend

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def __enter__(self) -> HttpBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """(status, JSON body) of one call; BackendError('unavailable') if there is none."""
        url = f"{self.base_url}/{path}"
        try:
            resp = self.session.request(method, url, timeout=self.timeout, **kwargs)
            return resp.status_code, resp.json()
        except requests.ReadTimeout as exc:  # it may have been done: the engine says so
            raise BackendError("timeout") from exc
        except (requests.RequestException, ValueError) as exc:
            raise BackendError("unavailable") from exc

    def _ok(self, status: int, data: Any) -> Any:
        if status == 200 and isinstance(data, dict):
            return data
        if status == 409 and isinstance(data, dict):
            raise BackendError(str(data.get("error", "refused")))
        raise BackendError("bad_request" if 400 <= status < 500 else "unavailable")

    def _call(self, method: str, **args: Any) -> Any:
        data = self._ok(*self.request("POST", f"rpc/{method}", json=args))
        return rpc.decode(method, data.get("result"))

    def person(self, id_number: str) -> Person | None:
        return self._call("person", id_number=id_number)

    def name_matches(self, id_number: str, name: str) -> bool:
        return self._call("name_matches", id_number=id_number, name=name)

    def card(self, card_number: str) -> Card | None:
        return self._call("card", card_number=card_number)

    def cards_of(self, id_number: str) -> list[Card]:
        return self._call("cards_of", id_number=id_number)

    def guardian_relation(self, minor: str, guardian: str) -> Relation | None:
        return self._call("guardian_relation", minor=minor, guardian=guardian)

    def send_code(self, id_number: str, purpose: Purpose, key: str | None = None) -> CodeSent:
        return self._call("send_code", id_number=id_number, purpose=purpose, key=key)

    def check_code(
        self, id_number: str, purpose: Purpose, code: str, key: str | None = None
    ) -> CodeCheck:
        return self._call("check_code", id_number=id_number, purpose=purpose, code=code, key=key)

    def bind(self, card_number: str, openid: str, guardian: str | None = None,
             via: str | None = None) -> Card:
        return self._call("bind", card_number=card_number, openid=openid, guardian=guardian,
                          via=via)

    def family_of(self, guardian: str) -> list[Person]:
        return self._call("family_of", guardian=guardian)

    def add_family(self, guardian: str, member: str) -> bool:
        return self._call("add_family", guardian=guardian, member=member)

    def remove_family(self, guardian: str, member: str) -> bool:
        return self._call("remove_family", guardian=guardian, member=member)

    def binding(self, openid: str) -> Card | None:
        return self._call("binding", openid=openid)

    def unbind(self, openid: str) -> Card | None:
        return self._call("unbind", openid=openid)

    def password_is(self, id_number: str, password: str) -> bool:
        return self._call("password_is", id_number=id_number, password=password)

    def set_password(self, id_number: str, password: str, key: str | None = None) -> None:
        self._call("set_password", id_number=id_number, password=password, key=key)

    def check_password(
        self, id_number: str, password: str, purpose: Purpose, key: str | None = None
    ) -> CodeCheck:
        return self._call("check_password", id_number=id_number, password=password,
                          purpose=purpose, key=key)

    def verify_password(self, card_number: str, password: str) -> bool:
        return self._call("verify_password", card_number=card_number, password=password)

    def open_review(self, id_number: str, openid: str, reason: str) -> Review:
        return self._call("open_review", id_number=id_number, openid=openid, reason=reason)

    def reviews(self, openid: str | None = None) -> list[Review]:
        return self._call("reviews", openid=openid)

    def decide_review(self, ref: str, approve: bool) -> Review:
        review = self._call("decide_review", ref=ref, approve=approve)
        notify(self.on_decision, review)  # a decision made through this process is seen here
        return review

    def report_loss(self, card_number: str, openid: str, key: str | None = None) -> LossRecord:
        return self._loss("report", card_number, openid, key)

    def lift_loss(self, card_number: str, openid: str, key: str | None = None) -> LossRecord:
        return self._loss("lift", card_number, openid, key)

    def _loss(self, action: str, card_number: str, openid: str, key: str | None) -> LossRecord:
        """POST cards/<n>/report-loss|lift-loss; 404 is the mock's 'card_unknown'."""
        path = f"cards/{quote(card_number, safe='')}/{action}-loss"
        status, data = self.request("POST", path, json={"openid": openid, "key": key})
        if status == 404:
            raise BackendError("card_unknown")
        return record_of(self._ok(status, data)["record"])

    def loss_report(self, card_number: str) -> LossRecord | None:
        """The running report of GET cards/<n>/losses; None when there is none."""
        status, data = self.request("GET", f"cards/{quote(card_number, safe='')}/losses")
        running = None if status == 404 else self._ok(status, data)["running"]
        if running is None:
            return None
        return record_of({**running, "card_number": card_number.upper(), "action": "report",
                          "at": running["reported_at"]})

    def set_card_status(self, card_number: str, status: str) -> Card:
        """Change a card's status on the server (the simulator's `backend:` step)."""
        data = self._ok(*self.request("POST", f"cards/{quote(card_number, safe='')}/status",
                                      json={"status": status}))
        return Card(data["card_number"], "", data["status"], data["bound_openid"])

    def arm_faults(self, delay: float, times: int = 1) -> dict[str, Any]:
        """Slow the server's next `times` calls by `delay` seconds; ValueError when refused."""
        status, data = self.request("POST", "faults", json={"delay": delay, "times": times})
        if status == 400:
            raise ValueError(str(data.get("detail", "bad fault")) if isinstance(data, dict) else "")
        return self._ok(status, data)["armed"]

    def reset(self, seed: str | Path | Mapping[str, Any] | None = None) -> None:
        """Reload the server's seed, or send this seed (read here, so paths are local)."""
        body = (
            {} if seed is None else {"seed": json.loads(json.dumps(read_seed(seed), default=str))}
        )
        self._ok(*self.request("POST", "reset", json=body))

    def sms_outbox(self, phone: str) -> list[dict[str, Any]]:
        """Every SMS the mock sent to `phone`, oldest first."""
        data = self._ok(*self.request("GET", "sms", params={"phone": phone}))
        return data["messages"]

    def card_view(self, card_number: str) -> dict[str, Any] | None:
        """The contract JSON of GET cards/<n>, or None for an unknown card."""
        status, data = self.request("GET", f"cards/{quote(card_number, safe='')}")
        return None if status == 404 else self._ok(status, data)
