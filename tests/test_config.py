"""Settings come from a dict, the environment or `.env`, under the same names."""

from __future__ import annotations

import pytest

from bot import create_app
from bot.app import bot_of
from bot.config import ConfigError, load_config


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("WECHAT_TOKEN", "WECHAT_AES_KEY", "WECHAT_APP_ID", "BOT_STORE", "BOT_LANG",
                 "BOT_SESSION_TTL", "BOT_DATA_DIR", "BOT_SIMULATOR", "BOT_SIMULATOR_REMOTE",
                 "BOT_BACKEND_SEED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_config_defaults_follow_the_contract():
    cfg = load_config({"WECHAT_TOKEN": "t"})
    assert cfg["WECHAT_TIMESTAMP_TOLERANCE"] == 300
    assert cfg["BOT_SESSION_TTL"] == 900
    assert cfg["BOT_LANG"] == "zh_CN" and cfg["BOT_BACKEND"] == "mock"
    assert cfg["BOT_STORE"] == "sqlite:///instance/bot.sqlite3"
    assert cfg["BOT_SIMULATOR"] is False and cfg["BOT_SIMULATOR_REMOTE"] is False


def test_config_default_seed_is_package_data_and_the_fixtures_link_to_it():
    from pathlib import Path

    import bot

    seed = Path(load_config({"WECHAT_TOKEN": "t"})["BOT_BACKEND_SEED"])
    assert seed.is_file() and seed.parent.parent == Path(bot.__file__).parent
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "backend.yaml"
    assert fixtures.resolve() == seed.resolve()  # one definition, two names


def test_config_reads_env_and_dotenv_and_the_dict_wins(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("WECHAT_TOKEN=from-dotenv\nBOT_SESSION_TTL=60\nBOT_LANG=en\n")
    monkeypatch.setenv("BOT_SESSION_TTL", "120")
    cfg = load_config()
    assert (cfg["WECHAT_TOKEN"], cfg["BOT_SESSION_TTL"], cfg["BOT_LANG"]) == ("from-dotenv", 120,
                                                                              "en")
    assert load_config({"BOT_SESSION_TTL": 5})["BOT_SESSION_TTL"] == 5


@pytest.mark.parametrize(("given", "says"), [
    ({}, "WECHAT_TOKEN is required"),
    ({"WECHAT_TOKEN": "t", "WECHAT_AES_KEY": "short", "WECHAT_APP_ID": "wx"}, "43-character"),
    ({"WECHAT_TOKEN": "t", "WECHAT_AES_KEY": "a" * 43}, "WECHAT_APP_ID is required"),
    ({"WECHAT_TOKEN": "t", "BOT_LANG": "fr"}, "BOT_LANG must be one of"),
    ({"WECHAT_TOKEN": "t", "BOT_SESSION_TTL": "soon"}, "whole number"),
    ({"WECHAT_TOKEN": "t", "BOT_STORE": "mysql://x"}, "BOT_STORE must be"),
])
def test_config_errors_say_what_to_fix(given, says):
    with pytest.raises(ConfigError, match=says):
        load_config(given)


@pytest.mark.parametrize("flag", ["1", "true", "on", "yes"])
@pytest.mark.parametrize("name", ["BOT_SIMULATOR", "BOT_SIMULATOR_REMOTE"])
def test_config_simulator_flags_from_env(monkeypatch, flag, name):
    monkeypatch.setenv(name, flag)
    assert load_config({"WECHAT_TOKEN": "t"})[name] is True


def test_create_app_serves_the_mock_api_only_in_simulator_mode(tmp_path):
    base = {"WECHAT_TOKEN": "t", "BOT_DATA_DIR": str(tmp_path)}
    for simulator, status in ((False, 404), (True, 200)):
        app = create_app({**base, "BOT_SIMULATOR": simulator})
        assert app.test_client().get("/backend/v1/cards/A12345678").status_code == status
        bot_of(app).close()


@pytest.mark.parametrize(("url", "kind", "path"), [
    ("sqlite:///data/bot.sqlite3", "sqlite", "data/bot.sqlite3"),
    ("sqlite:////abs/bot.sqlite3", "sqlite", "/abs/bot.sqlite3"),
    ("memory://", "memory", ""),
    ("redis://127.0.0.1:6379/2", "redis", ""),
    ("redis+cluster://10.0.0.5:7000", "redis+cluster", ""),
])
def test_config_parses_bot_store_once_into_a_typed_value(url, kind, path):
    from bot.settings import load_settings

    settings = load_settings({"WECHAT_TOKEN": "t", "BOT_STORE": url})
    assert (settings.store.kind, settings.store.path, str(settings.store)) == (kind, path, url)
    assert settings.config["BOT_STORE"] == url  # the contract's name keeps its text


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://rel", "redis:/x", "postgres://db"])
def test_config_refuses_a_store_url_of_no_known_form(url):
    with pytest.raises(ConfigError, match="BOT_STORE must be sqlite:///PATH, memory://"):
        load_config({"WECHAT_TOKEN": "t", "BOT_STORE": url})


def test_config_refuses_a_missing_seed_file_by_name(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=f"BOT_BACKEND_SEED {missing} is not a file"):
        load_config({"WECHAT_TOKEN": "t", "BOT_BACKEND_SEED": str(missing)})


@pytest.mark.parametrize(("given", "lost"), [
    ({}, "WECHAT_APP_ID and WECHAT_APP_SECRET are unset"),
    ({"WECHAT_APP_ID": "wx0123456789abcdef"}, "WECHAT_APP_SECRET is unset"),
    ({"WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_APP_SECRET": "s"}, None),
    ({"OUTBOUND_SEND": "http://127.0.0.1:9/send"}, None),
])
def test_settings_say_when_late_replies_would_be_lost(monkeypatch, given, lost):
    from bot.settings import load_settings

    for name in ("WECHAT_APP_ID", "WECHAT_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    found = load_settings({"WECHAT_TOKEN": "t", **given}, env_file="/nonexistent").lost_late_replies
    assert found is None if lost is None else lost in found
