"""Where a fixture's seed comes from, so a fixture keeps working when it is moved.

A fixture names its seed one of three ways (docs/fixtures.md): a path relative to the fixture
file (the contract's form; it breaks when the file moves without its seed), `wxbot:NAME` for a
seed shipped inside the package (`wxbot:backend.yaml` is the demo's), or the seed document
itself, embedded. Tools that write fixtures (record, the page's save) use the last two, so a
saved file replays wherever it is copied; replay and the targets read all three.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.backend import DEFAULT_SEED
from bot.backend.seed import SeedError, check, line_of, prepare

PACKAGED = "wxbot:"  # prefix of a seed shipped in the package (bot/data/)
PACKAGE_DIR = DEFAULT_SEED.parent
NAME = re.compile(r"[A-Za-z0-9_.-]+\.ya?ml")
SeedSource = Path | Mapping[str, Any]


def packaged(reference: str) -> Path:
    """The file behind `wxbot:NAME`; ValueError naming the shipped seeds when there is none."""
    name = reference.removeprefix(PACKAGED)
    path = PACKAGE_DIR / name
    if not NAME.fullmatch(name) or not path.is_file():
        have = ", ".join(PACKAGED + p.name for p in sorted(PACKAGE_DIR.glob("*.yaml")))
        raise ValueError(f"no packaged seed {reference!r} (have: {have})")
    return path


def resolve(value: Any, base: Path, fixture: Path | None = None) -> Path | dict:
    """A fixture's `seed:` value as a source; ValueError says what is wrong with it (and on
    which line of `fixture`, the file it came from, for an embedded seed)."""
    if isinstance(value, dict):
        try:
            prepare(value)  # checked now, so a bad embedded seed fails when the file loads
        except SeedError as exc:
            line = line_of(fixture, ("seed", *exc.where)) if fixture and exc.where else None
            raise ValueError(f"the embedded seed: {f'line {line}, ' if line else ''}"
                             f"{exc}") from None
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be a path, {PACKAGED}NAME or the seed document, "
                         f"got {type(value).__name__}")
    if value.startswith(PACKAGED):
        return packaged(value)
    seed = (base / value).resolve()
    if not seed.is_file():
        raise ValueError(f"no seed file at {seed}")
    try:
        check(seed)  # a mistyped seed is the fixture's error, with its line, not a traceback
    except SeedError as exc:
        raise ValueError(str(exc)) from None
    return seed


def reference_for(seed: Path) -> str | None:
    """`wxbot:NAME` when `seed` is a file shipped in the package (symlinks followed), else None."""
    try:
        resolved = seed.resolve()
    except OSError:
        return None
    if resolved.parent == PACKAGE_DIR.resolve() and NAME.fullmatch(resolved.name):
        return PACKAGED + resolved.name
    return None


def as_file(seed: SeedSource, directory: Path) -> Path:
    """A path for BOT_BACKEND_SEED: a file as is; an embedded document written into `directory`
    (the run's own temporary data directory, gone with it)."""
    if isinstance(seed, Path):
        return seed
    path = directory / "embedded-seed.yaml"
    path.write_text(yaml.safe_dump(dict(seed), allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def as_document(seed: SeedSource) -> Mapping[str, Any]:
    """The seed as a document, for a server's POST /backend/v1/reset (it never opens paths)."""
    if isinstance(seed, Mapping):
        return seed
    return yaml.safe_load(seed.read_text("utf-8"))
