"""Review outcomes reach the applicant, through a real `wxbot demo` and its own mock API."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from bot.sim.wire.client import PlatformClient
from tests.servers import Server, running

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("processes-serve")]

HTTP_TIMEOUT = 10.0  # seconds for the test's own calls (a shared, slow machine)
WITHIN = 5.0  # the contract: the applicant hears within 5 s of the decision
SETTLE = 1.5  # seconds to watch for a second, unwanted message after the first
FENG_JUN = ("110105196210100916", "冯军")  # the seed's adult without a phone: review only


class Demo:
    """A demo process, the platform's push side, and the simulator's HTTP surfaces."""

    def __init__(self, server: Server, wechat: PlatformClient, http: requests.Session) -> None:
        self.server, self.wechat, self.http = server, wechat, http

    def say(self, openid: str, text: str) -> str:
        delivery = self.wechat.text(openid, text)
        assert delivery.status == 200 and delivery.ok, delivery.error
        return delivery.text

    def open_review(self, openid: str) -> str:
        """The conversation of fixtures/conversations/reset_review_and_progress.yaml."""
        self.say(openid, "忘记密码")
        self.say(openid, FENG_JUN[0])
        assert "请简要说明情况" in self.say(openid, FENG_JUN[1])
        opened = self.say(openid, "我一直没有登记手机号，现在想重置服务密码。")
        return re.search(r"受理编号 (R\d{8}-\d{4})", opened).group(1)

    def post(self, path: str, **body) -> dict:
        answer = self.http.post(f"{self.server.url}{path}", json=body, timeout=HTTP_TIMEOUT)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def outbound(self, openid: str) -> list[dict]:
        answer = self.http.get(f"{self.server.url}/sim/api/outbound", params={"user": openid},
                               timeout=HTTP_TIMEOUT)
        return answer.json()["messages"]

    def counters(self) -> dict:
        answer = self.http.get(f"{self.server.url}/sim/api/platform", timeout=HTTP_TIMEOUT)
        return answer.json()["counters"]

    def first_outbound(self, openid: str, since: float) -> list[dict]:
        """Poll until a message reached `openid`, or WITHIN seconds after `since`."""
        while time.monotonic() - since < WITHIN:
            got = self.outbound(openid)
            if got:
                return got
            time.sleep(0.05)
        return []


@contextmanager
def demo(tmp_path, **env: str) -> Iterator[Demo]:
    env = {"BOT_DATA_DIR": str(tmp_path / "data"), "WECHAT_TOKEN": "devtoken", **env}
    with running(["demo", "--no-browser"], env, tmp_path / "demo.log") as server, \
            PlatformClient(server.url, "devtoken") as wechat, requests.Session() as http:
        yield Demo(server, wechat, http)


@pytest.mark.parametrize(("decision", "said"), [("approve", "已通过"), ("reject", "未通过")])
def test_notice_decision_reaches_the_applicant_once_as_a_custom_message(tmp_path, decision,
                                                                          said):
    with demo(tmp_path) as d:
        ref = d.open_review("oFengJun000001")
        decided = time.monotonic()
        d.post(f"/backend/v1/reviews/{ref}/{decision}")
        first = d.first_outbound("oFengJun000001", decided)
        assert first, f"nothing reached the applicant within {WITHIN} s"
        time.sleep(SETTLE)
        got = d.outbound("oFengJun000001")
    assert len(got) == 1 and got[0]["api"] == "custom"
    content = got[0]["body"]["text"]["content"]
    assert ref in content and said in content
    assert FENG_JUN[0] not in content and FENG_JUN[1] not in content  # nothing personal
    assert "wxbot_notice" not in got[0]["body"]  # the entry's own field stays home


def test_notice_goes_as_a_template_when_one_is_configured(tmp_path):
    with demo(tmp_path, WECHAT_TEMPLATE_REVIEW="tpl-review") as d:
        ref = d.open_review("oFengJun000001")
        decided = time.monotonic()
        d.post(f"/backend/v1/reviews/{ref}/approve")
        assert d.first_outbound("oFengJun000001", decided)
        while not d.counters().get("pushes:template_finish:200") and \
                time.monotonic() - decided < WITHIN + SETTLE:
            time.sleep(0.05)
        time.sleep(SETTLE)
        got, counters = d.outbound("oFengJun000001"), d.counters()
    assert [m["api"] for m in got] == ["template"]
    body = got[0]["body"]
    assert body["template_id"] == "tpl-review" and "first" not in body["data"]
    values = [v["value"] for v in body["data"].values()]
    assert ref in values and "已通过" in values
    assert all(len(v) <= 20 and "\n" not in v for v in values)  # the 2023 template rules
    assert counters.get("pushes:template_finish:200") == 1  # the bot took its delivery report


def test_notice_outside_the_window_waits_for_the_next_message_and_is_said_once(tmp_path):
    with demo(tmp_path) as d:
        ref = d.open_review("oFengJun000001")
        d.post("/backend/v1/clock", advance=49 * 3600)  # the follower's window closed
        decided = time.monotonic()
        d.post(f"/backend/v1/reviews/{ref}/approve")
        assert d.first_outbound("oFengJun000001", decided) == []
        assert d.counters().get("calls:custom", 0) >= 1  # it was tried, and refused 45015
        first = d.say("oFengJun000001", "你好")
        second = d.say("oFengJun000001", "你好")
        assert d.outbound("oFengJun000001") == []
    assert first.startswith("审核结果") and ref in first and "已通过" in first
    assert first.count(ref) == 1 and ref not in second
