"""The workbench in a real headless Chromium at a laptop's 1280x800 and a phone's 390x844.

What a person needs is on the screen without hunting (the chat input, the SMS inbox, the
inspector toggle), "全部重置" asks first and then empties every panel, and each fault control
works through the page. Screenshots go to $WXBOT_SHOTS, else to `screenshots/` under the test's
tmp path; the path is printed, so a person can look at them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests

from tests.people import ZHANG
from tests.servers import running

ALICE, BOB = "oSimAlice0001", "oSimBob000001"
SIZES = {"laptop": (1280, 800), "phone": (390, 844)}
RAW = ("card_masked", "code_owner", "code_purpose", "consent", "(hidden)", "understood")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One `wxbot demo` for the module; each test starts from its reset."""
    base = tmp_path_factory.mktemp("fit")
    env = {"WECHAT_TOKEN": "", "BOT_DATA_DIR": str(base / "data"), "BOT_STORE": ""}
    with running(["demo", "--no-browser"], env, base / "demo.log") as server:
        yield server


@pytest.fixture
def shots(tmp_path, capsys):
    folder = Path(os.environ.get("WXBOT_SHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\nscreenshots: {folder}")
    return folder


def post(server, path: str, body: dict) -> dict:
    answer = requests.post(f"{server.url}{path}", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def to_the_code(server, user: str = "alice") -> None:
    """Through the webhook, as the page sends: a code goes to 张伟's phone."""
    post(server, "/sim/api/send", {"user": user, "type": "click", "key": "BIND_CARD"})
    for text in (ZHANG.id, ZHANG.name, ZHANG.card):
        said = post(server, "/sim/api/send", {"user": user, "type": "text", "content": text})
    assert "138****8000" in said["reply"]


def open_page(browser, server, size: str):
    """A fresh page at `size`, recording every failed request and console error."""
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.failures = []
    page.on("response", lambda r: page.failures.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.on("console", lambda m: page.failures.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.url}/sim")
    return page


def test_what_a_person_needs_is_on_the_screen_at_both_sizes(demo, browser, shots):
    chromium, expect = browser
    post(demo, "/sim/api/reset", {})
    to_the_code(demo)
    for size in SIZES:
        page = open_page(chromium, demo, size)
        alice = page.locator(f".phone-card[data-openid={ALICE}]")
        expect(alice.locator(".chat li.bot").last).to_contain_text("验证码已发送至")
        chat_input, toggle = alice.locator(".message"), alice.locator(".inspect-toggle")
        code, inspector = page.locator("#sms li .code").first, alice.locator(".inspector .state")
        expect(chat_input).to_be_in_viewport(ratio=1)
        expect(toggle).to_be_in_viewport(ratio=1)
        if size == "laptop":  # the SMS inbox and the inspector beside the chat, no scrolling
            expect(code).to_be_in_viewport(ratio=1)
            expect(inspector).to_be_in_viewport(ratio=1)
            expect(page.locator("#counters [data-counter=pushes] dd")).to_be_in_viewport()
            page.screenshot(path=str(shots / "workbench-1280x800.png"))
        else:  # the chat first; the SMS inbox and the inspector one tap away
            expect(code).to_be_hidden()
            expect(inspector).to_be_hidden()
            page.screenshot(path=str(shots / "workbench-390x844-chat.png"))
            page.click(".tabs [data-tab=sms]")
            expect(code).to_be_in_viewport(ratio=1)
            page.screenshot(path=str(shots / "workbench-390x844-sms.png"))
            typed = code.inner_text()
            code.click()  # fills the chat's input and goes back to the chat
            expect(chat_input).to_have_value(typed)
            expect(chat_input).to_be_in_viewport(ratio=1)
            toggle.click()
            expect(inspector).to_be_in_viewport(ratio=1)
            expect(inspector).to_have_text("绑定社保卡 · 步骤 ask_code")
            page.screenshot(path=str(shots / "workbench-390x844-inspector.png"))
            page.click(".tabs [data-tab=tools]")
            expect(page.locator("#faults-panel")).to_be_visible()
            page.screenshot(path=str(shots / "workbench-390x844-tools.png"), full_page=True)
            page.click(".tabs [data-tab=chat]")
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the page scrolls sideways at {size}"
        shown = alice.locator(".inspector").inner_text() + page.locator("#sms").inner_text()
        # whole words: the diagram may name a state guardian_consented, a slot never shows raw
        words = [rf"(?<!\w){re.escape(raw)}(?!\w)" for raw in RAW]
        assert not [word for word in words if re.search(word, shown)], shown
        assert "绑卡" in page.locator("#sms").inner_text()  # the SMS's purpose, in Chinese
        assert page.failures == [], page.failures  # no 404 (the favicon), no script error
        page.close()
    assert all(shot.stat().st_size > 10_000 for shot in shots.glob("workbench-*.png"))


def test_reset_asks_first_then_empties_every_panel_and_reloads_the_seed(demo, browser, shots):
    chromium, expect = browser
    post(demo, "/sim/api/reset", {})
    to_the_code(demo)
    post(demo, "/sim/api/agents/take", {"user": ALICE})
    post(demo, "/sim/api/agents/say", {"user": ALICE, "text": "您好，我是人工客服小王"})
    page = open_page(chromium, demo, "laptop")
    alice = page.locator(f".phone-card[data-openid={ALICE}]")
    expect(alice.locator(".chat li.api", has_text="人工客服小王")).to_have_count(1)
    expect(page.locator("#sms li .code")).to_have_count(1)
    expect(page.locator("#agent-sessions li:not(.empty)")).to_have_count(1)
    expect(page.locator("#seed tr").first).to_be_visible()
    page.evaluate("document.querySelectorAll('#seed tr').forEach((r) => { r.dataset.old = 1; })")
    page.on("request", lambda r: seed_reads.append(r.url) if "/sim/api/seed" in r.url else None)
    seed_reads: list[str] = []

    page.click("#reset")  # asks first: cancelling changes nothing
    dialog = page.locator("#reset-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("全部重置")
    page.screenshot(path=str(shots / "reset-dialog-1280x800.png"))
    dialog.locator("button[value=cancel]").click()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(500)
    kept = requests.get(f"{demo.url}/sim/api/transcript?user=alice", timeout=5).json()
    assert kept["exchanges"] and not seed_reads
    expect(alice.locator(".chat li.api")).to_have_count(2)  # the bot's "已接入", the agent's

    page.click("#reset")
    page.click("#reset-confirm")
    expect(dialog).to_be_hidden()
    expect(page.locator("#notice")).to_contain_text("已重置")
    expect(alice.locator(".chat li")).to_have_count(0)
    expect(page.locator("#sms li.empty")).to_have_count(1)
    expect(page.locator("#traffic li.empty")).to_have_count(1)
    expect(page.locator("#agent-sessions li.empty")).to_have_count(1)
    expect(page.locator("#seed tr[data-old]")).to_have_count(0)  # drawn again from the server
    expect(page.locator("#seed tr").first).to_be_visible()
    expect(alice.locator(".inspector .state")).to_contain_text("空闲")
    assert seed_reads, "the seed table was not read again"
    outbound = requests.get(f"{demo.url}/sim/api/outbound?user={ALICE}", timeout=5).json()
    assert outbound["messages"] == []
    page.screenshot(path=str(shots / "after-reset-1280x800.png"))
    assert page.failures == [], page.failures


def test_each_fault_control_works_through_the_page(demo, browser, shots):
    chromium, expect = browser
    post(demo, "/sim/api/reset", {})
    for text in ({"type": "click", "key": "BIND_CARD"}, {"type": "text", "content": ZHANG.id},
                 {"type": "text", "content": ZHANG.name}):
        post(demo, "/sim/api/send", {"user": "bob", **text})
    before = requests.get(f"{demo.url}/sim/api/counters", timeout=5).json()
    page = open_page(chromium, demo, "laptop")
    active, badge = page.locator("#faults-active"), page.locator("#fault-badge")
    expect(active.locator("li.empty")).to_have_count(1)
    expect(badge).to_be_hidden()

    # A slow backend: 5 s is past the reply deadline, so the reply is owed to the API ...
    page.fill("#fault-slow-seconds", "5")
    page.fill("#fault-slow-times", "1")
    page.click("#fault-slow button[type=submit]")
    expect(active.locator("li[data-fault=backend]")).to_contain_text("5 秒")
    assert requests.get(f"{demo.url}/backend/v1/faults", timeout=5).json()["armed"] == \
        {"delay": 5.0, "times": 1}
    # ... and the next platform API call fails with the errcode chosen on the page.
    page.select_option("#fault-api", "custom")
    page.fill("#fault-errcode", "45015")
    page.click("#fault-error button[type=submit]")
    expect(active.locator("li[data-fault=error-custom]")).to_contain_text("45015")
    expect(badge).to_have_text("故障中 2")
    page.screenshot(path=str(shots / "faults-armed-1280x800.png"))
    armed = requests.get(f"{demo.url}/sim/api/faults", timeout=5).json()
    assert armed["errors"] == [{"api": "custom", "errcode": 45015, "times": 1}]

    page.check(f"#followers label[data-openid={BOB}] input")
    bob = page.locator(f".phone-card[data-openid={BOB}]")
    bob.locator(".message").fill(ZHANG.card)
    bob.locator(".send").click()  # the webhook answers at the deadline; the API send fails
    owed = before["replies"].get("owed", 0) + 1
    failed = sum(before["api_sends"].get(k, 0) for k in ("failed", "retry")) + 1
    expect(page.locator("#counters [data-counter=owed] dd")).to_have_text(str(owed))
    expect(page.locator("#counters [data-counter=failed] dd")).to_have_text(str(failed))
    expect(active.locator("li.empty")).to_have_count(1)  # both spent by that one message
    expect(badge).to_be_hidden()

    # The platform unreachable: every API call answers 503, until the page clears it.
    token = f"{demo.url}/cgi-bin/token?grant_type=client_credential"
    page.click("#fault-outage button[type=submit]")
    expect(active.locator("li[data-fault=outage]")).to_contain_text("平台不可达")
    assert requests.get(token, timeout=5).status_code == 503
    page.fill("#fault-slow-seconds", "2")
    page.click("#fault-slow button[type=submit]")
    expect(active.locator("li:not(.empty)")).to_have_count(2)
    active.locator("li[data-fault=backend] .clear-fault").click()  # one at a time ...
    expect(active.locator("li[data-fault=backend]")).to_have_count(0)
    assert requests.get(f"{demo.url}/backend/v1/faults", timeout=5).json()["armed"]["times"] == 0
    page.click("#faults-clear")  # ... or all at once
    expect(active.locator("li.empty")).to_have_count(1)
    expect(badge).to_be_hidden()
    assert requests.get(token, timeout=5).status_code == 200
    expect(page.locator("#notice")).to_contain_text("清除")
    assert page.failures == [], page.failures
    said = demo.log.read_text(encoding="utf-8")  # the panels poll every 2 s, out of the log
    assert "GET /sim/api/counters" not in said and "GET /backend/v1/faults" not in said
    assert "POST /backend/v1/faults" in said  # what a person did stays in it
