"""The settings as one typed, read-only object: what the start decides on, checked once.

`bot.config` reads and checks the names (a dict, as `create_app` and the parts take them);
`Settings` is that dict typed, with BOT_STORE already parsed (bot/store/url.py), and the
verdicts the start needs: whether late replies could be sent, whether the Token has the shape
the platform accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.config import load_config
from bot.store.url import StoreURL

# The Token the platform's page accepts; a server with another could never pass its URL check.
TOKEN_RULE = re.compile(r"[A-Za-z0-9]{3,32}")
ALLOW_LOST = "--allow-lost-late-replies (or BOT_ALLOW_LOST_LATE_REPLIES=1)"


@dataclass(frozen=True)
class Settings:
    """The checked settings, typed: what the start decides on; `config` has every name."""

    config: Mapping[str, Any]  # read-only: every setting by its contract name, coerced
    token: str
    store: StoreURL  # BOT_STORE, parsed once: the store and its KV open from this
    data_dir: Path
    app_id: str | None
    app_secret: str | None
    api_base: str
    simulator: bool
    reply_deadline: float
    allow_lost_late_replies: bool
    owed_elsewhere: bool  # OUTBOUND_SEND (tests): owed replies do not need the platform's API

    @property
    def lost_late_replies(self) -> str | None:
        """Why a reply that misses the window could not be sent, or None when it could."""
        if self.owed_elsewhere or (self.app_id and self.app_secret):
            return None
        if self.app_id:
            return ("WECHAT_APP_SECRET is unset (WECHAT_APP_ID is set): replies that miss the "
                    "5-s window cannot be sent")
        return ("WECHAT_APP_ID and WECHAT_APP_SECRET are unset: replies that miss the 5-s "
                "window cannot be sent")

    @classmethod
    def of(cls, cfg: Mapping[str, Any]) -> Settings:
        """From a validated dict (validate's output)."""
        return cls(MappingProxyType(dict(cfg)), cfg["WECHAT_TOKEN"], cfg["BOT_STORE_URL"],
                   Path(cfg["BOT_DATA_DIR"]), cfg.get("WECHAT_APP_ID"),
                   cfg.get("WECHAT_APP_SECRET"), cfg["WECHAT_API_BASE"], cfg["BOT_SIMULATOR"],
                   cfg["BOT_REPLY_DEADLINE"], cfg["BOT_ALLOW_LOST_LATE_REPLIES"],
                   bool(cfg.get("OUTBOUND_SEND")))


def load_settings(overrides: Mapping[str, Any] | None = None, *,
                  env_file: str = ".env") -> Settings:
    """The settings, checked once and typed (a ConfigError names the first problem)."""
    return Settings.of(load_config(overrides, env_file=env_file))


def token_problem(token: str) -> str | None:
    """Why the platform would refuse this Token, or None: the one statement of its rule."""
    if TOKEN_RULE.fullmatch(token):
        return None
    odd = sorted({c for c in token if not (c.isascii() and c.isalnum())})
    if odd:  # named, not the token itself: it is a shared secret
        return f"{len(token)} characters, with {' '.join(map(repr, odd))}: letters and digits only"
    return f"{len(token)} characters: the platform takes 3 to 32"
