"""Facts defined once: the other places that show them are checked against the definition."""

import re
from pathlib import Path

import pytest

from flows.registry import ALL_FLOWS

ROOT = Path(__file__).resolve().parent.parent
MENU_KEYS = [flow.menu_key for flow in ALL_FLOWS if flow.menu_key]


@pytest.fixture
def sim_app(config: dict):
    from bot import create_app
    from bot.app import bot_of

    app = create_app({**config, "BOT_SIMULATOR": True})
    yield app
    bot_of(app).close()


def test_facts_page_api_lists_the_flows_menu_keys(sim_app) -> None:
    assert sim_app.test_client().get("/sim/api/followers").get_json()["menu"] == MENU_KEYS


def test_facts_page_buttons_are_the_flows_menu_keys() -> None:
    page = (ROOT / "bot/sim/web/static/index.html").read_text("utf-8")
    menu = re.search(r'<div class="menu".*?</div>', page, re.S)
    assert menu and re.findall(r'data-key="(\w+)"', menu.group()) == MENU_KEYS
