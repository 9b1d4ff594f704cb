"""The package graph points down (DESIGN.md, Layout); read with `ast`, so nothing is imported."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SANS_FLASK = ("bot/protocol.py", "bot/replies.py", "bot/engine.py", "bot/store/", "flows/")
TOOLS = {"replay", "chat", "record", "web"}  # siblings: none imports another
SIM_MAY_IMPORT = {"wire": set(), "api": {"wire"}, "targets": {"wire"},
                  **{tool: {"wire", "api", "targets"} for tool in TOOLS}}


def imported(source: str) -> set[str]:
    """Every module an import anywhere in the file names (function-level, TYPE_CHECKING too)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
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
    ("flows/bind_card.py", "def f():\n    from bot.backend import BackendError\n", 1),
    ("flows/verify.py", "if TYPE_CHECKING:\n    import bot.clock\n", 1),
    ("bot/engine.py", "from flask import current_app\n", 1),
    ("bot/store/redis.py", "import flask\n", 1),
    ("bot/sim/wire/build.py", "from bot.sim.targets.base import Target\n", 1),
    ("bot/sim/targets/local.py", "from bot.sim.replay.fixture import Fixture\n", 1),
    ("bot/sim/api/tokens.py", "from bot.sim.targets import local\n", 1),
    ("bot/sim/chat/session.py", "from bot.sim.replay.steps import seconds\n", 1),
    ("bot/sim/api/tokens.py", "from bot.sim.wire.build import build\n", 0),
    ("bot/sim/replay/run.py", "from bot.sim.targets.base import Target\nimport flask\n", 0),
    ("bot/backend/codes.py", "from flows.ids import mask_phone\n", 0),
    ("bot/webhook.py", "from flask import Flask\nfrom flows.port import Backend\n", 0),
])
def test_layers_rule_catches_a_planted_import(rel: str, source: str, broken: int) -> None:
    assert len(back_edges(rel, source)) == broken
