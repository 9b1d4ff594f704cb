"""A flow's state diagram as SVG, drawn by Graphviz from the flow's own declarations.

Edges are labelled by outcome (`sent`, `minor`, `locked`, `again`…) rather than by condition
method names, parallel edges are merged into one, and the current state is filled, so the page
shows at a glance where a follower stands and where each answer can lead.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from flows.base import FAILED, START, Flow

DOT_TIMEOUT = 5.0  # seconds `dot` may take; a flow has a dozen states, it needs milliseconds
NAMED = {"is_accepted": "ok", "is_out_of_tries": "out of tries"}
MISSING = ("Graphviz's `dot` is not installed: apt-get install graphviz (brew install graphviz "
           "on macOS)")
MINOR_EDGES = {"again", "out of tries", "retry", "retry, again"}  # drawn light: every step has them


class DiagramError(RuntimeError):
    """Graphviz is missing or failed; the message says which."""


def outcome(transition: dict) -> str:
    """What an edge means to a reader: the outcome its condition names, or `again`."""
    conds = transition.get("conditions") or []
    conds = [conds] if isinstance(conds, str) else list(conds)
    if not conds:
        return "again" if transition["dest"] == transition["source"] else transition["trigger"]
    return " & ".join(NAMED.get(c, c.removeprefix("is_").replace("_", " ")) for c in conds)


def edges(flow: type[Flow]) -> dict[tuple[str, str], list[str]]:
    """(source, dest) -> outcomes, in declaration order, the start edge first."""
    found: dict[tuple[str, str], list[str]] = {(START, flow.initial): ["start"]}
    for t in flow.transitions:
        for source in t["source"] if isinstance(t["source"], list) else [t["source"]]:
            labels = found.setdefault((source, t["dest"]), [])
            label = outcome({**t, "source": source})
            if label not in labels:
                labels.append(label)
    return found


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_source(flow: type[Flow], current: str | None = None) -> str:
    """The DOT text: final states double-ringed, `failed` red, `current` filled green."""
    lines = [f"digraph {_quote(flow.name)} {{",
             "  rankdir=TB; bgcolor=transparent; nodesep=0.25; ranksep=0.45;",
             '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="sans-serif",'
             " fontsize=11];", '  edge [fontname="sans-serif", fontsize=9, color="#57606a"];',
             f'  {_quote(START)} [shape=circle, label="", width=0.18, fillcolor=black,'
             ' id="state-start"];']
    for spec in flow.states:
        name = spec["name"]
        attrs = [f"id={_quote('state-' + name)}"]
        if spec.get("final"):
            attrs.append("peripheries=2")
        if name == FAILED or name.endswith("locked"):
            attrs.append('color="#a40e26"')
        if name == current:
            attrs += ['fillcolor="#07c160"', 'fontcolor=white', "penwidth=2",
                      f"class={_quote('current')}"]
        lines.append(f"  {_quote(name)} [{', '.join(attrs)}];")
    finals = [_quote(s["name"]) for s in flow.states if s.get("final")]
    if len(finals) > 1:  # the ends side by side at the bottom, the questions above them
        lines.append(f"  {{rank=sink; {'; '.join(finals)};}}")
    for (source, dest), labels in edges(flow).items():
        label = ", ".join(labels)
        style = ', color="#c4c9cf", fontcolor="#8c959f"' if label in MINOR_EDGES else \
            ', penwidth=1.4, color="#24292f"'
        lines.append(f"  {_quote(source)} -> {_quote(dest)} [label={_quote(label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(flow: type[Flow], fmt: str, current: str | None = None) -> bytes:
    """The diagram drawn by Graphviz's `dot` in `fmt` (svg, png, pdf…); DiagramError when
    `dot` is missing or fails, with a message of one line that says how to get it."""
    binary = shutil.which("dot")
    if binary is None:
        raise DiagramError(MISSING)
    try:
        paper = [] if fmt == "svg" else ["-Gbgcolor=white"]  # a picture file is seen on its own
        done = subprocess.run([binary, f"-T{fmt}", *paper],
                              input=dot_source(flow, current).encode(),
                              capture_output=True, timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise DiagramError(f"dot took over {DOT_TIMEOUT:g} s") from None
    except OSError as exc:
        raise DiagramError(f"{MISSING} ({exc.strerror or exc})") from None
    if done.returncode != 0:
        first = done.stderr.decode(errors="replace").strip().splitlines()[:1]
        raise DiagramError(f"dot failed: {first[0][:200] if first else done.returncode}")
    return done.stdout


@lru_cache(maxsize=128)
def svg(flow: type[Flow], current: str | None = None) -> str:
    """The SVG of `flow` with `current` highlighted; cached per flow and state."""
    text = render(flow, "svg", current).decode("utf-8")
    return text[text.index("<svg"):]  # no XML prolog or DOCTYPE: the page inlines it
