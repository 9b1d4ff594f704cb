"""Facts defined once: the other places that show them are checked against the definition."""

import re
from pathlib import Path

import pytest

from flows.registry import ALL_FLOWS

ROOT = Path(__file__).resolve().parent.parent
MENU_KEYS = [flow.menu_key for flow in ALL_FLOWS if flow.menu_key]


def test_facts_page_api_lists_the_flows_menu_keys(make_app) -> None:
    page = make_app(BOT_SIMULATOR=True).test_client()
    assert page.get("/sim/api/followers").get_json()["menu"] == MENU_KEYS


def test_facts_page_buttons_are_the_flows_menu_keys() -> None:
    page = (ROOT / "bot/sim/web/static/index.html").read_text("utf-8")
    menu = re.search(r'<div class="menu".*?</div>', page, re.S)
    assert menu and re.findall(r'data-key="(\w+)"', menu.group()) == MENU_KEYS


def test_facts_a_state_that_reads_without_a_role_is_refused() -> None:
    from flows.base import Flow, ask

    with pytest.raises(TypeError, match="'ask_pet' reads an answer: give it a role"):
        class Pets(Flow):  # noqa: F841 - defining it is the test
            name, title, keywords, initial = "pets", "t", "k", "ask_pet"
            states = [{"name": "ask_pet", "prompt": "p", "read": "read_pet"},
                      {"name": "done", "final": True}]
            transitions = ask("ask_pet", "done")


def test_facts_recorder_takes_roles_from_the_flows_not_state_names(monkeypatch) -> None:
    from bot.sim.record import roles
    from flows.base import Flow, ask

    class Renamed(Flow):  # bind_card with its name step renamed
        name, title, keywords, initial = "bind_card", "t", "k", "who_is_it"
        states = [{"name": "who_is_it", "prompt": "p", "read": "read_name", "role": "name"},
                  {"name": "done", "final": True}]
        transitions = ask("who_is_it", "done")

    assert roles.role_of("bind_card", "ask_name") == "name"
    monkeypatch.setitem(roles.FLOWS, "bind_card", Renamed)
    assert roles.role_of("bind_card", "who_is_it") == "name"
    assert roles.role_of("bind_card", "done") == "text"
    with pytest.raises(roles.UnknownStep, match="bind_card.ask_name"):
        roles.role_of("bind_card", "ask_name")  # an old log's step is refused, not taken as text


def test_facts_recorder_tables_name_real_states_and_roles() -> None:
    from bot.sim.record.roles import FLOWS, GUARDIAN_PHONE, SUBJECT

    for flow, role, led_to in SUBJECT:
        assert led_to in FLOWS[flow].specs, (flow, led_to)
        assert role in {spec.get("role") for spec in FLOWS[flow].states}, (flow, role)
    states = {name for flow in ALL_FLOWS for name in flow.specs}
    assert set(GUARDIAN_PHONE) <= states
    # where an answer led, as analyse() compares it: renaming one of these must fail here
    assert {"code_locked", "ask_reason", "ask_confirm", "bound", "unbound"} <= states
