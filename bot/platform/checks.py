"""The checks `wxbot doctor` runs: each a name, a verdict and, when it fails, the fix."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from bot.config import SUBSCRIBE_KEYWORDS, SUBSCRIBE_SETTINGS
from bot.platform import PlatformAPI, PlatformError
from bot.protocol import sign
from bot.settings import TOKEN_RULE, token_problem

URL_CHECK_TIMEOUT = 5.0  # seconds: the platform itself gives the URL check 5 s
APP_ID = re.compile(r"wx[0-9a-f]{16}")
TOKEN = TOKEN_RULE  # what the sandbox page accepts as Token (bot/config.py: one statement)
AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


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
        Check("WECHAT_TOKEN", bool(TOKEN.fullmatch(token)), token_shape(token),
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


def token_shape(token: str) -> str:
    """Which part of the platform's rule the token breaks, so the fix is not a guess."""
    if not token:
        return "unset"
    return token_problem(token) or f"{len(token)} letters and digits"


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


def token_check(api: PlatformAPI, base: str) -> Check:
    """A real token fetch through `base`."""
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


def subscribe_checks(api: PlatformAPI, cfg: dict) -> list[Check]:
    """Each WECHAT_SUBSCRIBE_* names one of the account's templates, with the keywords the
    bot fills (a missing one would make every notice a 47003 and take the fallback)."""
    named = {kind: cfg[name] for kind, name in SUBSCRIBE_SETTINGS.items() if cfg.get(name)}
    if not named:
        return []
    try:
        templates = {t.get("priTmplId"): t for t in api.subscribe_templates()}
    except PlatformError as exc:
        return [Check("subscribe templates", False, f"gettemplate: {exc}",
                      "subscribe notices need a verified service account with the 订阅通知 "
                      "plugin (a test account has none: 48001); or unset WECHAT_SUBSCRIBE_*")]
    checks = []
    for kind, template in named.items():
        name, found = SUBSCRIBE_SETTINGS[kind], templates.get(template)
        if found is None:
            checks.append(Check(name, False, f"{template[:16]}... is not among the account's "
                                f"{len(templates)} template(s)",
                                "copy a priTmplId from gettemplate, or add one (addtemplate)"))
            continue
        missing = [k for k in SUBSCRIBE_KEYWORDS[kind]
                   if f"{{{{{k}.DATA}}}}" not in str(found.get("content", ""))]
        checks.append(Check(name, not missing, f"{found.get('title', '')}" + (
            f": lacks {', '.join(missing)}" if missing else ""),
            f"choose a template whose keywords are {', '.join(SUBSCRIBE_KEYWORDS[kind])}"))
    return checks
