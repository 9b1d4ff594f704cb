"""The app with its mock platform API served over real HTTP on a loopback port, in process.

In process so tests can hold the ManualClock; over HTTP so wechatpy and PlatformAPI talk to
it exactly as they talk to api.weixin.qq.com.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from wechatpy import WeChatClient
from werkzeug.serving import make_server

from bot import create_app
from bot.clock import ManualClock
from bot.parts import bot_of
from bot.sim.mockplatform import DEMO_APP_ID, DEMO_APP_SECRET
from bot.sim.wire.client import PlatformClient

TOKEN = "testtoken"  # the platform's rule: 3-32 letters and digits
HTTP_TIMEOUT = 10.0  # seconds for a test's own HTTP calls (the machine is shared and slow)


class Live:
    """A served app: its URL, clock, bot, the wire client for pushes, and mock counters."""

    def __init__(self, app: Any, url: str, clock: ManualClock) -> None:
        self.app, self.url, self.clock = app, url, clock
        self.bot = bot_of(app)
        self.base = f"{url}/cgi-bin/"
        self.wechat = PlatformClient(app, TOKEN, clock=clock)
        self.http = requests.Session()
        self.clients: list[WeChatClient] = []

    def counter(self, name: str) -> int:
        got = self.http.get(f"{self.url}/sim/api/platform", timeout=HTTP_TIMEOUT).json()
        return got["counters"].get(name, 0)

    def fault(self, api: str, errcode: int, times: int = 1) -> None:
        answer = self.http.post(f"{self.url}/sim/api/faults", timeout=HTTP_TIMEOUT,
                                json={"api": api, "errcode": errcode, "times": times})
        assert answer.status_code == 200, answer.text

    def outbound(self, user: str) -> list[dict]:
        got = self.http.get(f"{self.url}/sim/api/outbound", params={"user": user},
                            timeout=HTTP_TIMEOUT)
        return got.json()["messages"]

    def wechatpy(self, **kwargs: Any) -> WeChatClient:
        client = wechatpy_client(self.base, **kwargs)
        self.clients.append(client)
        return client


def wechatpy_client(base: str, **kwargs: Any) -> WeChatClient:
    """wechatpy's own client pointed at `base`, as platform-api.md §2.5 (1) says users do."""

    class LocalClient(WeChatClient):
        API_BASE_URL = base

        def fetch_access_token(self):  # noqa: ANN202 - wechatpy's signature
            return self._fetch_access_token(url=base + "token", params={
                "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})

    return LocalClient(DEMO_APP_ID, DEMO_APP_SECRET, timeout=HTTP_TIMEOUT, **kwargs)


@contextmanager
def live(tmp_path: Path, clock: ManualClock, **config: Any) -> Iterator[Live]:
    """Serve the app (simulator on, the demo account) on a free port until the block ends."""
    cfg = {"WECHAT_TOKEN": TOKEN, "BOT_SIMULATOR": True, "WECHAT_APP_ID": DEMO_APP_ID,
           "WECHAT_APP_SECRET": DEMO_APP_SECRET, "BOT_DATA_DIR": str(tmp_path),
           "CLOCK": clock, **config}
    app = create_app(cfg)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    if bot_of(app).platform is not None:  # the port was not known before
        bot_of(app).platform.base = f"{url}/cgi-bin/"
    thread = threading.Thread(target=server.serve_forever, name="mock-platform", daemon=True)
    thread.start()
    served = Live(app, url, clock)
    try:
        yield served
    finally:
        served.http.close()
        for client in served.clients:
            client._http.close()  # noqa: SLF001 - wechatpy has no close()
        server.shutdown()
        server.server_close()
        thread.join(10)
        served.wechat.close()
        served.bot.close()
