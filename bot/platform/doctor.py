"""`wxbot doctor [--url PUBLIC_URL]`: will the sandbox (or the platform) reach this bot?

Exit 0 only when every check (bot/platform/checks.py) holds; each failure comes with its fix.
"""

from __future__ import annotations

import click
from rich.console import Console

from bot.config import ConfigError, merged, validate
from bot.platform import PlatformError, make_platform
from bot.platform.checks import Check, config_checks, subscribe_checks, token_check, url_check
from bot.platform.menu import lines

RETRY_BUDGET = 1.0  # seconds of retries: a person is waiting, and one retry shows flakiness
console = Console()


@click.command("doctor")
@click.option("--url", "public_url", help="The public URL the platform will call.")
def doctor_command(public_url: str | None) -> None:
    """Check the config, fetch a token, check the URL the platform calls, show the menu."""
    raw = merged()
    checks = config_checks(raw)
    try:  # the rest of the config, with the faults just reported set aside
        cfg = validate({**raw, "WECHAT_TOKEN": raw.get("WECHAT_TOKEN") or "-",
                        "WECHAT_AES_KEY": raw.get("WECHAT_AES_KEY") if checks[1].ok else None})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    cfg["WECHAT_TOKEN"] = raw.get("WECHAT_TOKEN") or ""
    api, menu = make_platform(cfg), None
    if api is not None:
        api.budget = RETRY_BUDGET
        try:
            checks.append(token_check(api, cfg["WECHAT_API_BASE"]))
            if checks[-1].ok:
                checks.extend(subscribe_checks(api, cfg))
                menu = api.menu_get()
        except PlatformError as exc:
            checks.append(Check("menu", False, f"menu/get: {exc}", "see the errcode"))
        finally:
            api.close()
    else:
        checks.append(Check("access token", False, "not tried",
                            "set WECHAT_APP_ID and WECHAT_APP_SECRET"))
    if public_url:
        checks.append(url_check(public_url, cfg["WECHAT_TOKEN"]))
    report(checks, menu, cfg, public_url)
    if not all(c.ok for c in checks):
        raise SystemExit(1)


def report(checks: list[Check], menu: dict | None, cfg: dict, url: str | None) -> None:
    for check in checks:
        mark = "[green]✓[/]" if check.ok else "[red]✗[/]"
        console.print(f"{mark} [bold]{check.name}[/]: {check.detail}", highlight=False)
        if not check.ok:
            console.print(f"    fix: {check.fix}", highlight=False)
    console.print("[bold]menu[/]:" if menu else "menu: none yet (`wxbot menu push` makes one)")
    for line in lines((menu or {}).get("menu", {})):
        console.print(f"    {line}", markup=False)
    console.print("\n[bold]Paste into the sandbox page (接口配置信息):[/]")
    console.print(f"    URL:   {url or 'https://<your tunnel>/wechat'}", markup=False)
    console.print(f"    Token: {cfg.get('WECHAT_TOKEN') or '<set WECHAT_TOKEN>'}", markup=False)
    if cfg.get("WECHAT_AES_KEY"):
        console.print("    (the sandbox has no EncodingAESKey: it pushes plaintext, which the "
                      "bot also accepts)")
