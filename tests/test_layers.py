"""The package graph points down (docs/architecture.md); read with `ast`, so nothing is imported."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SANS_FLASK = ("bot/protocol.py", "bot/replies.py", "bot/engine.py", "bot/store/", "flows/")
ROOTS = ("bot/app.py", "bot/cli.py")  # they wire the sim's optional parts in, lazily
TOOLS = {"replay", "chat", "record", "web"}  # siblings: none imports another
SIM_MAY_IMPORT = {"wire": set(), "api": {"wire"}, "targets": {"wire"},
                  **{tool: {"wire", "api", "targets"} for tool in TOOLS}}


def imported(source: str) -> set[str]:
    """Every module an import anywhere in the file names (function-level, TYPE_CHECKING too)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:  # `from bot.sim import web` too
            names.update({node.module, *(f"{node.module}.{alias.name}" for alias in node.names)})
    return names


def back_edges(rel: str, source: str) -> list[str]:
    """The imports of file `rel` (a path like bot/sim/wire/build.py) that break a layer rule."""
    here = rel.split("/")
    layer = here[2] if rel.startswith("bot/sim/") and len(here) > 3 else None
    bad = []
    for name in sorted(imported(source)):
        parts = name.split(".")
        if rel.startswith("flows/") and parts[0] == "bot":
            bad.append(f"{rel}: flows import {name}")
        if rel.startswith(SANS_FLASK) and parts[0] == "flask":
            bad.append(f"{rel}: Flask in the sans-Flask core ({name})")
        if parts[:2] == ["bot", "sim"] and not rel.startswith(("bot/sim/", *ROOTS)):
            bad.append(f"{rel}: the bot imports its simulator ({name})")
        if layer and parts[:2] == ["bot", "sim"] and len(parts) > 2 and parts[2] != layer:
            if parts[2] not in SIM_MAY_IMPORT.get(layer, set()):
                bad.append(f"{rel}: sim layer {layer} imports {name}")
    return bad


def test_layers_tree_has_no_back_edges() -> None:
    files = sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("flows/**/*.py")])
    assert len(files) > 50
    bad = [edge for path in files
           for edge in back_edges(path.relative_to(ROOT).as_posix(), path.read_text("utf-8"))]
    assert bad == []


@pytest.mark.parametrize(("rel", "source", "broken"), [
    ("flows/bind_card.py", "def f():\n    from bot.backend import BackendError\n", True),
    ("flows/verify.py", "if TYPE_CHECKING:\n    import bot.clock\n", True),
    ("bot/engine.py", "from flask import current_app\n", True),
    ("bot/store/redis.py", "import flask\n", True),
    ("bot/sim/wire/build.py", "from bot.sim.targets.base import Target\n", True),
    ("bot/sim/targets/local.py", "from bot.sim.replay.fixture import Fixture\n", True),
    ("bot/sim/api/tokens.py", "from bot.sim.targets import local\n", True),
    ("bot/sim/chat/session.py", "from bot.sim.replay.steps import seconds\n", True),
    ("bot/sim/replay/cli.py", "from bot.sim import record\n", True),
    ("bot/webhook.py", "from bot.sim.record.recorder import Recorder\n", True),
    ("bot/backend/api.py", "def f():\n    import bot.sim.wire.client\n", True),
    ("bot/sim/api/tokens.py", "from bot.sim.wire.build import build\n", False),
    ("bot/app.py", "def f():\n    from bot.sim import web\n", False),
    ("bot/sim/replay/run.py", "from bot.sim.targets.base import Target\nimport flask\n", False),
    ("bot/backend/codes.py", "from flows.ids import mask_phone\n", False),
    ("bot/webhook.py", "from flask import Flask\nfrom flows.port import Backend\n", False),
])
def test_layers_rule_catches_a_planted_import(rel: str, source: str, broken: bool) -> None:
    assert bool(back_edges(rel, source)) is broken
