"""The platform API an in-process bot calls, answered by its own /cgi-bin/, without sockets.

In process there is no HTTP server, so the bot's PlatformAPI could not reach the mock at
WECHAT_API_BASE. This requests adapter, mounted on that client's session, hands each call to
the app's WSGI side through werkzeug's test client: the bot's code runs unchanged, and the
token fetch, the 48-hour window and the quotas are the mock's own.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.test import Client

# The base the in-process bot is given: `.invalid` never resolves (RFC 2606), so a call that
# missed the adapter fails at once instead of reaching some real host.
IN_PROCESS_BASE = "http://in-process.invalid/cgi-bin/"


class WsgiAdapter(BaseAdapter):
    """Answers requests from a WSGI app; counts the answered calls by path."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app
        self._answered: Counter[str] = Counter()
        self._guard = threading.Lock()

    def send(self, request: PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> Response:
        """One call through the app (its own code bounds it; `timeout` has no socket to bind)."""
        url = urlsplit(request.url or "")
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = Client(self.app).open(url.path, method=request.method or "GET",
                                       query_string=url.query, data=body,
                                       headers=list(request.headers.items()))
        try:
            response = Response()
            response.status_code = answer.status_code
            response.reason = answer.status.partition(" ")[2]
            response.headers = CaseInsensitiveDict(answer.headers.items())
            response.encoding = get_encoding_from_headers(response.headers)
            response._content = answer.get_data()  # noqa: SLF001 - how requests holds a body
            response.url, response.request = request.url or "", request
        finally:
            answer.close()
        with self._guard:
            self._answered[url.path] += 1
        return response

    def answered(self, *paths: str) -> int:
        """How many calls to any of `paths` the app has answered (refusals included)."""
        with self._guard:
            return sum(self._answered[path] for path in paths)

    def close(self) -> None:
        """Nothing to release: a test client per call."""


def mount(session: Any, base: str, app: Any) -> WsgiAdapter:
    """Route every request `session` makes under `base` to `app`; the adapter, for counting."""
    adapter = WsgiAdapter(app)
    session.mount(base, adapter)
    return adapter
