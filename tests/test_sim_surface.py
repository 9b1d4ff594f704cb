"""bot.sim's short way in: every advertised name resolves, and importing it stays cheap."""

import subprocess
import sys

import pytest

import bot.sim


@pytest.mark.parametrize("name", bot.sim.__all__)
def test_sim_surface_name_resolves_to_its_definition(name: str) -> None:
    value = getattr(bot.sim, name)
    assert value.__module__.startswith("bot.sim.")
    assert value.__name__ == name


def test_sim_surface_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        bot.sim.no_such_thing  # noqa: B018


@pytest.mark.parametrize("module", ["bot.sim", "bot.sim.wire.kinds", "bot.clock", "flows.port"])
@pytest.mark.e2e
def test_sim_surface_import_does_not_load_flask_or_the_flows(module: str) -> None:
    code = (f"import sys, {module}\n"
            "heavy = sorted(m for m in ('flask', 'transitions', 'flows.bind_card') "
            "if m in sys.modules)\n"
            "print(','.join(heavy))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=30, check=True)
    assert run.stdout.strip() == ""
