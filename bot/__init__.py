"""A WeChat official-account bot for social-security card services."""

from bot.app import create_app

__all__ = ["create_app"]
