"""The documentation stays true: the configuration page is the settings' own, and every path,
page and link a reader is sent to exists inside the repository.

Docs drift silently (a file moves, a setting is added); these checks make the drift a failing
test with the fix in its message. `mkdocs build --strict` (run by .ci/run) checks the links
between pages; this file checks what mkdocs cannot see: backticked paths and the README.
"""

import importlib.util
import re
from itertools import product
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
TOP = ("bot", "flows", "tests", "fixtures", "bench", "docs", ".ci")  # where repo paths start
WRITTEN_BY_RUNS = ("bench/results/",)  # outputs a command writes, named before they exist
NAMED_AS_ABSENT = ("bench/http.py",)  # "not bench/http.py": the name the bench avoids
OUTSIDE = ("../shared", "/work/", "DESIGN.md", "platform-api.md", "platform-more.md")
README_LINES = 120


def _generator():
    spec = importlib.util.spec_from_file_location("gen_config", ROOT / "docs" / "gen_config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prose(text: str) -> str:
    """The text without fenced blocks: trees and shell sessions there are drawings, not refs."""
    return re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)


def _expand(path: str) -> list[str]:
    """`flows/messages/{zh_CN,en}.yaml` names two files; each must exist."""
    parts = re.split(r"\{([^}]*)\}", path)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(combo) for combo in product(*choices)]


def _repo_paths(text: str) -> list[str]:
    """Backticked repository paths, and the README's link targets, as written."""
    spans = re.findall(r"`([^`\n]+)`", _prose(text))
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    found = [s.split(":")[0] for s in spans + links if " " not in s and "<" not in s]
    return [p for p in found if p.split("/")[0] in TOP and "/" in p and "…" not in p
            and not p.startswith(WRITTEN_BY_RUNS) and p not in NAMED_AS_ABSENT]


def _missing(path: str) -> bool:
    if "*" in path:
        return not list(ROOT.glob(path))
    target = ROOT / path.rstrip("/")
    return not (target.exists() or target.with_suffix(".py").exists())  # `flows/__init__`


def test_config_page_is_what_the_generator_writes() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    stale = "docs/configuration.md is stale: run python docs/gen_config.py"
    assert page == _generator().render(), stale


def test_config_page_gives_every_setting_a_meaning() -> None:
    assert _generator().missing() == [], "add the setting's meaning to docs/settings.yaml"


def test_config_page_lists_each_setting_with_meaning_and_default() -> None:
    from bot.config import DEFAULTS

    rows = {}
    for line in (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"\| `([A-Z0-9_]+)` \| (.+) \| (.+) \|$", line):
            rows[m[1]] = (m[2].strip(), m[3].strip())
    assert list(rows) == list(DEFAULTS)
    assert all(meaning and default for meaning, default in rows.values())


def test_settings_meanings_name_only_real_settings() -> None:
    from bot.config import DEFAULTS

    meanings = yaml.safe_load((ROOT / "docs" / "settings.yaml").read_text(encoding="utf-8"))
    assert set(meanings) - set(DEFAULTS) == set(), "a meaning for a setting bot/config.py lacks"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_docs_paths_exist(page: Path) -> None:
    named = _repo_paths(page.read_text(encoding="utf-8"))
    missing = sorted({p for path in named for p in _expand(path) if _missing(p)})
    assert missing == [], f"{page.name} names files that do not exist: {missing}"


@pytest.mark.parametrize("page", (*PAGES, ROOT / "mkdocs.yml"), ids=lambda p: p.name)
def test_docs_send_no_one_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert [ref for ref in OUTSIDE if ref in text] == []


def test_code_messages_send_no_one_outside_the_repository() -> None:
    kinds = ("*.py", "*.yaml", "*.js", "*.html")  # messages, shipped data, the /sim page
    sources = [p for top in ("bot", "flows", "fixtures") for kind in kinds
               for p in (ROOT / top).rglob(kind)]
    hits = [f"{p.relative_to(ROOT)}: {ref}" for p in sources
            for ref in ("../shared", "/work/", "DESIGN.md") if ref in p.read_text("utf-8")]
    assert hits == []


def test_docs_site_lists_every_page() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = {page for entry in config["nav"] for page in entry.values()}
    hooks = (ROOT / "docs" / "hooks.py").read_text(encoding="utf-8")
    unlisted = [p.name for p in PAGES[1:] if p.name not in listed and f'"{p.name}"' not in hooks]
    assert unlisted == [], "add these pages to mkdocs.yml's nav"


def test_readme_fits_a_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_LINES, "move the detail to docs/ and link it"


def test_readme_fixture_replays_as_written(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    fixture = tmp_path / "readme.yaml"
    fixture.write_text(re.search(r"```yaml\n(.*?)```", readme, re.S)[1], encoding="utf-8")
    result = CliRunner().invoke(main, ["replay", str(fixture)])
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output
