"""The conversations the bot offers, as declarative state machines."""

from __future__ import annotations

from flows.base import Flow

ALL_FLOWS: list[type[Flow]] = []
