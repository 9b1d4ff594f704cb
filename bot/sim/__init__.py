"""The platform's side of the bot: the names most callers need, imported only when first used.

Lazy, so `import bot.sim.wire.kinds` (or the pytest plugin) does not pay for Flask, rich and every
sub-package. Each tool keeps its own sub-package; this is only the short way in. The batch
runner stays `bot.sim.replay.run.replay`: `bot.sim.replay` is the package's name.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.sim.chat.session import ChatSession
    from bot.sim.replay.fixture import Fixture, FixtureError, discover, load_fixture
    from bot.sim.replay.run import Outcome, run_fixture
    from bot.sim.targets.base import Target, TargetError
    from bot.sim.targets.local import Local, local_targets
    from bot.sim.targets.remote import Remote
    from bot.sim.wire.client import PlatformClient
    from bot.sim.wire.delivery import Delivery

_WHERE = {
    "PlatformClient": "bot.sim.wire.client",
    "Delivery": "bot.sim.wire.delivery",
    "Target": "bot.sim.targets.base",
    "TargetError": "bot.sim.targets.base",
    "Local": "bot.sim.targets.local",
    "local_targets": "bot.sim.targets.local",
    "Remote": "bot.sim.targets.remote",
    "Fixture": "bot.sim.replay.fixture",
    "FixtureError": "bot.sim.replay.fixture",
    "load_fixture": "bot.sim.replay.fixture",
    "discover": "bot.sim.replay.fixture",
    "run_fixture": "bot.sim.replay.run",
    "Outcome": "bot.sim.replay.run",
    "ChatSession": "bot.sim.chat.session",
}
__all__ = [
    "ChatSession",
    "Delivery",
    "Fixture",
    "FixtureError",
    "Local",
    "Outcome",
    "PlatformClient",
    "Remote",
    "Target",
    "TargetError",
    "discover",
    "load_fixture",
    "local_targets",
    "run_fixture",
]


def __getattr__(name: str) -> Any:
    """Import the defining module on first use (PEP 562), then cache the name here."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
