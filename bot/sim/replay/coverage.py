"""Transition coverage of the flows: which declared (flow, source, dest) moves fixtures took.

The engine calls its observers with every transition taken; `Coverage.observe` is one. A flow
start reaches the engine as the pseudo-transition `[*] -> state` (not a declared move).
States count as reached when a transition, a start or a stored session showed them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flows.base import Flow

Move = tuple[str, str, str]  # (flow, source, dest)


def _sources(flow: type[Flow], source: object) -> list[str]:
    names = [s["name"] for s in flow.states]
    if source in ("*", None):
        return names
    return [str(s) for s in source] if isinstance(source, list | tuple) else [str(source)]


def declared(flows: Iterable[type[Flow]]) -> set[Move]:
    """Every distinct (flow, source, dest) the flows declare; internal moves stay put."""
    moves: set[Move] = set()
    for flow in flows:
        for t in flow.transitions:
            for source in _sources(flow, t.get("source")):
                dest = t.get("dest")
                moves.add((flow.name, source, source if dest in (None, "=") else str(dest)))
    return moves


@dataclass
class Coverage:
    """Collects moves taken across many apps and reports what was never reached."""

    flows: list[type[Flow]]
    taken: set[Move] = field(default_factory=set)
    seen_states: set[tuple[str, str]] = field(default_factory=set)

    def observe(self, flow: str, source: str, dest: str | None) -> None:
        """An engine observer: record one transition taken."""
        self.taken.add((flow, source, source if dest is None else dest))

    def saw_session(self, session: dict | None) -> None:
        """Record the state a session was left in (start-time states have no transition)."""
        if session and session.get("flow") and session.get("state"):
            self.seen_states.add((session["flow"], session["state"]))

    @property
    def declared(self) -> set[Move]:
        return declared(self.flows)

    def counts(self) -> tuple[int, int]:
        """(N, M): declared moves taken, and all declared moves."""
        moves = self.declared
        return len(moves & self.taken), len(moves)

    def line(self) -> str:
        """The contract line: `transition coverage: N/M`."""
        n, m = self.counts()
        return f"transition coverage: {n}/{m}"

    def reached_states(self) -> set[tuple[str, str]]:
        return {(f, d) for f, _, d in self.taken} | set(self.seen_states)

    def missed_states(self) -> list[tuple[str, str]]:
        """Declared states never reached, in declaration order."""
        reached = self.reached_states()
        return [(f.name, s["name"]) for f in self.flows for s in f.states
                if (f.name, s["name"]) not in reached]

    def missed_moves(self) -> list[Move]:
        """Declared transitions never taken, sorted by flow and source."""
        return sorted(self.declared - self.taken)

    def unenterable(self) -> set[tuple[str, str]]:
        """States no declared transition enters: reached only if a flow starts in them."""
        entered = {(f, d) for f, _, d in self.declared}
        return {(f.name, s["name"]) for f in self.flows for s in f.states
                if (f.name, s["name"]) not in entered}
