"""A WeChat official-account bot for social-security card services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """Load the factory (Flask, the store, the flows) only when asked, not for every leaf module."""
    if name != "create_app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from bot.app import create_app

    return create_app
