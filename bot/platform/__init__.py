"""The bot's side of the platform's server API: token, sends, templates, menu, user info.

Rule: sans-Flask; may import `bot.clock`, `bot.store` (the token's KV), `bot.config`,
`bot.protocol`; never the window, the outbound parts, the app or the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.clock import Clock
from bot.platform.errors import PlatformError
from bot.platform.wechat_api import PlatformAPI

__all__ = ["PlatformAPI", "PlatformError", "make_platform"]


def make_platform(cfg: Mapping[str, Any], clock: Clock | None = None) -> PlatformAPI | None:
    """The account's API client from the config, or None without an AppID and AppSecret."""
    if not (cfg.get("WECHAT_APP_ID") and cfg.get("WECHAT_APP_SECRET")):
        return None
    return PlatformAPI(cfg["WECHAT_APP_ID"], cfg["WECHAT_APP_SECRET"],
                       base=cfg["WECHAT_API_BASE"],
                       store=cfg.get("BOT_STORE_URL") or cfg["BOT_STORE"], clock=clock)
