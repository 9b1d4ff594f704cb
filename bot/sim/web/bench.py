"""The page's workbench API: each follower's chat and traffic, retries, the clock, reset.

`GET /sim/api/transcript?user=U` -> `{"user", "exchanges": [...]}` oldest first (bytes included).
`POST /sim/api/retry {"id": N}` delivers exchange N's wire bytes again, as the platform's retry.
`GET|POST /sim/api/clock` -> `{"now", "today"}`; POST `{"advance": S}` or `{"at": EPOCH}`.
`Bench.reset` puts seed, sessions, clock and transcripts back (POST /sim/api/reset: reset.py).
"""

from __future__ import annotations

import contextvars
import math
import time
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from bot.clock import ManualClock
from bot.parts import bot_of
from bot.sim.targets.base import standing
from bot.sim.web.steplog import log, step_line
from bot.sim.web.tap import Tap
from bot.sim.web.transcript import Exchange, Transcripts
from bot.sim.wire.client import PlatformClient
from bot.sim.wire.envelope import push_mode
from bot.sim.wire.followers import BadInput, alias_of, openid_of
from bot.store import LockTimeout

bench_api = Blueprint("sim_bench_api", __name__, url_prefix="/sim/api")
RESET_LOCK_TIMEOUT = 2.0  # seconds to wait for a follower's turn before dropping the session
MAX_ADVANCE = 10 * 366 * 86400


class ContextLocal:
    """threading.local that follows the request into its turn's worker (contextvars)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_var", contextvars.ContextVar("wxbot_bench_local"))

    def _space(self) -> SimpleNamespace:
        space = self._var.get(None)
        if space is None:
            space = SimpleNamespace()
            self._var.set(space)
        return space

    def __getattr__(self, name: str) -> Any:
        return getattr(self._space(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._space(), name, value)


class Bench:
    """Per app: the transcripts, the traces the engine reports, where the clock started."""

    def __init__(self, app: Flask) -> None:
        self.bot = bot = bot_of(app)
        self.transcripts = Transcripts()
        self.menu_token: str | None = None  # the mock platform's, for menu/get
        cfg = bot.config  # one platform client, so MsgIds and event times keep rising
        self.client = PlatformClient(
            app, cfg["WECHAT_TOKEN"], aes_key=cfg["WECHAT_AES_KEY"], app_id=cfg["WECHAT_APP_ID"],
            mode=push_mode(cfg), clock=bot.clock)
        bot.on_close.append(self.client.close)
        self.local = ContextLocal()  # this delivery: ours? its trace (seen from its turn too)
        clock = bot.clock
        self.clock_mark = clock.now() if isinstance(clock, ManualClock) else clock.offset
        bot.engine.observers.append(self.observe)

    def observe(self, flow: str, source: str, dest: str) -> None:
        """Engine observer: the transitions of the push this thread is delivering."""
        trace = getattr(self.local, "steps", None)
        if trace is not None:
            trace.append([flow, source, dest])

    def step(self, openid: str) -> dict | None:
        """Where `openid`'s conversation stands: {flow, state}, or None."""
        found = standing(self.bot.store.session(openid))
        return {"flow": found["flow"], "state": found["state"]} if found else None

    def deliver(self, send: Any, openid: str, alias: str, *, kind: str, shown: str,
                retry_of: int | None = None) -> Exchange:
        """Run `send()` (a PlatformClient call) as `openid` and keep what came of it."""
        exchange = self.transcripts.new(openid, at=self.bot.clock.now(), shown=shown, kind=kind,
                                        lang=self.bot.catalog.lang, before=self.step(openid),
                                        retry_of=retry_of)
        self.local.steps, self.local.ours = exchange.trace, True
        try:
            exchange.fill(send())
        finally:
            self.local.steps, self.local.ours = None, False
        exchange.after = self.step(openid)
        log.info(step_line(alias, shown, exchange.before, exchange.after, exchange.status,
                           exchange.latency_ms, exchange.reply_text or exchange.error))
        return exchange

    def rewind_clock(self) -> None:
        """Back to where the clock stood when the server started (a live one keeps ticking)."""
        clock = self.bot.clock
        start = self.clock_mark if isinstance(clock, ManualClock) else time.time() + self.clock_mark
        clock.advance(start - clock.now())

    def reset(self, openids: list[str]) -> list[str]:
        """Seed, sessions (of every follower the simulator knows), clock and transcripts.

        Returns the followers whose turn stayed busy past RESET_LOCK_TIMEOUT (kept as they are).
        """
        self.bot.backend.reset()
        store, busy = self.bot.store, []
        for openid in sorted({*openids, *self.transcripts.followers()}):
            try:
                with store.lock(openid, timeout=RESET_LOCK_TIMEOUT):
                    store.save(openid, None, f"sim-reset:{openid}:{time.time()}", "", 1)
                    for forget in self.bot.forget:  # a hand-over, a pause, notices owed
                        forget(openid)
            except LockTimeout:
                busy.append(openid)
        self.rewind_clock()
        self.transcripts.clear()
        return busy


def bench() -> Bench:
    """This app's bench (one per app, so two test apps never share chats)."""
    return current_app.extensions["wxbot.bench"]


@bench_api.get("/transcript")
def transcript() -> Any:
    """A follower's chat as the server kept it, so a reload or a new tab shows the same."""
    openid = openid_of(request.args.get("user"))
    return jsonify(user=openid,
                   exchanges=[e.as_json() for e in bench().transcripts.of(openid)])


@bench_api.post("/retry")
def retry() -> Any:
    """The platform's retry: the same bytes and signed query; the bot must answer, not act."""
    body = request.get_json(silent=True)
    wanted = body.get("id") if isinstance(body, dict) else None
    first = bench().transcripts.find(wanted) if isinstance(wanted, int) else None
    if first is None or not first.wire_body:
        raise BadInput("'id' must be the id of an exchange this simulator delivered")
    original = first if first.retry_of is None else bench().transcripts.find(first.retry_of)
    source = original or first
    exchange = bench().deliver(
        lambda: bench().client.post(source.wire_body, source.query, user=source.openid),
        source.openid, alias_of(source.openid), kind=source.kind,
        shown=f"(platform retry of #{source.id}) {source.shown}", retry_of=source.id)
    exchange.request_xml = source.request_xml
    return jsonify(exchange.as_json())


@bench_api.route("/clock", methods=["GET", "POST"])
def clock() -> Any:
    """The simulator's clock; moving it is how codes, sessions and the 48 h window expire."""
    clock = bench().bot.clock
    if request.method == "POST":
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        advance, at = body.get("advance"), body.get("at")
        if isinstance(advance, int | float) and not isinstance(advance, bool) \
                and 0 < advance <= MAX_ADVANCE:
            clock.advance(advance)
        elif isinstance(at, int | float) and not isinstance(at, bool) and math.isfinite(at) \
                and at > 0:
            clock.advance(at - clock.now())
        else:
            raise BadInput("send {\"advance\": SECONDS} (up to ten years) or {\"at\": EPOCH}")
    return jsonify(now=clock.now(), today=clock.today().isoformat())


@bench_api.errorhandler(BadInput)
def _bad(exc: BadInput) -> Any:
    return jsonify(error="bad_request", detail=str(exc)), 400


def init_app(app: Flask) -> None:
    """Register the API and the per-app bench (simulator mode only, from bot.sim.web)."""
    app.extensions["wxbot.bench"] = bench = Bench(app)
    Tap(bench)
    app.register_blueprint(bench_api)
