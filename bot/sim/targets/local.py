"""The bot in this process: a fresh app per run (or one for a chat), talked to directly.

A run's app plays the whole platform, as `wxbot demo` does: simulator on, an account (the dev one),
and its PlatformAPI routed to its own /cgi-bin/ (bot/sim/targets/wsgi_api.py), so a reply owed
past the deadline reaches the follower through the real mock and `pushed:` can read it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.backend import DEFAULT_SEED, BackendError
from bot.clock import SHANGHAI, Clock, ManualClock
from bot.config import DEMO_SUBSCRIBE
from bot.sim.targets.base import (
    DEV_AES_KEY,
    DEV_APP_ID,
    DEV_APP_SECRET,
    DEV_TOKEN,
    RunSettings,
    TargetError,
    pending_ref,
    sends_in,
    standing,
    template_of,
)
from bot.sim.targets.seeds import as_file
from bot.sim.targets.wsgi_api import IN_PROCESS_BASE, WsgiAdapter, mount
from bot.sim.wire.client import PlatformClient
from bot.sim.wire.delivery import Delivery
from flows.catalog import DEFAULT_LANG

Observer = Callable[[str, str, str], None]


def run_config(run: RunSettings, data_dir: str) -> dict[str, Any]:
    """The app settings a run asks for: seed, language, day, deadline; the dev account, which
    the simulator's mock platform plays (it takes the bot's own AppID and secret)."""
    today = run.today or datetime.now(SHANGHAI).date()
    config = {
        "WECHAT_TOKEN": DEV_TOKEN, "WECHAT_AES_KEY": DEV_AES_KEY, "WECHAT_APP_ID": DEV_APP_ID,
        "WECHAT_APP_SECRET": DEV_APP_SECRET, "WECHAT_API_BASE": IN_PROCESS_BASE,
        "BOT_STORE": "memory://", "BOT_DATA_DIR": data_dir, "BOT_BACKEND": "mock",
        "BOT_BACKEND_SEED": str(as_file(run.seed, Path(data_dir)) if run.seed else DEFAULT_SEED),
        "BOT_LANG": run.lang or DEFAULT_LANG,
        "BOT_SESSION_TTL": 900, "BOT_SIMULATOR": True, "BOT_RECORD_DIR": None,
        "CLOCK": ManualClock(today),  # 10:00 in Shanghai, so ages and expiries are exact
        **DEMO_SUBSCRIBE,  # the demo's subscribe-notice templates, as `wxbot demo` has them
    }
    if run.reply_deadline is not None:
        config["BOT_REPLY_DEADLINE"] = run.reply_deadline
    return config


class Local:
    """A Flask app built here, with the platform's client wrapped around it."""

    where = "in process"

    def __init__(self, config: Mapping[str, Any], *, mode: str = "plaintext",
                 observers: Iterable[Observer] = (), data_dir: Any = None) -> None:
        from bot import create_app  # the in-process target: the one sim module that builds an app
        from bot.parts import bot_of

        self._tmp = data_dir  # a TemporaryDirectory to clean up, if this target owns one
        self.app = create_app(dict(config))
        self.bot = bot_of(self.app)
        self.bot.engine.observers.extend(observers)
        cfg = self.bot.config
        self.client = PlatformClient(self.app, cfg["WECHAT_TOKEN"], aes_key=cfg["WECHAT_AES_KEY"],
                                     app_id=cfg["WECHAT_APP_ID"], mode=mode, clock=self.bot.clock)
        self.after_step: list[Callable[[str], None]] = []
        self.reply_deadline: float | None = cfg["BOT_REPLY_DEADLINE"]
        self.api = self._route_api_home()

    def _route_api_home(self) -> WsgiAdapter | None:
        """The bot's platform calls go to this app's own mock, when it serves one at its base."""
        platform, cfg = self.bot.platform, self.bot.config
        at_home = cfg["BOT_SIMULATOR"] and cfg["WECHAT_API_BASE"] == IN_PROCESS_BASE
        if platform is None or not at_home:
            return None
        return mount(platform.client._http, IN_PROCESS_BASE, self.app)  # noqa: SLF001

    @classmethod
    def for_run(cls, run: RunSettings, *, mode: str = "plaintext",
                observers: Iterable[Observer] = (),
                extra: Mapping[str, Any] | None = None) -> Local:
        """A fresh app in a fresh temporary data dir, set up as the run asks."""
        tmp = tempfile.TemporaryDirectory(prefix="wxbot-replay-")
        try:
            config = {**run_config(run, tmp.name), **(extra or {})}
            return cls(config, mode=mode, observers=observers, data_dir=tmp)
        except BaseException:
            tmp.cleanup()
            raise

    def openid(self, openid: str) -> str:
        return openid

    def send(self, kind: str, user: str, fields: dict[str, Any]) -> Delivery:
        delivery = self.client.send(kind, user, **fields)
        for hook in self.after_step:
            hook(user)
        return delivery

    def sms(self, phone: str) -> list[dict[str, Any]]:
        return self.bot.backend.sms_outbox(phone)

    def advance(self, seconds: float) -> None:
        self.bot.clock.advance(seconds)

    def pushed(self, user: str) -> list[dict[str, Any]]:
        return self.sim_api("/sim/api/outbound", user=user)["messages"]

    def sends_answered(self) -> int:
        if self.api is None:
            raise TargetError("this app's platform API is not the simulator's own")
        # The mock's own counters, as over --url: it counts a call as it enters, before it logs
        # the message, so a message seen in the log is never ahead of its count. (Counting at
        # the adapter, after the answer, lagged the log: a step that saw its push could end
        # before the count moved, and the next step's mark then took that send for its own.)
        return sends_in(self.sim_api("/sim/api/platform")["counters"])

    def sim_api(self, path: str, **params: str) -> Any:
        """GET one of the app's simulator controls (the mock's log, its counters) as --url does."""
        answer = self.app.test_client().get(path, query_string=params)
        try:
            if answer.status_code != 200:
                raise TargetError(f"GET {path}: HTTP {answer.status_code} (BOT_SIMULATOR off?)")
            return answer.get_json()
        finally:
            answer.close()

    def sim_post(self, path: str, body: dict[str, Any], what: str) -> None:
        """POST to one of the app's simulator controls; `what` names the act in the error."""
        answer = self.app.test_client().post(path, json=body)
        try:
            if answer.status_code != 200:
                raise TargetError(f"{what}: HTTP {answer.status_code} "
                                  f"{answer.get_data(as_text=True)[:200]}")
        finally:
            answer.close()

    def agent(self, action: str, user: str, text: str | None = None) -> None:
        body = {"user": user, **({"text": text} if text is not None else {})}
        self.sim_post(f"/sim/api/agents/{action}", body, f"agent {action} {user}")

    def agent_of(self, user: str) -> str:
        return str(self.sim_api("/sim/api/agents/follower", user=user).get("agent") or "")

    def subscribe(self, user: str, template: str, accept: bool) -> None:
        found = template_of(self.sim_api("/sim/api/subscriptions", user=user)["templates"],
                            template)
        self.sim_post("/sim/api/subscribe", {"user": user, "template": found, "accept": accept},
                      f"subscribe {user}")

    def set_today(self, day: date) -> None:
        """Live on `day` (chat's --today); a ManualClock goes to 10:00 that day."""
        clock: Clock = self.bot.clock
        clock.set_today(day)

    def state(self, user: str) -> dict[str, Any] | None:
        return standing(self.bot.store.session(user))

    def decide_review(self, user: str, approve: bool) -> str:
        if not hasattr(self.bot.backend, "reviews"):
            raise TargetError("this backend keeps no reviews")
        reviews = [{"ref": r.ref, "status": r.status} for r in self.bot.backend.reviews(user)]
        ref = pending_ref(reviews, user)
        self.bot.backend.decide_review(ref, approve)
        return ref

    def set_card_status(self, card_number: str, status: str) -> None:
        self._change(lambda b: b.set_card_status(card_number, status))

    def bind_card(self, card_number: str, openid: str) -> None:
        self._change(lambda b: b.bind(card_number, openid))

    def arm_faults(self, delay: float, times: int) -> None:
        self._change(lambda b: b.arm_faults(delay, times))

    def arm_api_fault(self, fault: dict[str, Any]) -> None:
        answer = self.app.test_client().post("/sim/api/faults", json=fault)
        try:
            if answer.status_code != 200:
                raise TargetError(f"the mock platform refused the fault: "
                                  f"{answer.get_data(as_text=True)[:200]}")
        finally:
            answer.close()

    def _change(self, change: Callable[[Any], Any]) -> None:
        try:
            change(self.bot.backend)
        except (BackendError, ValueError, AttributeError) as exc:
            raise TargetError(f"the backend refused the change: {exc}") from None

    def reset(self, seed: str | Path | None = None) -> None:
        """Back to the seed (chat's /reset), ending every conversation as the page's reset does."""
        self.bot.backend.reset(seed)
        self.bot.store.clear_sessions()

    def close(self) -> None:
        self.client.close()
        self.bot.close()
        if self._tmp is not None and hasattr(self._tmp, "cleanup"):
            self._tmp.cleanup()


def local_targets(*, mode: str = "plaintext", coverage: Any = None,
                  extra: Mapping[str, Any] | None = None
                  ) -> Callable[[RunSettings], AbstractContextManager[Local]]:
    """For `replay`: a fresh app per run; with `coverage`, its moves and sessions recorded.
    Its store is thrown away with the run: the app does not warn about what the store keeps."""
    extra = {"THROWAWAY_STORE": True, **(extra or {})}

    @contextmanager
    def target_for(run: RunSettings) -> Iterator[Local]:
        observers = [coverage.observe] if coverage is not None else []
        local = Local.for_run(run, mode=mode, observers=observers, extra=extra)
        if coverage is not None:
            local.after_step.append(lambda user: coverage.saw_session(local.state(user)))
        try:
            yield local
        finally:
            local.close()

    return target_for
