"""The simulator page: a real headless Chromium against `wxbot demo`, and the API's refusals."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from bot.app import bot_of
from tests.people import ZHANG
from tests.servers import running

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _chromium() -> str | None:
    found = os.environ.get("WXBOT_CHROMIUM") or shutil.which("chromium")
    return found or next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                          if os.path.exists(p)), None)


@pytest.fixture
def sim_app(app_factory):
    return app_factory()


@pytest.fixture
def app_factory(tmp_path, clock):
    from bot import create_app

    made = []

    def make(**extra):
        app = create_app({"WECHAT_TOKEN": "dev-token", "BOT_SIMULATOR": True, "CLOCK": clock,
                          "BOT_DATA_DIR": str(tmp_path / f"data{len(made)}"), **extra})
        made.append(app)
        return app

    yield make
    for app in made:
        bot_of(app).close()


def test_the_page_binds_an_adults_card_in_a_real_browser(tmp_path):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium not found: apt-get install -y chromium (or set WXBOT_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    env = {"WECHAT_TOKEN": "", "WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": "wx0123456789abcdef",
           "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_STORE": ""}
    with running(["demo", "--no-browser"], env, tmp_path / "demo.log") as server, \
            sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{server.url}/sim")
            expect, last_reply = sync_api.expect, page.locator("#chat li.bot").last
            expect(page.locator("#mode")).to_contain_text("safe mode")
            expect(page.locator("#who")).to_contain_text("alice")

            def say(text: str, reply: str) -> None:
                page.fill("#message", text)
                page.click("#send")
                expect(last_reply).to_contain_text(reply)

            page.click("#menu button[data-key=BIND_CARD]")
            expect(last_reply).to_contain_text("身份证号")
            expect(page.locator("#state")).to_contain_text("bind_card · ask_id")
            say(ZHANG.id, "姓名")
            say("张伟", "卡号")
            say(ZHANG.card, "验证码已发送至 138****8000")
            code = page.locator("#sms li[data-phone='138****8000'] .code").first
            expect(code).to_have_text(re.compile(r"^\d{6}$"))
            say(code.inner_text(), "绑定成功")
            expect(page.locator("#state")).to_contain_text("idle")
            assert ZHANG.id not in last_reply.inner_text()
        finally:
            browser.close()


def test_send_refuses_bad_input_with_4xx_json(sim_app):
    client = sim_app.test_client()
    bad = [{"user": "no spaces", "type": "text", "content": "hi"},
           {"user": "alice", "type": "fax"},
           {"user": "alice", "type": "text", "content": ""},
           {"user": "alice", "type": "text", "content": "x" * 5000},
           {"user": "alice", "type": "click", "key": "<script>"},
           {"user": ["alice"], "type": "text", "content": "hi"},
           [1, 2], "text", None]
    for body in bad:
        response = client.post("/sim/api/send", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"] == "bad_request"
    garbage = client.post("/sim/api/send", data=b"\xff{", content_type="application/json")
    assert garbage.status_code == 400
    assert client.get("/sim/api/nothing-here").status_code == 404
    assert client.get("/sim/api/nothing-here").get_json()["error"] == "not_found"


def test_send_goes_through_the_webhook_and_the_panels_follow(sim_app):
    client = sim_app.test_client()
    said = client.post("/sim/api/send", json={"user": "alice", "type": "click",
                                              "key": "BIND_CARD"}).get_json()
    assert said["ok"] and "身份证号" in said["reply"]
    state = client.get("/sim/api/state", query_string={"user": said["openid"]}).get_json()
    assert state["session"]["state"] == "ask_id"
    for text in (ZHANG.id, "张伟", ZHANG.card):
        said = client.post("/sim/api/send", json={"user": "alice", "type": "text",
                                                  "content": text}).get_json()
    assert "138****8000" in said["reply"]
    sms = client.get("/sim/api/sms").get_json()["messages"]
    assert [(m["phone"], m["purpose"]) for m in sms] == [("138****8000", "bind")]
    assert sms[0]["code"].isdigit() and ZHANG.phone not in str(sms)


def test_the_page_speaks_safe_mode_when_a_key_is_set(app_factory):
    app = app_factory(WECHAT_AES_KEY=AES_KEY, WECHAT_APP_ID="wx0123456789abcdef")
    seen = []
    bot_of(app).before_message.append(lambda inbound: seen.append(inbound.encrypted))
    client = app.test_client()
    assert client.get("/sim/api/followers").get_json()["mode"] == "safe"
    assert client.post("/sim/api/send", json={"user": "bob", "type": "subscribe"}).get_json()["ok"]
    assert seen == [True]
    with client.get("/sim") as page:
        assert page.status_code == 200
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert b"/sim/static/sim.js" in page.data
    for asset in ("sim.js", "sim.css"):
        with client.get(f"/sim/static/{asset}") as response:
            assert response.status_code == 200
