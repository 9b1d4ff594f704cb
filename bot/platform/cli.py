"""`wxbot menu push [FILE] | show | delete`: the account's menu through WECHAT_API_BASE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml
from rich.console import Console

from bot.config import ConfigError, load_config
from bot.platform import PlatformAPI, PlatformError, make_platform
from bot.platform.doctor import doctor_command
from bot.platform.menu import default_menu, lines

__all__ = ["doctor_command", "menu_group"]
console = Console()
NO_TOKEN_NEEDED = "menu-commands-need-no-token"  # WECHAT_TOKEN is for pushes, not API calls


def config() -> dict:
    """The settings, with a stand-in WECHAT_TOKEN when only the API is needed."""
    try:
        return load_config({"WECHAT_TOKEN": NO_TOKEN_NEEDED})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def platform(cfg: dict) -> PlatformAPI:
    api = make_platform(cfg)
    if api is None:
        raise click.ClickException(
            "set WECHAT_APP_ID and WECHAT_APP_SECRET (the sandbox page's appID and appsecret); "
            "against `wxbot demo`, also WECHAT_API_BASE=http://127.0.0.1:8080/cgi-bin/")
    return api


def _refused(exc: PlatformError, action: str) -> click.ClickException:
    return click.ClickException(f"{action} failed: {exc} (WECHAT_API_BASE is the platform's "
                                f"URL; the errcode is the platform's own, listed in its "
                                f"global return codes)")


def _load(path: str) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise click.BadParameter(f"not JSON/YAML: {exc}", param_hint="FILE") from None
    if not isinstance(data, dict) or "button" not in data:
        raise click.BadParameter('the menu must be an object like {"button": [...]}',
                                 param_hint="FILE")
    return data


def show(menu: dict[str, Any]) -> None:
    for line in lines(menu):
        console.print(f"  {line}", markup=False)


@click.group("menu")
def menu_group() -> None:
    """The account's custom menu (at most 3 buttons, 5 under each), through WECHAT_API_BASE."""


@menu_group.command("push")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
def push(file: str | None) -> None:
    """Create the menu from FILE (JSON/YAML), or from the flows' menu keys."""
    cfg = config()
    if file:
        menu = _load(file)
    else:
        from flows.catalog import Catalog
        from flows.registry import ALL_FLOWS

        menu = default_menu(ALL_FLOWS, Catalog(cfg["BOT_LANG"]))
    api = platform(cfg)
    try:
        api.menu_create(menu)
    except PlatformError as exc:
        raise _refused(exc, "menu/create") from None
    finally:
        api.close()
    console.print(f"[green]menu pushed[/] to {cfg['WECHAT_API_BASE']}:")
    show(menu)


@menu_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print menu/get's JSON as it came.")
def show_command(as_json: bool) -> None:
    """Print the account's menu as menu/get returns it."""
    cfg = config()
    api = platform(cfg)
    try:
        found = api.menu_get()
    except PlatformError as exc:
        raise _refused(exc, "menu/get") from None
    finally:
        api.close()
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    elif found is None:
        console.print("the account has no menu (46003); [bold]wxbot menu push[/] makes one")
    else:
        show(found.get("menu", {}))


@menu_group.command("delete")
def delete() -> None:
    """Delete the account's menu (and any conditional menus)."""
    cfg = config()
    api = platform(cfg)
    try:
        api.menu_delete()
    except PlatformError as exc:
        raise _refused(exc, "menu/delete") from None
    finally:
        api.close()
    console.print("[green]menu deleted[/]")
