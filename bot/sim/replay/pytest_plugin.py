"""pytest plugin (entry point `wxbot`): every conversation fixture is a test item.

Which YAML files are conversations:
- those under the paths of the ini option `wxbot_conversations` (relative to the ini file),
  e.g. `wxbot_conversations = ["fixtures/conversations"]` in `[tool.pytest.ini_options]`;
  when pytest runs its default `testpaths` (no path arguments), these paths are collected too,
  so a plain `pytest` runs the unit tests and the conversations;
- any YAML file named on the command line (`pytest path/to/x.yaml`), whatever the ini says.
Each replays in process, like `wxbot replay`: a fresh app per fixture with its seed, language and
day. A failure reads like the command's: file, step, what was sent, expected and got.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.sim.replay.fixture import Fixture, FixtureError, load_fixture

INI = "wxbot_conversations"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(INI, type="paths", default=[],
                  help="Directories (or files) of wxbot conversation fixtures to collect.")


def pytest_configure(config: pytest.Config) -> None:
    """With no path arguments, collect the conversation paths beside the testpaths."""
    if config.args_source != pytest.Config.ArgsSource.TESTPATHS:
        return
    for path in config.getini(INI):
        if Path(path).exists() and str(path) not in config.args:
            config.args.append(str(path))


def _is_conversation(path: Path, config: pytest.Config) -> bool:
    path = path.resolve()
    roots = [Path(p).resolve() for p in config.getini(INI)]
    if any(path == root or root in path.parents for root in roots):
        return True
    given = {Path(str(arg).split("::")[0]).resolve() for arg in config.args}
    return path in given


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and _is_conversation(file_path, parent.config):
        return ConversationFile.from_parent(parent, path=file_path)
    return None


class ConversationFailed(AssertionError):
    """A step of a conversation did not hold; carries the report's text."""


class ConversationFile(pytest.File):
    """One fixture file: one item, or a collection error naming the malformed field."""

    def collect(self) -> list[ConversationItem]:
        try:
            fixture = load_fixture(self.path)
        except FixtureError as exc:
            raise self.CollectError(str(exc)) from None
        return [ConversationItem.from_parent(self, name=fixture.name, fixture=fixture)]


class ConversationItem(pytest.Item):
    """Replays one fixture in process."""

    def __init__(self, *, fixture: Fixture, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fixture = fixture

    def runtest(self) -> None:
        from bot.sim.replay.report import failure_text
        from bot.sim.replay.run import replay
        from bot.sim.targets.local import local_targets

        (outcome,) = replay([self.fixture], local_targets())
        if not outcome.ok:
            raise ConversationFailed(failure_text(outcome))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, ConversationFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"conversation: {self.fixture.name}"
