"""The simulator page: a real headless Chromium against `wxbot demo`, and the API's refusals."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bot.app import bot_of
from tests.browser import CHROMIUM_ARGS, EXPECT_TIMEOUT_MS, _chromium
from tests.people import LI_NA, WANG_XM, ZHANG
from tests.servers import running, serving

pytestmark = pytest.mark.xdist_group("browser")

ROOT = Path(__file__).resolve().parent.parent

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.fixture
def sim_app(app_factory):
    return app_factory()


@pytest.fixture
def app_factory(tmp_path, clock):
    from bot import create_app

    made = []

    def make(**extra):
        app = create_app({"WECHAT_TOKEN": "devtoken", "BOT_SIMULATOR": True, "CLOCK": clock,
                          "BOT_DATA_DIR": str(tmp_path / f"data{len(made)}"), **extra})
        made.append(app)
        return app

    yield make
    for app in made:
        bot_of(app).close()


SHOTS = os.environ.get("WXBOT_SHOTS")  # a directory to keep the page's screenshots in, if set
MINOR, GUARDIAN = "oSimMinor0001", "oSimGuardian01"


def _shoot(page, tmp_path: Path, width: int, what: str = "") -> Path:
    page.set_viewport_size({"width": width, "height": 1000})
    page.wait_for_timeout(300)  # let the grid settle at the new width
    shot = tmp_path / f"sim-{width}{what}.png"
    page.screenshot(path=str(shot), full_page=True)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(SHOTS) / shot.name)
    return shot


@pytest.mark.e2e
def test_the_workbench_binds_a_minors_card_beside_the_guardian_and_saves_a_fixture(tmp_path):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium not found: apt-get install -y chromium (or set WXBOT_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    env = {"WECHAT_TOKEN": "", "WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": "wx0123456789abcdef",
           "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_STORE": ""}
    with running(["demo", "--no-browser"], env, tmp_path / "demo.log") as server, \
            sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1000})
            console = []
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.goto(f"{server.url}/")  # GET / leads to the page
            expect = sync_api.expect
            expect(page.locator("#mode")).to_contain_text("安全模式")
            page.check("#followers label[data-openid=oSimMinor0001] input")
            page.check("#followers label[data-openid=oSimGuardian01] input")
            page.uncheck("#followers label[data-openid=oSimAlice0001] input")
            minor = page.locator(".phone-card[data-alias=minor]")
            guardian = page.locator(".phone-card[data-alias=guardian]")

            def say(phone, text: str, reply: str) -> None:
                phone.locator(".message").fill(text)
                phone.locator(".send").click()
                expect(phone.locator(".chat li.bot").last).to_contain_text(reply)

            guardian.locator(".more").click()
            guardian.locator(".actions button[data-type=subscribe]").click()
            expect(guardian.locator(".chat li.bot").last).to_contain_text("欢迎关注")
            minor.locator(".menu button[data-key=BIND_CARD]").click()
            expect(minor.locator(".chat li.bot").last).to_contain_text("身份证号")
            say(minor, WANG_XM.id, "姓名")
            say(minor, "王小明", "卡号")
            say(minor, WANG_XM.card, "监护人")
            say(minor, LI_NA.id, "监护人的手机 139****0001")

            # The inspector: what was understood, state, masked slots, tries, expiries, diagram.
            inspector = minor.locator(".inspector")
            expect(inspector.locator(".heard")).to_contain_text("身份证号=3101**********0463")
            assert LI_NA.id not in inspector.inner_text()
            expect(inspector.locator(".state")).to_have_text("绑定社保卡 · 步骤 ask_code")
            for raw in ("card_masked", "code_owner", "consent", "(hidden)"):  # no code names
                # whole words: the diagram may draw a state guardian_consented
                word = rf"(?<!\w){re.escape(raw)}(?!\w)"
                assert not re.search(word, inspector.inner_text()), raw
            expect(inspector.locator("dd[data-slot=id]")).to_have_text("3101**********0159")
            expect(inspector.locator("dd[data-slot=guardian]")).to_have_text("3101**********0463")
            expect(inspector.locator("dd[data-slot=name]")).to_have_text("王**")
            expect(inspector).to_contain_text("验证码过期")
            assert WANG_XM.id not in inspector.inner_text()
            current = inspector.locator(".diagram svg g.current title")
            expect(current).to_have_text("ask_code")
            expect(inspector.locator(".diagram svg")).to_contain_text("minor")
            _shoot(page, tmp_path, 1920, "-inspector")

            # Side by side after a reload: both phones, each chat from the server.
            page.reload()
            expect(minor.locator(".chat li.bot").last).to_contain_text("验证码已发送至")
            expect(guardian.locator(".chat li.bot").last).to_contain_text("欢迎关注")
            box_m, box_g = minor.bounding_box(), guardian.bounding_box()
            assert box_m and box_g and abs(box_m["y"] - box_g["y"]) < 5  # in one row

            # Time: past the code's expiry, the bot says so and sends a new one.
            sms = page.locator("#sms li[data-phone='139****0001'] .code").first
            expect(sms).to_have_text(re.compile(r"^\d{6}$"))
            old_code = sms.inner_text()
            for step in ("300", "60"):  # each advance shown before the next: both applied
                before = page.locator("#clock").inner_text()
                page.click(f"[data-advance='{step}']")
                expect(page.locator("#clock")).not_to_have_text(before)
            say(minor, old_code, "验证码已过期")
            expect(sms).not_to_have_text(old_code)
            say(minor, sms.inner_text(), "绑定成功")
            expect(minor.locator(".inspector .state")).to_contain_text("idle")

            # Traffic: the raw XML as sent (sealed) and opened, then the platform's retry.
            last = page.locator("#traffic details").first
            last.locator("summary").click()
            expect(last.locator("pre.sent")).to_contain_text("<Encrypt>")
            expect(last.locator("pre.opened")).to_contain_text("<MsgType><![CDATA[text]]>")
            expect(last.locator("pre.reply-opened")).to_contain_text("绑定成功")
            last.locator("button.again").click()
            expect(page.locator("#notice")).to_contain_text("HTTP 200")
            expect(minor.locator(".chat li.note.retry")).to_have_count(1)
            expect(minor.locator(".chat li.bot.retry")).to_contain_text("绑定成功")
            card = requests.get(f"{server.url}/backend/v1/cards/{WANG_XM.card}", timeout=5).json()
            assert card["bound_openid"] == MINOR  # bound once, by the minor

            # A fixture from the page, step by step, each step marked.
            page.select_option("#fixture", "conversations/bind_adult.yaml")
            page.click("#fixture-step")
            expect(page.locator("#fixture-steps li[data-result=pass]")).to_have_count(1)
            page.click("#fixture-run")
            expect(page.locator("#fixture-title")).to_contain_text("通过")
            expect(page.locator("#fixture-steps li[data-result=fail]")).to_have_count(0)

            # Save the session as a fixture; `wxbot replay` passes it.
            page.click("#save")
            expect(page.locator("#saved")).to_contain_text("已保存")
            saved = Path(re.search(r"：(\S+\.yaml)", page.locator("#saved").inner_text())[1])
            text = saved.read_text(encoding="utf-8")
            assert MINOR not in text and GUARDIAN not in text  # openids become aliases
            assert "seed stand-ins" in text and "wait:" in text  # the expiry is replayed too
            replayed = subprocess.run([sys.executable, "-m", "bot", "replay", str(saved)],
                                      capture_output=True, text=True, timeout=120,
                                      env={**os.environ, "PYTHONPATH": str(ROOT)})
            assert replayed.returncode == 0, replayed.stdout + replayed.stderr

            shots = [_shoot(page, tmp_path, width) for width in (390, 1024, 1920)]
            assert all(shot.stat().st_size > 10_000 for shot in shots)
            for width, side_by_side in ((390, False), (1024, True), (1920, True)):
                page.set_viewport_size({"width": width, "height": 1000})
                overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
                assert overflow <= 0, f"the page scrolls sideways at {width} px"
                box_m, box_g = minor.bounding_box(), guardian.bounding_box()
                assert (abs(box_m["y"] - box_g["y"]) < 5) == side_by_side, width
            page.fill("#custom-openid", "oAnyOpenid_01")  # Chromium checks `pattern` as one types
            assert page.evaluate("document.querySelector('#custom-openid').checkValidity()")
            assert not [c for c in console if "pattern" in c or "Error" in c], console
        finally:
            browser.close()
    log = (tmp_path / "demo.log").read_text(encoding="utf-8")
    assert "/sim/api/state" not in log and "/sim/api/transcript" not in log  # polling is quiet
    assert "minor: '3101**********0159' bind_card.ask_id -> bind_card.ask_name" in log
    assert WANG_XM.id not in log


def test_send_refuses_bad_input_with_4xx_json(sim_app):
    client = sim_app.test_client()
    bad = [{"user": "no spaces", "type": "text", "content": "hi"},
           {"user": "alice", "type": "fax"},
           {"user": "alice", "type": "text", "content": ""},
           {"user": "alice", "type": "text", "content": "x" * 5000},
           {"user": "alice", "type": "click", "key": "<script>"},
           {"user": ["alice"], "type": "text", "content": "hi"},
           [1, 2], "text"]
    for body in bad:
        response = client.post("/sim/api/send", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"] == "bad_request"
    assert client.post("/sim/api/send").status_code == 415  # no body: not even JSON
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


@pytest.fixture
def served_with_platform(app_factory, clock):
    """The app in a thread, with stand-ins for the mock platform's menu and outbound log."""
    menu = {"button": [{"type": "click", "name": "绑卡", "key": "BIND_CARD"},
                       {"name": "服务", "sub_button": [
                           {"type": "click", "name": "我的卡", "key": "MY_CARD"},
                           {"type": "view", "name": "官网", "url": "https://example.com/"}]}]}
    sent = {"oSimAlice0001": [{"api": "custom", "at": clock.now() + 30, "body": {
        "touser": "oSimAlice0001", "msgtype": "text", "text": {"content": "您的审核已通过"}}}]}
    import json

    from bot.sim.mockplatform import DEMO_APP_ID, DEMO_APP_SECRET
    from bot.sim.mockplatform.cgi import MOCK

    app = app_factory(WECHAT_APP_ID=DEMO_APP_ID, WECHAT_APP_SECRET=DEMO_APP_SECRET)
    mock = app.extensions[MOCK]  # the real mock platform: seed its menu and its outbound log
    mock.menu_create(menu)
    for user, messages in sent.items():
        for message in messages:
            with mock.db.tx() as db:
                db.execute("INSERT INTO outbound (openid, api, body, at) VALUES (?, ?, ?, ?)",
                           (user, message["api"], json.dumps(message["body"]), message["at"]))
    with serving(app) as url:
        yield url


