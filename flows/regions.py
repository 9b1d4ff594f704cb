"""The per-region facts of a loss report, from flows/data/regions.yaml (BOT_REGION picks one).

Card rules differ by region (a temporary report lasts 5, 7 or 10 days; a reissue fee is quoted
only where a regional figure exists), so the flows read them here instead of writing numbers
into replies, and the mock backend lifts a temporary report after the same number of days.
The table lives with the flows because the flows say these facts and may not import `bot`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

TABLE = Path(__file__).parent / "data" / "regions.yaml"
DEFAULT_REGION = "default"


@dataclass(frozen=True)
class Region:
    key: str
    names: dict[str, str]  # language -> how the reply names the region
    temporary_days: int
    fee: int | None  # yuan for a new card; None: no regional figure, so none is quoted
    reissue_days: int | None  # working days at the counter; None: as the outlet says


@cache
def regions() -> dict[str, Region]:
    """Every region in the table, read once per process."""
    with open(TABLE, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return {key: Region(key, dict(r["name"]), int(r["temporary_days"]), r.get("fee"),
                        r.get("reissue_days")) for key, r in raw.items()}


def region(key: str | None) -> Region:
    """The region BOT_REGION names (the default when unset); KeyError names the known ones."""
    table = regions()
    try:
        return table[key or DEFAULT_REGION]
    except KeyError:
        raise KeyError(f"no region {key!r}; have {', '.join(table)}") from None
