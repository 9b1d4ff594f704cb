"""A running bot reached over HTTP (`wxbot serve`/`wxbot demo`), and its simulator API.

With BOT_SIMULATOR on there, each fixture starts from its seed (POST /backend/v1/reset) on its
day (POST /backend/v1/clock), and the platform's timestamps follow the bot's clock so they are
never stale. Openids get a per-run suffix, so earlier sessions never interfere.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import yaml

from bot.clock import Clock
from bot.sim.delivery import Delivery
from bot.sim.fixture import Fixture
from bot.sim.platform import PlatformClient
from bot.sim.target import TargetError, pending_ref

NO_SIMULATOR = "the server has no simulator API (start it with BOT_SIMULATOR=1, or `wxbot demo`)"


class Remote:
    """The platform's client and a simulator-API session against one base URL."""

    def __init__(self, url: str, token: str, *, mode: str = "plaintext",
                 aes_key: str | None = None, app_id: str | None = None,
                 timeout: float = 10.0) -> None:
        self.where = self.url = url.rstrip("/")
        self.http, self.timeout = requests.Session(), timeout
        self.clock = Clock()
        self.client = PlatformClient(self.url, token, aes_key=aes_key, app_id=app_id, mode=mode,
                                     clock=self.clock)
        self.run = secrets.token_hex(3)
        self.runs = 0
        self.simulator = False

    def probe(self) -> None:
        """Check the server answers; learn whether the simulator API is on; follow its clock."""
        try:
            self.http.get(f"{self.url}/healthz", timeout=self.timeout).raise_for_status()
        except requests.RequestException as exc:
            raise TargetError(f"cannot reach {self.url}: {exc}") from None
        answer = self._call("GET", "/backend/v1/clock", quiet=True)
        self.simulator = answer is not None
        if answer is not None:
            self._follow(answer)

    def begin(self, fixture: Fixture | None) -> None:
        """Start a fixture: its seed, its day, fresh openids."""
        self.runs += 1
        if fixture is None or not self.simulator:
            return
        seed = yaml.safe_load(Path(fixture.seed).read_text("utf-8")) if fixture.seed else None
        self._call("POST", "/backend/v1/reset", json={"seed": seed} if seed else {})
        if fixture.today is not None:
            self._follow(self._call("POST", "/backend/v1/clock",
                                    json={"today": fixture.today.isoformat()}))

    @contextmanager
    def for_fixture(self, fixture: Fixture) -> Iterator[Remote]:
        """For `replay`: the same server, reset for each fixture (closed by the caller)."""
        self.begin(fixture)
        yield self

    def openid(self, openid: str) -> str:
        return f"{openid}_{self.run}{self.runs:03d}"

    def send(self, kind: str, user: str, fields: dict[str, Any]) -> Delivery:
        try:
            return self.client.send(kind, user, **fields)
        except requests.RequestException as exc:
            raise TargetError(f"delivery to {self.url} failed: {exc}") from None

    def sms(self, phone: str) -> list[dict[str, Any]]:
        return self._call("GET", "/backend/v1/sms", params={"phone": phone})["messages"]

    def advance(self, seconds: float) -> None:
        self._follow(self._call("POST", "/backend/v1/clock", json={"advance": seconds}))

    def state(self, user: str) -> dict[str, Any] | None:
        answer = self._call("GET", "/sim/api/state", params={"user": user}, quiet=True)
        if answer is None:
            raise TargetError("the server has no /sim/api/state (BOT_SIMULATOR off?)")
        return answer.get("session")

    def decide_review(self, user: str, approve: bool) -> str:
        reviews = self._call("GET", "/backend/v1/reviews", params={"openid": user})["reviews"]
        ref = pending_ref(reviews, user)
        self._call("POST", f"/backend/v1/reviews/{ref}/{'approve' if approve else 'reject'}")
        return ref

    def close(self) -> None:
        self.client.close()
        self.http.close()

    def _follow(self, answer: dict[str, Any]) -> None:
        """Keep the platform's timestamps on the bot's clock (it may live on another day)."""
        self.clock.offset = float(answer["now"]) - time.time()

    def _call(self, method: str, path: str, *, quiet: bool = False, **kwargs: Any) -> Any:
        """One simulator-API call; 404 is None when `quiet`, any other failure a TargetError."""
        try:
            answer = self.http.request(method, self.url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise TargetError(f"{method} {path} failed: {exc}") from None
        if answer.status_code == 404 and quiet:
            return None
        if answer.status_code == 404 and path.startswith("/backend/v1/clock"):
            raise TargetError(NO_SIMULATOR)
        if not answer.ok:
            detail = answer.text[:200] if answer.status_code != 404 else NO_SIMULATOR
            raise TargetError(f"{method} {path}: HTTP {answer.status_code} {detail}")
        return answer.json()
