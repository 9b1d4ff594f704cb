"""Facts defined once: the other places that show them are checked against the definition."""

from pathlib import Path

import pytest

from flows.registry import ALL_FLOWS

ROOT = Path(__file__).resolve().parent.parent
MENU_KEYS = [flow.menu_key for flow in ALL_FLOWS if flow.menu_key]


def _keys(buttons: list[dict]) -> list[str]:
    return [key for b in buttons for key in ([b["key"]] if "key" in b else _keys(b["sub_button"]))]


def test_facts_page_menu_lists_the_flows_menu_keys(make_app) -> None:
    """Without an account menu on the mock platform, the page draws the flows' own keys."""
    menu = make_app(BOT_SIMULATOR=True).test_client().get("/sim/api/menu").get_json()
    assert menu["source"] == "flows" and _keys(menu["button"]) == MENU_KEYS


@pytest.mark.parametrize("path", sorted((ROOT / "bot/sim/web/static").iterdir()))
def test_facts_page_files_name_no_menu_key(path: Path) -> None:
    assert not [key for key in MENU_KEYS if key in path.read_text("utf-8")], path.name


def test_facts_chat_completes_the_flows_menu_keys() -> None:
    from bot.sim.chat.cli import COMMANDS

    assert [word for word in COMMANDS if word in MENU_KEYS] == MENU_KEYS


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
