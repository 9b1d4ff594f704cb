"""Mermaid state diagrams drawn from a flow's own declarations, so they cannot drift."""

from __future__ import annotations

from flows.base import START, Flow


def _conditions(t: dict) -> str:
    conds = t.get("conditions", [])
    conds = [conds] if isinstance(conds, str) else list(conds)
    unless = t.get("unless", [])
    unless = [unless] if isinstance(unless, str) else list(unless)
    return " & ".join([*conds, *(f"not {u}" for u in unless)])


def mermaid(flow: type[Flow]) -> str:
    """`stateDiagram-v2` text: [*] -> initial, every declared transition, finals -> [*]."""
    lines = ["stateDiagram-v2", f"    {START} --> {flow.initial}"]
    seen: set[tuple[str, str, str]] = set()
    for t in flow.transitions:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for source in sources:
            label = f"{t['trigger']}" + (f" [{c}]" if (c := _conditions(t)) else "")
            edge = (source, t["dest"], label)
            if edge not in seen:
                seen.add(edge)
                lines.append(f"    {source} --> {t['dest']} : {label}")
    lines += [f"    {s['name']} --> {START}" for s in flow.states if s.get("final")]
    return "\n".join(lines) + "\n"
