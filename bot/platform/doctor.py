"""`wxbot doctor [--url PUBLIC_URL]`: will the sandbox (or the platform) reach this bot?

Each check is a name, a verdict and, when it fails, the fix. Exit 0 only when all hold.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import click
import requests
from rich.console import Console

from bot.config import ConfigError, merged, validate
from bot.platform import PlatformAPI, PlatformError, make_platform
from bot.platform.menu import lines
from bot.protocol import sign

RETRY_BUDGET = 1.0  # seconds of retries: a person is waiting, and one retry shows flakiness
URL_CHECK_TIMEOUT = 5.0  # seconds: the platform itself gives the URL check 5 s
APP_ID = re.compile(r"wx[0-9a-f]{16}")
TOKEN = re.compile(r"[A-Za-z0-9]{3,32}")  # what the sandbox page accepts as Token
AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
console = Console()


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def config_checks(cfg: dict) -> list[Check]:
    token, key, appid = cfg.get("WECHAT_TOKEN") or "", cfg.get("WECHAT_AES_KEY"), \
        cfg.get("WECHAT_APP_ID") or ""
    return [
        Check("WECHAT_TOKEN", bool(TOKEN.fullmatch(token)), f"{len(token)} characters",
              "3-32 letters or digits, the same as the Token on the platform's page"),
        Check("WECHAT_AES_KEY", key is None or bool(AES_KEY.fullmatch(key)),
              "unset: plaintext (the sandbox's only mode)" if key is None
              else f"{len(key)} characters",
              "the 43-character EncodingAESKey from the platform's page, or unset it"),
        Check("WECHAT_APP_ID", bool(APP_ID.fullmatch(appid)), appid or "unset",
              "the appID from the sandbox page: wx and 16 hex digits"),
        Check("WECHAT_APP_SECRET", bool(cfg.get("WECHAT_APP_SECRET")),
              "set" if cfg.get("WECHAT_APP_SECRET") else "unset",
              "the appsecret from the sandbox page"),
    ]


def url_check(url: str, token: str) -> Check:
    """The signed GET the platform sends when the URL is saved; the bot must echo echostr."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return Check("URL", False, url, "give the public URL, like https://abc.example/wechat")
    if not parts.path.rstrip("/").endswith("/wechat"):
        url = url.rstrip("/") + "/wechat"
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    echostr = str(secrets.randbelow(10**18))
    query = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp,
             "nonce": nonce, "echostr": echostr}
    try:
        with requests.get(url, params=query, timeout=URL_CHECK_TIMEOUT) as answer:
            status, body = answer.status_code, answer.text
    except requests.RequestException as exc:
        return Check("URL", False, f"{url}: {type(exc).__name__}",
                     "start `wxbot serve` and the tunnel in front of it; check the address")
    if status == 200 and body == echostr:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if parts.hostname in LOOPBACK:
            return Check("URL", True, f"{url} echoed echostr (loopback: the platform itself "
                                      f"needs a public URL on port 80 or 443)")
        if port not in (80, 443):
            return Check("URL", False, f"{url} echoes, but on port {port}",
                         "the platform only calls ports 80 (http) and 443 (https)")
        return Check("URL", True, f"{url} echoed echostr")
    fix = ("WECHAT_TOKEN differs from the server's token" if status == 403
           else "the URL must reach the bot's /wechat")
    return Check("URL", False, f"{url}: HTTP {status}, {body[:60]!r}", fix)


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
            checks.append(_token_check(api, cfg["WECHAT_API_BASE"]))
            if checks[-1].ok:
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


def _token_check(api: PlatformAPI, base: str) -> Check:
    try:
        api.renew_token()  # a real fetch, so a wrong secret shows even with a cached token
    except PlatformError as exc:
        return Check("access token", False, f"{base}: {exc}", _token_fix(exc))
    return Check("access token", True, f"fetched from {base}")


def _token_fix(exc: PlatformError) -> str:
    return {40013: "WECHAT_APP_ID is not this platform's appID",
            40001: "WECHAT_APP_SECRET is wrong (copy appsecret again)",
            40125: "WECHAT_APP_SECRET is malformed (copy appsecret again)",
            40164: "add this machine's IP to the platform's whitelist"}.get(
        exc.errcode or 0, "check WECHAT_API_BASE (default https://api.weixin.qq.com/cgi-bin/)")


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
