"""`wxbot diagram FLOW [-o FILE]`: a flow's state machine, drawn from its own declarations.

The file's extension picks the drawing: `.svg`, `.png` or `.pdf` are rendered by Graphviz
with the page's own DOT (diagram.py: outcomes on the edges, finals double-ringed), `.dot`/`.gv`
is that DOT text, and `.mmd` (or no file: standard output) is Mermaid, as before. Without
Graphviz a rendered format is refused in one line that says how to get it, and nothing is
written: an `x.svg` that holds Mermaid text is worse than none.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.sim.web.diagram import DiagramError, dot_source, render
from flows.diagram import mermaid
from flows.registry import ALL_FLOWS

RENDERED = (".svg", ".png", ".pdf")
TEXT = (".mmd", ".dot", ".gv")


@click.command("diagram")
@click.argument("flow")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write here: .svg/.png/.pdf (Graphviz), .dot/.gv (DOT) or .mmd (Mermaid); "
              "without it, Mermaid on standard output.")
def diagram_command(flow: str, output: Path | None) -> None:
    """Draw FLOW's state machine (Mermaid, or through Graphviz by the file's extension)."""
    flows = {f.name: f for f in ALL_FLOWS}
    if flow not in flows:
        raise click.BadParameter(f"unknown flow {flow!r}; have: {', '.join(sorted(flows))}",
                                 param_hint="FLOW")
    chosen = flows[flow]
    if output is None:
        sys.stdout.write(mermaid(chosen))
        return
    suffix = output.suffix.lower()
    if suffix in RENDERED:
        try:
            output.write_bytes(render(chosen, suffix[1:]))
        except DiagramError as exc:
            raise click.ClickException(f"cannot draw {output}: {exc}; or write Mermaid "
                                       f"without it: -o {output.with_suffix('.mmd').name}"
                                       ) from None
    elif suffix in TEXT:
        text = mermaid(chosen) if suffix == ".mmd" else dot_source(chosen)
        output.write_text(text, encoding="utf-8")
    else:
        raise click.BadParameter(f"{output.name}: the extension picks the drawing; use one of "
                                 f"{', '.join(RENDERED + TEXT)}", param_hint="-o")
    click.echo(f"wrote {output}")
