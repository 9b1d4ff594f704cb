"""The shared workload: synthetic bindable adults, signed requests, and a raw WSGI call.

Every benchmark drives the same conversation (bind card: keyword -> ID number -> name -> card
number -> the SMS code) so their numbers can be set side by side. Requests are built with the
simulator (`PlatformClient.build` + `Envelope.wrap`), so they are signed and sealed exactly as
the platform does it, and are called over bare WSGI so no test-client overhead is measured.
"""

from __future__ import annotations

import io
import os
import platform
import sqlite3
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

from bot.sim.wire.client import PlatformClient
from flows.ids import make_id

TOKEN = "benchtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx0123456789abcdef"
ACCOUNT = "gh_wxbot_bench"
BIND = "绑定社保卡"
STEPS = ("keyword", "id_number", "name", "card", "code")
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


@dataclass(frozen=True)
class Person:
    """One synthetic adult with an active card and a phone of their own."""

    id_number: str
    name: str
    phone: str
    card: str

    def says(self, step: int, code: str = "") -> str:
        """What this person types at `step` (0..4) of the bind-card flow."""
        return (BIND, self.id_number, self.name, self.card, code)[step]


def people(n: int, start: int = 0) -> list[Person]:
    """`n` distinct bindable adults with valid ID check digits (born 1960-1987)."""
    out = []
    for i in range(start, start + n):
        born = date(1960, 1, 1) + timedelta(days=i % 10_000)
        id_number = make_id("110105", born, i // 10_000 % 1000)
        name = "测" + "".join("零一二三四五六七八九"[int(d)] for d in str(i))  # names: no digits
        out.append(Person(id_number, name, f"139{i:08d}", f"Z{i:08d}"))
    return out


def write_seed(path: Path, persons: list[Person]) -> Path:
    """A backend seed (docs/architecture.md, "Seed") holding `persons` and their active cards."""
    seed = {
        "people": [{"id_number": p.id_number, "name": p.name, "phone": p.phone} for p in persons],
        "cards": [{"card_number": p.card, "holder": p.id_number, "password": "147258",
                   "status": "active"} for p in persons],
        "guardianships": [],
    }
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    return path


def bot_config(data_dir: Path, seed: Path, *, safe: bool = False) -> dict[str, Any]:
    """Contract config names for a bot with its own SQLite store and mock backend in `data_dir`."""
    return {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_AES_KEY": AES_KEY if safe else None,
        "WECHAT_APP_ID": APP_ID if safe else None,
        "BOT_DATA_DIR": str(data_dir),
        "BOT_STORE": f"sqlite:///{data_dir / 'bot.sqlite3'}",
        "BOT_BACKEND": "mock",
        "BOT_BACKEND_SEED": str(seed),
        "BOT_SIMULATOR": False,
    }


class Signer:
    """The platform's side for one mode: builds text pushes and signs/seals them."""

    def __init__(self, mode: str = "plaintext") -> None:
        keys = {"aes_key": AES_KEY, "app_id": APP_ID} if mode != "plaintext" else {}
        # The transport is never used: bodies go through `call` below, not the client.
        self.client = PlatformClient(object(), TOKEN, mode=mode, account=ACCOUNT, **keys)

    def request(self, user: str, text: str) -> tuple[dict[str, str], bytes]:
        """Query and body of a signed text push from `user`, timestamped now, fresh nonce."""
        xml = self.client.build("text", user, Content=text)
        body, query = self.client.envelope.wrap(
            xml, account=ACCOUNT, timestamp=self.client.signed_at(), nonce=self.client.nonce(),
            openid=user,
        )
        return query, body.encode()

    def environ(self, user: str, text: str, path: str = "/wechat") -> dict[str, Any]:
        """A ready WSGI environ for one push (its body stream is read once)."""
        query, body = self.request(user, text)
        return environ(query, body, path)


def environ(query: dict[str, str], body: bytes, path: str = "/wechat") -> dict[str, Any]:
    """A minimal, complete WSGI environ for POST `path`?`query` with `body`."""
    return {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": path,
        "QUERY_STRING": urlencode(query), "SERVER_NAME": "bench", "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "text/xml", "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }  # fmt: skip


def call(app: WsgiApp, env: dict[str, Any]) -> tuple[int, bytes]:
    """Call a WSGI app as a server would; the status code and the whole body."""
    status: list[str] = []

    def start_response(line: str, headers: list, exc_info: Any = None) -> Callable:
        status.append(line)
        return lambda _data: None

    chunks = app(env, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return int(status[0].split(" ", 1)[0]), body


def rss_bytes() -> int:
    """This process's resident set size now (not the peak), from /proc."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def machine() -> dict[str, Any]:
    """What the numbers were measured on, so they can be compared fairly later."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    versions = {}
    for dist in ("Flask", "Werkzeug", "wechatpy", "transitions", "WeRoBot", "gunicorn"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "cpu": cpu, "cores": os.cpu_count(), "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, **versions,
    }  # fmt: skip
