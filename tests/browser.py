"""One way to start the real headless Chromium the page tests drive (playwright over the
machine's own Chromium: no browser download), so every page test skips, waits and launches
alike."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EXPECT_TIMEOUT_MS = 15_000  # a reply on a busy 2-core CI box; an idle one answers in ~10 ms


def _chromium() -> str | None:
    found = os.environ.get("WXBOT_CHROMIUM") or shutil.which("chromium")
    return found or next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                          if os.path.exists(p)), None)


def launched_chromium() -> Iterator[tuple[Any, Any]]:
    """(browser, expect), closed after; skips the test when Chromium or playwright is absent."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium not found: apt-get install -y chromium (or set WXBOT_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched, sync_api.expect
        finally:
            launched.close()
