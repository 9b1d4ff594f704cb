"""mkdocs hooks: pages that other work may add are listed once they exist, never before.

`docs/reliability.md` (the reliability promises) is written elsewhere; naming it in `nav`
before it exists would fail `mkdocs build --strict`, and leaving it out after would hide it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

OPTIONAL = {"reliability.md": ("Reliability", "security.md")}  # page: (title, listed after)


def on_config(config: Any) -> Any:
    """Add each optional page that exists to the nav, after its neighbour."""
    nav = config["nav"]
    listed = [next(iter(entry.values())) for entry in nav if isinstance(entry, dict)]
    for page, (title, after) in OPTIONAL.items():
        if (Path(config["docs_dir"]) / page).is_file() and page not in listed:
            nav.insert(listed.index(after) + 1, {title: page})
            listed.insert(listed.index(after) + 1, page)
    return config
