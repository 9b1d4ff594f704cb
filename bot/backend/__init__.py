"""The social-security backend the flows talk to, chosen by configuration.

`make_backend` is the one place that turns BOT_BACKEND / BOT_DATA_DIR / BOT_BACKEND_SEED into
a `Backend`: the in-process SQLite mock, or the HTTP client for a mock served elsewhere.

Rule: implements the flows' port (flows.port) and may import only `bot.backend`, `bot.clock`,
`bot.sqlitedb` and `flows`; it never imports the store, the window or the simulator — the
simulator hosts it, never the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.backend.client import READ_TIMEOUT, HttpBackend
from bot.backend.mock import MockBackend
from bot.backend.seed import SeedError, check
from bot.backend.simulated import SimulatedBackend
from bot.clock import Clock
from flows.port import Backend, BackendError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SEED = Path(__file__).resolve().parent.parent / "data" / "backend.yaml"  # package data

__all__ = [
    "Backend",
    "BackendError",
    "HttpBackend",
    "MockBackend",
    "SeedError",
    "SimulatedBackend",
    "make_backend",
    "seed_path",
    "seed_problem",
    "seed_refusal",
]


def seed_path(value: str | Path | None) -> Path:
    """The seed file for a setting: relative paths from the cwd, else from the repository root."""
    if not value:
        return DEFAULT_SEED
    path = Path(value).expanduser()
    if not path.is_absolute() and not path.exists() and (REPO_ROOT / path).exists():
        return REPO_ROOT / path
    return path


def seed_problem(config: Mapping[str, Any]) -> str | None:
    """Why the mock's seed (BOT_BACKEND_SEED) cannot be loaded, as one line with the fix.

    Checked before `wxbot serve`, `demo` and `backend` start, since the mock reads its seed
    only into an empty database: a mistyped seed would otherwise pass one start and fail the
    next reset, or end a start in a traceback. None when it loads, or no mock is used.
    """
    if str(config.get("BOT_BACKEND") or "mock").strip() != "mock" or config.get("BACKEND"):
        return None
    try:
        check(seed_path(config.get("BOT_BACKEND_SEED")))
    except SeedError as exc:
        return seed_refusal(exc)
    return None


def seed_refusal(exc: SeedError) -> str:
    """A bad BOT_BACKEND_SEED said for the person starting the bot: where, what, the fix."""
    return (f"BOT_BACKEND_SEED {exc}: correct the file there, or unset BOT_BACKEND_SEED to "
            f"use the shipped seed")


def data_dir(value: str | Path | None) -> Path:
    """BOT_DATA_DIR (default ./instance), created if missing."""
    path = Path(value or "instance").expanduser()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds personal data
    return path


def make_backend(config: Mapping[str, Any], clock: Clock) -> SimulatedBackend:
    """The backend BOT_BACKEND names: `mock` (SQLite in BOT_DATA_DIR) or an http(s) base URL."""
    target = str(config.get("BOT_BACKEND") or "mock").strip()
    if target == "mock":
        path = data_dir(config.get("BOT_DATA_DIR")) / "backend.sqlite3"
        return MockBackend(path, seed_path(config.get("BOT_BACKEND_SEED")), clock,
                           config.get("BOT_REGION"))
    if target.startswith(("http://", "https://")):
        return HttpBackend(target, float(config.get("BOT_BACKEND_TIMEOUT") or READ_TIMEOUT))
    raise ValueError(f"BOT_BACKEND must be 'mock' or an http(s)://…/backend/v1 URL, not {target!r}")
