"""A running bot reached over HTTP (`wxbot serve`/`wxbot demo`), and its simulator API.

With BOT_SIMULATOR on there, each fixture starts from its seed (POST /backend/v1/reset) on its
day (POST /backend/v1/clock), and the platform's timestamps follow the bot's clock so they are
never stale. Openids get a per-run suffix, so earlier sessions never interfere. What reached a
follower through the API is the mock's GET /sim/api/outbound. A run made for another reply
deadline than the server's (its /healthz says) is skipped: the server's cannot be changed.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

import requests

from bot.clock import SHANGHAI, Clock
from bot.sim.targets.base import (
    RunSettings,
    SkipRun,
    TargetError,
    pending_ref,
    sends_in,
    template_of,
)
from bot.sim.targets.seeds import as_document
from bot.sim.wire.client import PlatformClient
from bot.sim.wire.delivery import Delivery
from flows.catalog import DEFAULT_LANG

NO_SIMULATOR = "the server has no simulator API (start it with BOT_SIMULATOR=1, or `wxbot demo`)"
WEBHOOK = "/wechat"


def split_url(url: str) -> tuple[str, str]:
    """(base URL, webhook path) from either the base URL or the webhook URL (…/wechat)."""
    url = url.strip().rstrip("/")
    if url.endswith(WEBHOOK):
        return url[: -len(WEBHOOK)], WEBHOOK
    return url, WEBHOOK


class Remote:
    """The platform's client and a simulator-API session against one base URL."""

    def __init__(self, url: str, token: str, *, mode: str = "plaintext",
                 aes_key: str | None = None, app_id: str | None = None,
                 timeout: float = 10.0) -> None:
        self.url, path = split_url(url)
        self.where = self.url
        self.http, self.timeout = requests.Session(), timeout
        self.clock = Clock()
        self.client = PlatformClient(self.url, token, aes_key=aes_key, app_id=app_id, mode=mode,
                                     clock=self.clock, path=path)
        self.served_offset: float | None = None  # the server's clock, given back at the end
        self.run = secrets.token_hex(3)
        self.runs = 0
        self.simulator = False
        self.lang: str | None = None
        self.served_lang: str | None = None  # restored when the run ends
        self.reply_deadline: float | None = None  # the server's, from /healthz
        self.armed: set[str] = set()  # what this run armed ("backend", platform API names)

    def probe(self) -> None:
        """Check the server answers; learn whether the simulator API is on; follow its clock."""
        try:
            health = self.http.get(f"{self.url}/healthz", timeout=self.timeout)
            health.raise_for_status()
            said = health.json()
            self.lang = self.served_lang = said.get("lang")
            deadline = said.get("reply_deadline")
            self.reply_deadline = float(deadline) if deadline is not None else None
        except (requests.RequestException, ValueError, TypeError) as exc:
            raise TargetError(f"cannot reach {self.url}: {exc}") from None
        answer = self._call("GET", "/backend/v1/clock", quiet=True)
        self.simulator = answer is not None
        if answer is not None:
            self._follow(answer)
            self.served_offset = self.clock.offset
        self.check_token()

    def speak(self, lang: str) -> None:
        """Answer in `lang` from now on (`wxbot chat --lang`); close() gives the server its own
        back. Only a simulator switches languages: a served bot speaks what it was started with."""
        if lang == self.lang:
            return
        if not self.simulator:
            raise TargetError(f"the bot at {self.url} answers in {self.lang or 'its BOT_LANG'} "
                              f"and cannot switch (no simulator): start it with BOT_LANG={lang}")
        self._call("POST", "/sim/api/lang", json={"lang": lang})
        self.lang = lang

    def check_token(self) -> None:
        """The platform's signed GET: a wrong token fails here, with the server's own reason."""
        try:
            check = self.client.verify_url()
        except requests.RequestException as exc:
            raise TargetError(f"cannot reach the webhook at {self.url}{WEBHOOK}: {exc}") from None
        if check.status != 200 or check.error:
            said = check.body.strip()[:200] or f"HTTP {check.status}"
            raise TargetError(f"the webhook at {self.url}{WEBHOOK} refused the platform's signed "
                              f"check: {said} (is --token / WECHAT_TOKEN the server's token?)")

    def begin(self, run: RunSettings) -> None:
        """Start a run: its seed, its day, fresh openids."""
        if run.reply_deadline is not None and run.reply_deadline != self.reply_deadline:
            has = (f"{self.reply_deadline:g} s" if self.reply_deadline is not None
                   else "not said by its /healthz")
            raise SkipRun(f"made for BOT_REPLY_DEADLINE={run.reply_deadline:g}; the server's "
                          f"is {has}")
        self.runs += 1
        lang = run.lang or DEFAULT_LANG  # as in process
        if lang and self.lang and lang != self.lang:
            if not self.simulator:
                raise SkipRun(f"needs BOT_LANG={lang}; the server speaks {self.lang}")
            self._call("POST", "/sim/api/lang", json={"lang": lang})
            self.lang = lang
        if not self.simulator:
            return
        seed = as_document(run.seed) if run.seed else None
        self._call("POST", "/backend/v1/reset", json={"seed": seed} if seed else {})
        if run.today is not None:
            self.set_today(run.today)

    def set_today(self, day: date) -> None:
        """10:00 in Shanghai on `day`, as in process: the day before, then forward (time only
        moves forward through the API, and a live clock keeps its time of day)."""
        eve = self._call("POST", "/backend/v1/clock", json={"today": str(day - timedelta(1))})
        goal = datetime.combine(day, dt_time(10), SHANGHAI).timestamp()
        self._follow(self._call("POST", "/backend/v1/clock",
                                json={"advance": max(0.0, goal - float(eve["now"]))}))

    @contextmanager
    def for_run(self, run: RunSettings) -> Iterator[Remote]:
        """For `replay`: the same server, reset for each run (closed by the caller)."""
        self.begin(run)
        try:
            yield self
        finally:
            self.disarm()

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

    def pushed(self, user: str) -> list[dict[str, Any]]:
        answer = self._call("GET", "/sim/api/outbound", params={"user": user}, quiet=True)
        if answer is None:
            raise TargetError("the server has no /sim/api/outbound (BOT_SIMULATOR off?)")
        return answer["messages"]

    def sends_answered(self) -> int:
        answer = self._call("GET", "/sim/api/platform", quiet=True)
        if answer is None:
            raise TargetError("the server has no /sim/api/platform (BOT_SIMULATOR off?)")
        return sends_in(answer.get("counters") or {})

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

    def agent(self, action: str, user: str, text: str | None = None) -> None:
        body = {"user": user, **({"text": text} if text is not None else {})}
        self._call("POST", f"/sim/api/agents/{action}", json=body)

    def agent_of(self, user: str) -> str:
        found = self._call("GET", "/sim/api/agents/follower", params={"user": user})
        return str(found.get("agent") or "")

    def subscribe(self, user: str, template: str, accept: bool) -> None:
        found = self._call("GET", "/sim/api/subscriptions", params={"user": user})
        self._call("POST", "/sim/api/subscribe", json={
            "user": user, "template": template_of(found["templates"], template),
            "accept": accept})

    def set_card_status(self, card_number: str, status: str) -> None:
        self._call("POST", f"/backend/v1/cards/{card_number}/status", json={"status": status})

    def bind_card(self, card_number: str, openid: str) -> None:
        self._call("POST", "/backend/v1/rpc/bind",
                   json={"card_number": card_number, "openid": openid})

    def arm_faults(self, delay: float, times: int) -> None:
        self.armed.add("backend")
        self._call("POST", "/backend/v1/faults", json={"delay": delay, "times": times})

    def arm_api_fault(self, fault: dict[str, Any]) -> None:
        self.armed.add(fault["api"])
        self._call("POST", "/sim/api/faults", json=fault)

    def disarm(self) -> None:
        """Clear what the run armed and did not use up: in process each run has a fresh app,
        here the next fixture (and the server's own users) would meet the leftovers."""
        for armed in sorted(self.armed):
            if armed == "backend":
                self._call("POST", "/backend/v1/faults", json={"delay": 0})
            else:
                self._call("POST", "/sim/api/faults", json={"api": armed, "errcode": -1,
                                                            "times": 0})
                self._call("POST", "/sim/api/faults", json={"api": armed, "delay": 0,
                                                            "times": 0})
        self.armed.clear()

    def close(self) -> None:
        """Give the server back its language, its own seed and its clock, then hang up."""
        try:
            if self.simulator and self.lang and self.lang != self.served_lang:
                self._call("POST", "/sim/api/lang", json={"lang": self.served_lang})
            if self.simulator and self.runs and self.served_offset is not None:
                self._call("POST", "/backend/v1/reset", json={})
                restored = self._call("POST", "/sim/api/clock", quiet=True,
                                      json={"at": time.time() + self.served_offset})
                if restored is None:
                    raise TargetError("the server's clock could not be moved back "
                                      "(no /sim/api/clock)")
        finally:
            self.client.close()
            self.http.close()

    def _follow(self, answer: dict[str, Any]) -> None:
        """Keep the platform's timestamps on the bot's clock (it may live on another day)."""
        self.clock.offset = float(answer["now"]) - time.time()

    def _call(self, method: str, path: str, *, quiet: bool = False, **kwargs: Any) -> Any:
        """One simulator-API call; 404 is None when `quiet`, any other failure a TargetError.

        A change is always sent as JSON, even with no body: the controls refuse anything else
        (bot/backend/guard.py)."""
        if method != "GET" and "json" not in kwargs:
            kwargs["json"] = {}
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
