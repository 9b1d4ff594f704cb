"""The developer's controls answer this machine's own pages and tools, never another site.

/sim, /backend/v1 and /cgi-bin have no login by design: they listen on loopback, and whoever
sits at the machine may reset the state, move the clock and read every SMS code. But a web page
the developer visits can reach loopback too. A form or a `fetch` with `text/plain` goes out with
no CORS preflight, so it could reset the backend or arm faults; and DNS rebinding (evil.example
answering 127.0.0.1) makes the browser read the answers, SMS codes included, as evil.example's.
Three checks close both, before any route runs:

- **Host** is a loopback name (localhost, 127.0.0.0/8, ::1) or one configured
  (BOT_SIMULATOR_HOSTS; `wxbot serve --host H --allow-remote-simulator` adds H): a rebinding
  page's requests carry the attacker's name.
- **Origin**, when sent, is this very origin (browsers send it on every cross-site POST and CORS
  fetch); `Sec-Fetch-Site: cross-site` is refused too.
- **Content-Type** of a state-changing request is JSON (or YAML for a seed): a page on another
  site can send those only after a preflight this server never grants.

The page's own fetches, `wxbot replay/chat --url`, the bot's backend client and curl with
`-H 'Content-Type: application/json'` pass all three.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request

GUARDED = ("/sim", "/backend/v1", "/cgi-bin", "/wxaapi")
TYPED = ("/sim", "/backend/v1")  # /cgi-bin takes what the platform's API takes: any body
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BODY_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml",
              "text/x-yaml")  # none of them is a type a cross-site form may send
EXTENSION = "wxbot.guard"


def host_name(host: str) -> str:
    """`HOST[:PORT]` or `[V6][:PORT]` -> the name alone, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(name: str) -> bool:
    """Names only this machine answers: localhost (and *.localhost), 127.0.0.0/8, ::1."""
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refusal(status: int, error: str, detail: str) -> tuple[Response, int]:
    return jsonify(error=error, detail=detail), status


def check(allowed: frozenset[str]) -> tuple[Response, int] | None:
    """Why the current request may not reach a control (a JSON 4xx), or None."""
    name = host_name(request.host)
    if not (is_loopback(name) or name in allowed):
        return refusal(403, "host_refused", "the simulator answers loopback names only "
                       "(add this host to BOT_SIMULATOR_HOSTS if it is yours)")
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        if (parts.scheme, parts.netloc.lower()) != (request.scheme, request.host.lower()):
            return refusal(403, "cross_origin", "requests from another site are refused")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return refusal(403, "cross_origin", "requests from another site are refused")
    if request.method not in SAFE_METHODS and request.path.startswith(TYPED) and \
            request.mimetype not in BODY_TYPES:
        return refusal(415, "json_required", "send Content-Type: application/json (state-"
                       "changing requests must be JSON, which another site cannot send unasked)")
    return None


def guard(app: Flask, hosts: Iterable[str] = ()) -> None:
    """Check every request to the controls of `app`; `hosts` are names allowed beside loopback.
    Idempotent: the simulator and the hosted backend may both ask for it."""
    allowed = frozenset(host_name(h) for h in hosts if h.strip())
    if EXTENSION in app.extensions:
        app.extensions[EXTENSION].update(allowed)
        return
    app.extensions[EXTENSION] = set(allowed)

    @app.before_request
    def _guard() -> tuple[Response, int] | None:
        if not request.path.startswith(GUARDED):
            return None
        return check(frozenset(app.extensions[EXTENSION]))


def configured_hosts(setting: object) -> list[str]:
    """BOT_SIMULATOR_HOSTS: comma-separated names (a list passes through)."""
    if isinstance(setting, str):
        return [h.strip() for h in setting.split(",") if h.strip()]
    return [str(h) for h in (setting or ())]
