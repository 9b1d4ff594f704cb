"""The workbench's agent console in a real Chromium: a person takes a follower mid-flow,
reads what the bot had collected (masked), answers on the follower's phone, closes, and the
bot carries on with the flow it had left."""

from __future__ import annotations

import pytest
import requests

from tests.people import ZHANG
from tests.servers import running
from tests.test_sim_page import _shoot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

ALICE = "oSimAlice0001"


def test_agent_console_takes_talks_closes_and_the_bot_resumes(tmp_path, browser):
    chromium, expect = browser
    env = {"WECHAT_TOKEN": "", "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_STORE": ""}
    with running(["demo", "--no-browser"], env, tmp_path / "demo.log") as server:
        page = chromium.new_page(viewport={"width": 1920, "height": 1100})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{server.url}/sim")
        alice = page.locator(f".phone-card[data-openid={ALICE}]")
        console = page.locator("#agent-console")
        expect(console.locator("#agents li[data-account='kf1@wxbot'] input")).to_be_checked()
        expect(console.locator("#agent-queue")).to_contain_text("没有人排队")

        def say(text: str) -> None:
            alice.locator(".message").fill(text)
            alice.locator(".send").click()

        alice.locator(".more").click()
        alice.locator(".actions button[data-type=subscribe]").click()
        expect(alice.locator(".chat li.bot").last).to_contain_text("欢迎关注")
        alice.locator(".menu button[data-key=BIND_CARD]").click()
        expect(alice.locator(".chat li.bot").last).to_contain_text("身份证号")
        say(ZHANG.id)
        expect(alice.locator(".chat li.bot").last).to_contain_text("姓名")

        # The agent takes alice and sees what the bot had collected, masked.
        console.locator("#agent-take-user").select_option(ALICE)
        console.locator("#agent-take").click()
        expect(console.locator("#agent-sessions")).to_contain_text("kf1@wxbot")
        expect(alice.locator(".chat li.bot").last).to_contain_text("人工客服已接入")
        pane = console.locator("#agent-follower")
        expect(pane.locator(".who")).to_contain_text("由 kf1@wxbot 服务中")
        expect(pane.locator("dd[data-slot=id]")).to_have_text("1101**********1232")
        assert ZHANG.id not in pane.inner_text()

        # While the agent has her, her words reach the agent, not the bot.
        say("我想找人问问补卡")
        expect(alice.locator(".chat li").last).to_contain_text("success")
        expect(pane.locator(".talk li.follower").last).to_contain_text("补卡")
        pane.locator("#agent-reply input").fill("您好，我是客服小王，补卡可以在网点办理。")
        pane.locator("#agent-reply button").click()
        expect(pane.locator(".talk li.agent").last).to_contain_text("客服小王")
        reached = alice.locator(".chat li.bot.agent").last
        expect(reached).to_contain_text("客服小王")
        expect(reached.locator(".badge")).to_contain_text("人工客服 kf1@wxbot")
        _shoot(page, tmp_path, 1920, "-agent-console")

        # Closed: the bot serves again and the flow it left goes on.
        pane.locator(".close-session").click()
        expect(console.locator("#agent-sessions")).to_contain_text("没有进行中的会话")
        say(ZHANG.name)
        expect(alice.locator(".chat li.bot").last).to_contain_text("卡号")
        pushed = requests.get(f"{server.url}/sim/api/outbound", params={"user": ALICE},
                              timeout=5).json()["messages"]
        assert [m["body"].get("customservice") for m in pushed] == [
            None, {"kf_account": "kf1@wxbot"}, None]  # the bot saying a person is there, the
        assert "人工客服已接入" in pushed[0]["body"]["text"]["content"]  # agent's, the bot back
        back = pushed[-1]["body"]["text"]["content"]
        assert "人工客服会话已结束" in back and "接着刚才的“绑定社保卡”" in back
        _shoot(page, tmp_path, 390, "-agent-console")
        assert not [e for e in errors if "Error" in e], errors  # no script failed
