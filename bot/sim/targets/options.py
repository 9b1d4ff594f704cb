"""The platform settings every simulator command takes, declared once for chat and replay."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from bot.sim.targets.base import DEV_TOKEN, MODES

F = TypeVar("F", bound=Callable[..., object])
OPTIONS = (
    click.option("--mode", type=click.Choice(MODES), default="plaintext", show_default=True,
                 help="How the platform seals messages."),
    click.option("--token", envvar="WECHAT_TOKEN", default=DEV_TOKEN, show_default=True,
                 help="The token (env WECHAT_TOKEN); --url only."),
    click.option("--aes-key", envvar="WECHAT_AES_KEY", help="EncodingAESKey (env WECHAT_AES_KEY)."),
    click.option("--app-id", envvar="WECHAT_APP_ID", help="AppID (env WECHAT_APP_ID)."),
)


def platform_options(command: F) -> F:
    """Add --mode, --token, --aes-key and --app-id, in that order, to a click command."""
    for option in reversed(OPTIONS):
        command = option(command)
    return command


def check_platform(url: str | None, mode: str, aes_key: str | None, app_id: str | None) -> None:
    """A running bot can only be sealed for with its key: refuse the call before any traffic."""
    if url and mode != "plaintext" and not (aes_key and app_id):
        raise click.UsageError(f"--mode {mode} needs --aes-key and --app-id "
                               "(or WECHAT_AES_KEY / WECHAT_APP_ID)")
