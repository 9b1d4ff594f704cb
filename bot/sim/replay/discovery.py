"""Which files a replay runs: the paths given, and the fixtures under the folders given.

A folder of fixtures may hold a backend seed as well (`fixtures/backend.yaml` beside
`fixtures/conversations/`): `wxbot replay fixtures/` runs the conversations and leaves the
seed alone; a seed named as a file is still loaded, and refused as a fixture, as asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

SEED_TOP = re.compile(r"^(people|cards|guardianships)\s*:", re.MULTILINE)
STEPS_TOP = re.compile(r"^steps\s*:", re.MULTILINE)


def _is_seed(path: Path) -> bool:
    """A backend seed beside the fixtures (fixtures/backend.yaml): no steps, people/cards."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False  # let loading say what is wrong with it
    return bool(SEED_TOP.search(text)) and not STEPS_TOP.search(text)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; directories searched recursively for *.yaml / *.yml, sorted, leaving
    out seeds found there (`wxbot replay fixtures/` runs the conversations, not the seed)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.suffix in (".yaml", ".yml") and not _is_seed(p))
        else:
            found.append(path)
    return list(dict.fromkeys(found))
