"""The workbench's subscribe-notice panel: a real headless Chromium against `wxbot demo`."""

from __future__ import annotations

import pytest
import requests

from bot.config import DEMO_SUBSCRIBE
from tests.servers import running
from tests.test_sim_page import GUARDIAN

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

REVIEW = DEMO_SUBSCRIBE["WECHAT_SUBSCRIBE_REVIEW"]


def test_the_panel_shows_a_followers_grants_and_plays_the_popup(tmp_path, browser) -> None:
    chromium, expect = browser
    env = {"WECHAT_TOKEN": "", "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_STORE": ""}
    with running(["demo", "--no-browser"], env, tmp_path / "demo.log") as server:
        page = chromium.new_page(viewport={"width": 1920, "height": 1000})
        errors = []
        page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
        page.goto(f"{server.url}/sim")
        page.select_option("#subscribe-user", GUARDIAN)
        row = page.locator(f"#subscriptions li[data-template={REVIEW}]")
        expect(row).to_have_attribute("data-status", "none")
        expect(row).to_contain_text("审核结果通知")
        row.locator("button.accept").click()
        expect(row).to_have_attribute("data-status", "accept")
        expect(row).to_have_attribute("data-bot", "accept")  # the bot heard the push
        expect(row.locator(".platform")).to_contain_text("还可发 1 次")
        row.locator("button.reject").click()
        expect(row).to_have_attribute("data-bot", "reject")
        assert not errors, errors
        ledger = requests.get(f"{server.url}/sim/api/subscriptions", params={"user": GUARDIAN},
                              timeout=10).json()["templates"]
    assert {(t["template_id"], t["kind"], t["status"], t["bot"]) for t in ledger} >= {
        (REVIEW, "review", "reject", "reject")}
