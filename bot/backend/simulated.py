"""What the simulator and replay need of a backend beyond the flows' port (flows/port.py)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from flows.port import Backend


class SimulatedBackend(Backend, Protocol):
    """What the simulator and replay need on top: the SMS outbox, card views, other seeds."""

    def reset(self, seed: str | Path | Mapping[str, Any] | None = None) -> None:
        """Reload the configured seed, or `seed` (a YAML path or parsed mapping) this once."""
        ...

    def sms_outbox(self, phone: str) -> list[dict[str, Any]]:
        """SMS sent to `phone`, oldest first: {"phone", "code", "purpose", "sent_at"} (ISO)."""
        ...

    def card_view(self, card_number: str) -> dict[str, Any] | None:
        """The contract JSON of GET /backend/v1/cards/<n>, or None for an unknown card."""
        ...