@pytest.mark.e2e
def test_the_page_draws_the_accounts_menu_and_marks_api_sent_messages(served_with_platform,
                                                                      clock):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium not found: apt-get install -y chromium (or set WXBOT_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 900})
            page.goto(f"{served_with_platform}/sim")
            expect, alice = sync_api.expect, page.locator(".phone-card[data-alias=alice]")
            expect(alice.locator(".menu > .menu-cell")).to_have_count(2)
            submenu = alice.locator(".submenu")
            expect(submenu).to_be_hidden()
            alice.locator(".menu button.has-sub").click()
            expect(submenu).to_be_visible()
            expect(submenu.locator("button", has_text="官网")).to_be_disabled()  # a view button
            submenu.locator("button[data-key=MY_CARD]").click()
            expect(submenu).to_be_hidden()
            chat = alice.locator(".chat li")
            expect(chat.nth(1)).to_contain_text("还没有绑定社保卡")
            expect(chat.nth(0)).to_contain_text("[菜单] 我的卡")
            api_sent = alice.locator(".chat li.api")
            expect(api_sent).to_contain_text("您的审核已通过")
            expect(api_sent.locator(".badge")).to_have_text("客服消息")
            expect(chat.last).to_have_class(re.compile(r"\bapi\b"))  # after the bot's reply
        finally:
            browser.close()
