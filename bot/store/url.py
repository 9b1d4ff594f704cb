"""BOT_STORE read once into a typed value: which kind of store, and where it lives.

The store and its KV are opened from this value (bot/store/__init__.py, bot/store/kv.py), so
the URL's forms are known in one place; `reach` is the start's bounded check that the store
answers, so a wrong address is one line at start instead of a traceback every half second.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

FORMS = "sqlite:///PATH, memory://, redis://HOST:PORT/DB or redis+cluster://HOST:PORT"
KINDS = {"sqlite:///": "sqlite", "memory://": "memory", "redis://": "redis",
         "redis+cluster://": "redis+cluster"}
# The start's connect check: this many tries, spread over about REACH_WITHIN seconds, so a
# Redis still starting beside the bot is waited for, and a wrong address is said quickly.
REACH_TRIES = 3
REACH_WITHIN = 2.0


class StoreURLError(ValueError):
    """BOT_STORE has no form the bot knows, or names a store that does not answer."""


@dataclass(frozen=True)
class StoreURL:
    """`kind` is sqlite, memory, redis or redis+cluster; `path` the SQLite file (else "")."""

    url: str
    kind: str
    path: str = ""

    def __str__(self) -> str:
        return self.url

    @property
    def shared(self) -> bool:
        """Whether several processes see the same conversations through it."""
        return self.kind != "memory"


def parse_store_url(url: str | StoreURL) -> StoreURL:
    """The typed form of a BOT_STORE value; a StoreURLError naming the forms when unknown."""
    if isinstance(url, StoreURL):
        return url
    text = str(url).strip()
    for prefix, kind in KINDS.items():
        if text.startswith(prefix):
            path = text[len(prefix):] if kind == "sqlite" else ""
            if kind == "sqlite" and not path:
                break
            return StoreURL(text, kind, path)
    raise StoreURLError(f"BOT_STORE must be {FORMS}, got {text!r}")


def reach(store: StoreURL, tries: int = REACH_TRIES, within: float = REACH_WITHIN) -> None:
    """Raise StoreURLError (one line, no address beyond the kind) unless the store answers."""
    if store.kind == "memory":
        return
    if store.kind == "sqlite":
        folder = Path(store.path).parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # the store makes missing folders: the first one found
        if not folder.is_dir() or not _writable(folder):
            raise StoreURLError(f"BOT_STORE: cannot write {store.path} (folder {folder} is "
                                f"not writable): point BOT_STORE or BOT_DATA_DIR at a folder "
                                f"this user may write")
        return
    pause, last = within / max(1, tries), ""
    for attempt in range(tries):
        try:
            _ping(store, timeout=pause)
            return
        except Exception as exc:  # redis-py's errors and OSErrors alike: the kind is the reason
            last = type(exc).__name__
        if attempt + 1 < tries:
            time.sleep(pause)
    raise StoreURLError(f"BOT_STORE ({store.kind}) did not answer {tries} tries in "
                        f"{within:.0f} s ({last}): start Redis or fix the address in BOT_STORE")


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _ping(store: StoreURL, timeout: float) -> None:
    import redis

    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    if store.kind == "redis+cluster":
        from redis.cluster import RedisCluster

        client = RedisCluster.from_url("redis://" + store.url[len("redis+cluster://"):],
                                       **options)
    else:
        client = redis.Redis.from_url(store.url, **options)
    try:
        client.ping()
    finally:
        client.close()
