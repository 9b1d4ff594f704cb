"""Settings from a dict, the environment and `.env`, under the contract's names."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from bot.store.url import StoreURLError, parse_store_url
from flows.catalog import DEFAULT_LANG, LANGS
from flows.regions import DEFAULT_REGION, regions

# Shipped inside the package (a plain `pip install .` has no source tree); the repository's
# fixtures/backend.yaml is a link to this same file, so fixtures' `seed: ../backend.yaml` holds.
DEFAULT_SEED = Path(__file__).resolve().parent / "data" / "backend.yaml"
# `wxbot demo`'s and the simulator's token: the shape the platform accepts (3-32 letters or
# digits), so `wxbot doctor` passes against the demo; public, never a real account's Token.
DEV_TOKEN = "devtoken"
# The account `wxbot demo` and a simulator without WECHAT_APP_ID play (AppID shape wx + 16 hex).
DEMO_APP_ID = "wx5e1f0d2c3b4a6978"
DEMO_APP_SECRET = "demo0secret0for0the0mock0platform"
# The simulator's one way in (bot/sim/mount.py), named as data: the bot never imports its
# simulator, so no import arrow runs from the bot up to it (tests/test_layers.py).
SIMULATOR = "bot.sim.mount"
# The account's message encryption setting, as on the platform (bot.protocol.MODES, named
# here too: config imports nothing of the protocol).
WECHAT_MODES = ("plaintext", "compat", "safe")
# The subscribe-notice (订阅通知) template each kind of notice uses, by setting; unset: that
# kind never goes as a subscribe notice (bot/outbound/notify.py, docs/subscribe.md).
SUBSCRIBE_SETTINGS = {"review": "WECHAT_SUBSCRIBE_REVIEW", "guardian": "WECHAT_SUBSCRIBE_GUARDIAN"}
# The keywords the bot fills in each kind's template (the data keys of bizsend), in order:
# 事项, 受理编号, 审核结果, 办理时间 / 事项, 申请人 (masked), 申请时间, 操作提示. `wxbot doctor`
# checks the template a setting names has them.
SUBSCRIBE_KEYWORDS = {"review": ("thing1", "character_string2", "phrase3", "time4"),
                      "guardian": ("thing1", "thing2", "time3", "thing4")}
# `wxbot demo`'s templates (its mock account has them), so the page can play the popup.
DEMO_SUBSCRIBE = {"WECHAT_SUBSCRIBE_REVIEW": "demoReviewOutcome00000000000000000000000000",
                  "WECHAT_SUBSCRIBE_GUARDIAN": "demoGuardianRequest000000000000000000000000"}

DEFAULTS: dict[str, Any] = {
    "WECHAT_TOKEN": None,
    "WECHAT_APP_ID": None,
    "WECHAT_APP_SECRET": None,
    "WECHAT_AES_KEY": None,
    "WECHAT_MODE": None,  # plaintext | compat | safe; unset: compat with a key, else plaintext
    "WECHAT_TIMESTAMP_TOLERANCE": 300,
    "BOT_STORE": None,  # derived from BOT_DATA_DIR when unset
    "BOT_DATA_DIR": "./instance",
    "BOT_STORE_KEY": None,  # Fernet key(s) sealing what followers typed in the store's files
    "BOT_BACKEND": "mock",
    "BOT_BACKEND_SEED": str(DEFAULT_SEED),
    "BOT_BACKEND_TIMEOUT": 45,  # seconds an http backend may take to answer one call
    "BOT_SIMULATOR": False,
    "BOT_SIMULATOR_REMOTE": False,  # let the simulator listen on a non-loopback address
    "BOT_SIMULATOR_HOSTS": "",  # Host names the simulator answers beside loopback (a, b)
    "BOT_LANG": DEFAULT_LANG,
    "BOT_REGION": DEFAULT_REGION,  # whose card rules (flows/data/regions.yaml) replies state
    "BOT_SESSION_TTL": 900,
    "BOT_CONSENT_WAIT": 1800,  # seconds a guardian's consent request waits in their chat
    "BOT_FAMILY_MAX_MEMBERS": 5,  # family members (亲情服务) one holder may add
    "BOT_RECORD_DIR": None,
    "BOT_LOG_FORMAT": "text",  # text (people) | json (one object per line, for a pipeline)
    "BOT_REPLY_DEADLINE": 4.0,  # seconds a push may take before it is answered `success`
    "OUTBOUND_SEND": None,  # tests only: a callable, or an http:// URL the owed bodies go to
    "WECHAT_API_BASE": "https://api.weixin.qq.com/cgi-bin/",
    "WECHAT_TEMPLATE_REVIEW": None,
    # Serve though replies that miss the 5-s window cannot be sent (no API credentials)
    "BOT_ALLOW_LOST_LATE_REPLIES": False,
    "WECHAT_SUBSCRIBE_REVIEW": None,  # subscribe-notice template id for review outcomes
    "WECHAT_SUBSCRIBE_GUARDIAN": None,  # ... for a guardian's consent requests
    "BOT_SERVICE_HOURS": None,  # when people answer, "09:00-17:00" (Shanghai); unset: always
    "BOT_KF_ONLINE_CACHE": 30,  # seconds the list of online agents is reused
    "BOT_KF_REMIND_EVERY": 300,  # seconds between "you are still in the queue" messages
    "BOT_SIM_PROFILE": "official",  # the mock platform API: official | sandbox (测试号)
    "BOT_SIM_CUSTOM_QUOTA": 5,  # customer-service messages per follower message (48 h)
    "BOT_SIM_EVENT_QUOTA": 3,  # ... per menu click, follow or scan (1 min)
    "BOT_SIM_EXPIRED_ERRCODE": 42001,  # what an expired token gets; some report 40014
}
INTS = ("WECHAT_TIMESTAMP_TOLERANCE", "BOT_SESSION_TTL", "BOT_CONSENT_WAIT",
        "BOT_FAMILY_MAX_MEMBERS", "BOT_BACKEND_TIMEOUT", "BOT_KF_ONLINE_CACHE",
        "BOT_KF_REMIND_EVERY", "BOT_SIM_CUSTOM_QUOTA", "BOT_SIM_EVENT_QUOTA",
        "BOT_SIM_EXPIRED_ERRCODE")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def load_config(overrides: Mapping[str, Any] | None = None, *, env_file: str = ".env") -> dict:
    """Merge defaults < `.env` < environment < `overrides`, then check and coerce."""
    return validate(merged(overrides, env_file=env_file))


def merged(overrides: Mapping[str, Any] | None = None, *, env_file: str = ".env") -> dict:
    """The settings as given, unchecked (for `wxbot doctor`, which reports every fault)."""
    cfg = dict(DEFAULTS)
    names = set(DEFAULTS)
    dotenv = dotenv_values(env_file) if Path(env_file).is_file() else {}
    for source in (dotenv, os.environ):
        cfg.update({k: v for k, v in source.items() if k in names and v not in (None, "")})
    cfg.update(overrides or {})
    return cfg


def validate(cfg: dict) -> dict:
    """Coerce types and refuse settings the bot cannot run with, naming the fix."""
    if not cfg.get("WECHAT_TOKEN"):
        raise ConfigError(
            "WECHAT_TOKEN is required: set it to the Token configured on the platform "
            f"(or run `wxbot demo`, which uses {DEV_TOKEN})"
        )
    for name in INTS:
        try:
            cfg[name] = int(cfg[name])
        except (TypeError, ValueError):
            msg = f"{name} must be a whole number of seconds, got {cfg[name]!r}"
            raise ConfigError(msg) from None
        if cfg[name] < 0:
            raise ConfigError(f"{name} must not be negative")
    if cfg["BOT_CONSENT_WAIT"] < 60:
        raise ConfigError("BOT_CONSENT_WAIT must be at least 60 seconds (a guardian needs time "
                          f"to read the request), got {cfg['BOT_CONSENT_WAIT']}")
    key = cfg.get("WECHAT_AES_KEY")
    if key and len(key) != 43:
        raise ConfigError(f"WECHAT_AES_KEY must be the 43-character EncodingAESKey, got {len(key)}")
    if key and not cfg.get("WECHAT_APP_ID"):
        raise ConfigError("WECHAT_APP_ID is required with WECHAT_AES_KEY (every cipher carries it)")
    cfg["WECHAT_MODE"] = _mode(cfg)
    if cfg["BOT_LANG"] not in LANGS:
        raise ConfigError(f"BOT_LANG must be one of {', '.join(LANGS)}, got {cfg['BOT_LANG']!r}")
    if cfg["BOT_REGION"] not in regions():
        raise ConfigError(f"BOT_REGION must be one of {', '.join(regions())} "
                          f"(flows/data/regions.yaml), got {cfg['BOT_REGION']!r}")
    try:
        cfg["BOT_REPLY_DEADLINE"] = float(cfg["BOT_REPLY_DEADLINE"])
    except (TypeError, ValueError):
        raise ConfigError(f"BOT_REPLY_DEADLINE must be seconds, got "
                          f"{cfg['BOT_REPLY_DEADLINE']!r}") from None
    if not 0 < cfg["BOT_REPLY_DEADLINE"] < 5:
        raise ConfigError("BOT_REPLY_DEADLINE must be above 0 and below the platform's 5 s")
    if cfg["BOT_SIM_PROFILE"] not in ("official", "sandbox"):
        raise ConfigError(f"BOT_SIM_PROFILE must be official or sandbox, "
                          f"got {cfg['BOT_SIM_PROFILE']!r}")
    if not str(cfg["WECHAT_API_BASE"]).startswith(("http://", "https://")):
        raise ConfigError(f"WECHAT_API_BASE must be an http(s) URL ending in /cgi-bin/, "
                          f"got {cfg['WECHAT_API_BASE']!r}")
    cfg["BOT_LOG_FORMAT"] = str(cfg["BOT_LOG_FORMAT"]).strip().lower()
    if cfg["BOT_LOG_FORMAT"] not in ("text", "json"):
        raise ConfigError(f"BOT_LOG_FORMAT must be text or json, got {cfg['BOT_LOG_FORMAT']!r}")
    cfg["BOT_SIMULATOR"] = as_bool(cfg["BOT_SIMULATOR"])
    cfg["BOT_SIMULATOR_REMOTE"] = as_bool(cfg["BOT_SIMULATOR_REMOTE"])
    cfg["BOT_ALLOW_LOST_LATE_REPLIES"] = as_bool(cfg["BOT_ALLOW_LOST_LATE_REPLIES"])
    if cfg["BOT_SIMULATOR"] and (cfg["BOT_SIM_PROFILE"], cfg["WECHAT_MODE"]) == ("sandbox", "safe"):
        raise ConfigError("BOT_SIM_PROFILE=sandbox pushes plaintext (a test account has no "
                          "encryption) and WECHAT_MODE=safe refuses it: use compat or plaintext")
    cfg["BOT_DATA_DIR"] = str(cfg["BOT_DATA_DIR"])
    if not cfg.get("BOT_STORE"):
        cfg["BOT_STORE"] = f"sqlite:///{Path(cfg['BOT_DATA_DIR']) / 'bot.sqlite3'}"
    try:  # parsed here once; everything after opens from the typed value
        cfg["BOT_STORE_URL"] = parse_store_url(cfg["BOT_STORE"])
    except StoreURLError as exc:
        raise ConfigError(str(exc)) from None
    cfg["BOT_STORE"] = cfg["BOT_STORE_URL"].url
    _check_seed(cfg)
    return cfg


def _check_seed(cfg: Mapping[str, Any]) -> None:
    """The mock backend's seed must be there before anything starts that would need it."""
    if cfg["BOT_BACKEND"] != "mock" or cfg.get("BACKEND") is not None:
        return
    seed = Path(str(cfg["BOT_BACKEND_SEED"]))
    if not seed.is_file():
        raise ConfigError(f"BOT_BACKEND_SEED {seed} is not a file: point it at a seed YAML "
                          f"file, or unset it to use the shipped seed")


def _mode(cfg: Mapping[str, Any]) -> str:
    """Unset, what the keys allow (compat with a key: the bot always took both kinds)."""
    mode = str(cfg.get("WECHAT_MODE") or ("compat" if cfg.get("WECHAT_AES_KEY") else "plaintext"))
    mode = mode.strip().lower()
    if mode not in WECHAT_MODES:
        raise ConfigError(f"WECHAT_MODE must be one of {', '.join(WECHAT_MODES)}, got {mode!r}")
    if mode != "plaintext" and not cfg.get("WECHAT_AES_KEY"):
        raise ConfigError(f"WECHAT_MODE={mode} needs WECHAT_AES_KEY (the EncodingAESKey)")
    return mode

