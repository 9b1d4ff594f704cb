"""The platform's pushes to the bot: TEMPLATESENDJOBFINISH after a template send, kf_* events,
subscribe_msg_* events.

It goes through the simulator's wire client in process, on its own thread a moment after
the send's answer, as the platform's does: the bot may well be calling template/send from
inside the follower's turn, so a push made on the caller's thread would wait for itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from bot.parts import bot_of
from bot.sim.wire.client import PlatformClient
from bot.sim.wire.envelope import push_mode

log = logging.getLogger(__name__)
PUSH_DELAY = 0.05  # seconds between the send's answer and the push, as the platform lags
JOIN = 10.0  # seconds close() waits for pushes still on their way


class TemplatePushes:
    """Pushes one TEMPLATESENDJOBFINISH per template sent."""

    def __init__(self, app: Any, *, plaintext: bool,
                 count: Callable[[str], object] = lambda _name: None) -> None:
        bot = bot_of(app)
        cfg = bot.config
        mode = "plaintext" if plaintext else push_mode(cfg)
        self.client = PlatformClient(app, cfg["WECHAT_TOKEN"], aes_key=cfg["WECHAT_AES_KEY"],
                                     app_id=cfg["WECHAT_APP_ID"], mode=mode,
                                     clock=bot.clock)
        self.count = count  # the mock's counters: pushes made, by the bot's HTTP status
        self._threads: list[threading.Thread] = []
        self._guard = threading.Lock()
        self._stopped = threading.Event()

    def __call__(self, openid: str, msgid: int) -> None:
        self._later(self._push, openid, msgid)

    def _later(self, push: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=push, args=args, name="wx-later-push", daemon=True)
        with self._guard:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _push(self, openid: str, msgid: int) -> None:
        if self._stopped.wait(PUSH_DELAY):
            return
        try:
            delivery = self.client.event(openid, "TEMPLATESENDJOBFINISH", None, MsgID=msgid,
                                         Status="success")
        except Exception:  # a simulator thread: say what broke, keep the server up
            log.exception("TEMPLATESENDJOBFINISH push for msgid %s failed", msgid)
            self.count("pushes:template_finish:failed")
            return
        self.count(f"pushes:template_finish:{delivery.status}")
        if delivery.status != 200:
            log.warning("the bot answered the TEMPLATESENDJOBFINISH push with HTTP %s",
                        delivery.status)

    def subscribe(self, openid: str, event: str, wrapper: str, items: list[dict],
                  later: bool) -> None:
        """A subscribe_msg_* event, one <List> per template: the follower's popup or settings
        act pushes at once (as kf does); a send's result `later`, since the bot's courier, or
        a turn, may be the caller and waiting on its own answer."""
        if later:
            self._later(self._after_delay, openid, event, {wrapper: {"List": items}})
        else:
            self.kf(openid, event, **{wrapper: {"List": items}})

    def _after_delay(self, openid: str, event: str, fields: dict) -> None:
        if not self._stopped.wait(PUSH_DELAY):
            self.kf(openid, event, **fields)

    def kf(self, openid: str, event: str, **fields: Any) -> None:
        """A kf_* event, pushed at once on the caller's thread: the agent's action made it
        (never a bot turn, which could wait on itself), and whoever acted next may rely on it.
        """
        try:
            delivery = self.client.event(openid, event, None, **fields)
        except Exception:  # a simulator push: say what broke, keep the agent's action done
            log.exception("%s push failed", event)
            self.count(f"pushes:{event}:failed")
            return
        self.count(f"pushes:{event}:{delivery.status}")

    def close(self) -> None:
        self._stopped.set()
        with self._guard:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(JOIN)
        self.client.close()
