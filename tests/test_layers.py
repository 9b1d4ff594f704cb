"""The tree tells the design: one import rule per folder, and no import circle anywhere.

Read with `ast`, so nothing is imported; every import counts, function-level and
TYPE_CHECKING ones too. docs/architecture.md draws the same rules; each folder's `__init__`
docstring states its own.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "bot" / "sim" / "web" / "static"
CORE = ("bot.protocol", "bot.store", "bot.clock", "bot.sqlitedb",  # leaves anyone may use
        "bot.metrics",  # the Prometheus counters: every room counts its own events
        "bot.turnid")  # the turn id log lines carry, set where a turn starts
# folder (or file) -> the `bot` packages it may import, and whether Flask is allowed there.
# Longest prefix wins; `flows/` covers every sub-package (language, knowledge, ...).
RULES: dict[str, tuple[tuple[str, ...], bool]] = {
    "flows/": ((), False),
    "bot/protocol/": (("bot.protocol",), False),
    "bot/store/": (("bot.store", "bot.clock", "bot.sqlitedb"), False),
    "bot/backend/": (("bot.backend", "bot.clock", "bot.sqlitedb"), True),
    "bot/platform/": (("bot.platform", "bot.clock", "bot.store", "bot.config", "bot.settings",
                       "bot.protocol"), False),
    "bot/outbound/": (("bot.outbound", "bot.platform", *CORE), False),
    "bot/family/": (("bot.family", "bot.outbound", *CORE), False),
    "bot/window/": (("bot.window", "bot.outbound", "bot.dialogue", *CORE), False),
    "bot/dialogue/": (("bot.dialogue", "bot.protocol", "bot.clock"), False),
    "bot/server/": (("bot.server", "bot.parts", "bot.config", "bot.settings", "bot.window",
                     "bot.create_app",
                     *CORE), True),
    "bot/handover/": (("bot.handover", "bot.platform", "bot.config", *CORE), False),
    # bot.handover: the agent console lists the messages the bot keeps for a person.
    "bot/sim/": (("bot.sim", "bot.parts", "bot.config", "bot.backend", "bot.server.arrival",
                  "bot.handover", "bot.create_app", "bot.dialogue.explain", *CORE), True),
    "bot/sim/wire/": (("bot.sim.wire", "bot.protocol", "bot.clock"), False),
    "bot/clock.py": ((), False),
    "bot/sqlitedb.py": ((), False),
    "bot/metrics.py": ((), False),
    "bot/turnid.py": ((), False),
    "bot/config.py": (("bot.clock", "bot.store"), False),
    "bot/settings.py": (("bot.config", "bot.store"), False),
}
TOOLS = {"replay", "chat", "record", "web"}  # siblings: none imports another
SIM_MAY_IMPORT = {"wire": set(), "mockplatform": {"wire"}, "targets": {"wire"},
                  **{tool: {"wire", "mockplatform", "targets"} for tool in TOOLS}}
APP_BUILDER = "bot/sim/targets/local.py"  # the in-process target: the one sim module with an app


def imported(source: str, rel: str = "") -> set[str]:
    """Every module an import anywhere in the file names (function-level, TYPE_CHECKING too)."""
    package = rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    if not rel.endswith("__init__.py"):
        package = package.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the file's package
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            # `from a import b` names a.b: the module b, or a's attribute (resolved to a).
            names.update(f"{base}.{alias.name}" for alias in node.names if base)
    return names


def _allowed(rel: str) -> tuple[tuple[str, ...], bool] | None:
    found = [prefix for prefix in RULES if rel.startswith(prefix)]
    return RULES[max(found, key=len)] if found else None


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or (p != "bot" and name.startswith(p + ".")) for p in packages)


def back_edges(rel: str, source: str) -> list[str]:
    """The imports of file `rel` (a path like bot/sim/wire/build.py) that break a folder rule."""
    here = rel.split("/")
    layer = here[2] if rel.startswith("bot/sim/") and len(here) > 3 else None
    rule = _allowed(rel)
    bad = []
    for name in sorted(imported(source, rel)):
        parts = name.split(".")
        if rule is not None:
            packages, flask = rule
            if parts[0] == "bot" and not _within(name, packages):
                bad.append(f"{rel}: imports {name}, outside its rule {packages}")
            if parts[0] == "flask" and not flask:
                bad.append(f"{rel}: Flask where the rule says sans-Flask ({name})")
        if parts[:2] == ["bot", "sim"] and not rel.startswith("bot/sim/"):
            bad.append(f"{rel}: the bot imports its simulator ({name}): use bot/sim/mount.py")
        if rel.startswith("bot/sim/"):
            if parts[:2] in (["bot", "app"], ["bot", "cli"]):
                bad.append(f"{rel}: the simulator imports {name}: reach parts via bot.parts")
            if name == "bot.create_app" and rel != APP_BUILDER:
                bad.append(f"{rel}: only {APP_BUILDER} builds an app")
        if layer and parts[:2] == ["bot", "sim"] and len(parts) > 2 and parts[2] != layer:
            if parts[2] not in SIM_MAY_IMPORT.get(layer, set()):
                bad.append(f"{rel}: sim layer {layer} imports {name}")
    return bad


def sources(planted: dict[str, str] | None = None) -> dict[str, str]:
    """Every bot and flows file by path; `planted` adds lines to a file (or a new file)."""
    files = {p.relative_to(ROOT).as_posix(): p.read_text("utf-8")
             for p in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("flows/**/*.py")]}
    for rel, extra in (planted or {}).items():
        files[rel] = files.get(rel, "") + "\n" + extra
    return files


def module_graph(files: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the modules it imports, each name resolved to the module file it lands on."""
    modules = {rel.removesuffix(".py").removesuffix("/__init__").replace("/", "."): rel
               for rel in files}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    return {mod: {target for name in imported(files[rel], rel)
                  if (target := resolve(name)) is not None and target != mod}
            for mod, rel in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def js_graph() -> dict[str, set[str]]:
    """The /sim page's modules -> the ones they import (`import ... from "./x.js"`)."""
    pattern = re.compile(r"""^import\s[^;]*?from\s+["']\./([\w-]+\.js)["']""", re.M)
    return {path.name: set(pattern.findall(path.read_text("utf-8")))
            for path in STATIC.glob("*.js")}


def test_layers_every_folder_keeps_its_rule() -> None:
    files = sources()
    assert len(files) > 50
    bad = [edge for rel, source in sorted(files.items()) for edge in back_edges(rel, source)]
    assert bad == []


def test_layers_every_folder_states_its_rule() -> None:
    folders = [p for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()]
    unstated = [p.name for p in folders
                if not ast.get_docstring(ast.parse((p / "__init__.py").read_text("utf-8")))]
    assert len(folders) >= 7 and unstated == []


def test_layers_no_import_circle_among_bot_and_flows() -> None:
    assert circles(module_graph(sources())) == []


def test_layers_sim_page_scripts_import_one_way() -> None:
    graph = js_graph()
    assert len(graph) >= 8 and circles(graph) == []


@pytest.mark.parametrize(("rel", "source", "broken"), [
    ("flows/bind_card.py", "def f():\n    from bot.backend import BackendError\n", True),
    ("flows/verify.py", "if TYPE_CHECKING:\n    import bot.clock\n", True),
    ("flows/language/normalise.py", "from bot.protocol import kind_of\n", True),
    ("flows/knowledge/answers.py", "import flask\n", True),
    ("bot/window/engine.py", "from flask import current_app\n", True),
    ("bot/window/engine.py", "from bot.app import bot_of\n", True),
    ("bot/window/rescue.py", "from bot.server.webhook import bp\n", True),
    ("bot/outbound/courier.py", "def f():\n    from bot.window.rescue import Rescue\n", True),
    ("bot/protocol/keys.py", "from bot.store import Store\n", True),
    ("bot/store/redis.py", "import flask\n", True),
    ("bot/backend/mock.py", "from bot.parts import current_bot\n", True),
    ("bot/sim/wire/build.py", "from bot.sim.targets.base import Target\n", True),
    ("bot/sim/wire/client.py", "from bot.parts import bot_of\n", True),
    ("bot/sim/chat/session.py", "from bot.window.engine import Engine\n", True),
    ("bot/sim/targets/local.py", "from bot.sim.replay.fixture import Fixture\n", True),
    ("bot/sim/mockplatform/tokens.py", "from bot.sim.targets import local\n", True),
    ("bot/sim/chat/session.py", "from bot.sim.replay.steps import seconds\n", True),
    ("bot/sim/replay/cli.py", "from bot.sim import record\n", True),
    ("bot/sim/web/bench.py", "from bot.app import bot_of\n", True),
    ("bot/sim/web/bench.py", "def f():\n    from bot import create_app\n", True),
    ("bot/server/webhook.py", "from bot.sim.record.recorder import Recorder\n", True),
    ("bot/app.py", "def f():\n    from bot.sim import web\n", True),
    ("bot/cli.py", "from bot.sim.chat.cli import chat_command\n", True),
    ("bot/backend/mock_api.py", "def f():\n    import bot.sim.wire.client\n", True),
    ("bot/sim/mockplatform/tokens.py", "from bot.sim.wire.build import build\n", False),
    ("bot/sim/targets/local.py", "def f():\n    from bot import create_app\n", False),
    ("bot/sim/replay/run.py", "from bot.sim.targets.base import Target\nimport flask\n", False),
    ("bot/backend/codes.py", "from flows.ids import mask_phone\n", False),
    ("bot/server/webhook.py", "from flask import Flask\nfrom flows.port import Backend\n", False),
    ("bot/window/engine.py", "from bot.outbound.deferred import Deferred\n", False),
    ("flows/knowledge/answers.py", "from flows.ids import fold\n", False),
])
def test_layers_rule_catches_a_planted_import(rel: str, source: str, broken: bool) -> None:
    assert bool(back_edges(rel, source)) is broken


@pytest.mark.parametrize(("rel", "source", "circle"), [
    ("bot/protocol/keys.py", "def f():\n    from bot.window.engine import Engine\n",
     {"bot.protocol.keys", "bot.window.engine"}),
    ("bot/outbound/courier.py", "if TYPE_CHECKING:\n    from bot.window import rescue\n",
     {"bot.outbound.courier", "bot.window.rescue"}),
    ("bot/window/workers.py", "def f():\n    from bot.app import create_app\n",
     {"bot.app", "bot.window.workers"}),
    ("flows/catalog.py", "from flows.registry import ALL_FLOWS\n",
     {"flows.catalog", "flows.registry"}),
    ("bot/store/kv.py", "from bot.store import open_store\n", None),  # the package, no circle
])
def test_layers_circle_test_catches_a_planted_circle(rel: str, source: str,
                                                      circle: set[str] | None) -> None:
    found = circles(module_graph(sources({rel: source})))
    if circle is None:
        assert found == []
    else:
        assert any(circle <= set(group) for group in found), found


def test_layers_js_circle_test_catches_a_planted_circle() -> None:
    graph = js_graph()
    graph["util.js"] = {*graph["util.js"], "phones.js"}
    assert circles(graph) != []


def readings_that_act(source: str) -> list[str]:
    """The methods of bot/dialogue/readings.py that could act: take a turn (to say something
    or reach the backend) or call a flow's move. Its rule: it reads, in_step.py acts."""
    acting = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            names = {arg.arg for arg in node.args.args}
            calls = {sub.func.attr for sub in ast.walk(node) if isinstance(sub, ast.Call)
                     and isinstance(sub.func, ast.Attribute)}
            writes = {root(target) for sub in ast.walk(node)
                      if isinstance(sub, ast.Assign | ast.AugAssign)
                      for target in (sub.targets if isinstance(sub, ast.Assign)
                                     else [sub.target])}
            if "turn" in names or calls & {"say", "answer", "start", "session"} \
                    or "flow" in writes:
                acting.append(node.name)
    return acting


def root(target: ast.expr) -> str:
    """The name an assignment target hangs off: flow.slots["x"] -> "flow"."""
    while isinstance(target, ast.Attribute | ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else ""


def test_layers_readings_only_read() -> None:
    assert readings_that_act((ROOT / "bot" / "dialogue" / "readings.py").read_text()) == []


def test_layers_readings_rule_catches_a_planted_move() -> None:
    planted = "def said_yes_no(self, heard, flow, turn):\n    turn.say('x')\n"
    assert readings_that_act(planted) == ["said_yes_no"]
    assert readings_that_act("def f(flow):\n    flow.answer('是')\n") == ["f"]
    assert readings_that_act("def g(heard, flow):\n    flow.slots['x'] = 1\n") == ["g"]
