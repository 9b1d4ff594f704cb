"""`wxbot diagram FLOW -o FILE`: the extension picks the drawing; without Graphviz, one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import ROOT

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) not installed")


@needs_dot
@pytest.mark.parametrize(("name", "magic"), [("x.svg", b"<svg"), ("x.png", b"\x89PNG\r\n"),
                                             ("x.pdf", b"%PDF")])
def test_rendered_formats_go_through_graphviz(tmp_path, name, magic):
    out = tmp_path / name
    result = CliRunner().invoke(main, ["diagram", "bind_card", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert magic in data[:400] and b"stateDiagram" not in data
    if name.endswith(".svg"):  # every state of the flow drawn, the page's way
        text = data.decode("utf-8")
        assert all(f"state&#45;{s}" in text for s in ("ask_id", "ask_code", "bound", "failed"))


def test_mermaid_by_extension_or_on_standard_output(tmp_path):
    out = tmp_path / "x.mmd"
    result = CliRunner().invoke(main, ["diagram", "bind_card", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("stateDiagram-v2\n") and "ask_id --> ask_name" in text
    shown = CliRunner().invoke(main, ["diagram", "bind_card"])
    assert shown.exit_code == 0 and shown.output == text
    dot = tmp_path / "x.dot"
    assert CliRunner().invoke(main, ["diagram", "bind_card", "-o", str(dot)]).exit_code == 0
    assert dot.read_text(encoding="utf-8").startswith('digraph "bind_card"')


def test_an_unknown_extension_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / "x.txt"
    result = CliRunner().invoke(main, ["diagram", "bind_card", "-o", str(out)])
    assert result.exit_code == 2 and ".svg" in result.output and ".mmd" in result.output
    assert not out.exists()


def test_without_dot_a_rendered_format_is_one_line_that_says_how_to_get_it(tmp_path):
    out = tmp_path / "x.svg"
    bare = tmp_path / "bin"  # a PATH with no dot on it
    bare.mkdir()
    done = subprocess.run([sys.executable, "-m", "bot", "diagram", "bind_card", "-o", str(out)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PATH": str(bare)})
    assert done.returncode == 1
    said = (done.stdout + done.stderr).strip().splitlines()
    assert len(said) == 1, said
    assert "apt-get install graphviz" in said[0] and "-o x.mmd" in said[0]
    assert not out.exists()
    mermaid = subprocess.run([sys.executable, "-m", "bot", "diagram", "bind_card", "-o",
                              str(tmp_path / "x.mmd")], capture_output=True, text=True,
                             timeout=60, cwd=ROOT, env={**os.environ, "PATH": str(bare)})
    assert mermaid.returncode == 0 and (tmp_path / "x.mmd").exists()
