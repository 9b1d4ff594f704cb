"""Subscribe notices end to end: a `wxbot serve` process in safe mode, its simulator playing
the platform, everything over HTTP. Done when (issue 23.3): a notice reaches the follower who
accepted and is refused (43101) for one who did not, in the mock and through the bot's
fallback, each said once."""

from __future__ import annotations

import re
import time

import requests

from bot.config import DEMO_APP_ID, DEMO_APP_SECRET
from bot.sim.wire.client import PlatformClient
from tests.servers import Server
from tests.test_notices import FENG_JUN

AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TEMPLATE = "tplReviewServe00000000000000000000000000000"
ALICE, BOB = "oAliceServe000000000000000", "oBobServe00000000000000000"
HTTP_TIMEOUT = 10.0
WITHIN = 5.0  # the contract: the applicant hears within 5 s of the decision
SETTLE = 1.5  # seconds to watch for an unwanted second message


def test_serve_sends_a_subscribe_notice_to_who_accepted_and_falls_back_for_who_refused(
        tmp_path) -> None:
    server = Server(["serve"], {"WECHAT_TOKEN": "tok", "BOT_DATA_DIR": str(tmp_path / "data"),
                                "BOT_SIMULATOR": "1", "WECHAT_AES_KEY": AES,
                                "WECHAT_MODE": "safe", "WECHAT_APP_ID": DEMO_APP_ID,
                                "WECHAT_APP_SECRET": DEMO_APP_SECRET,
                                "WECHAT_SUBSCRIBE_REVIEW": TEMPLATE}, tmp_path / "serve.log")
    server.env["WECHAT_API_BASE"] = f"{server.url}/cgi-bin/"
    server.start()
    try:
        with PlatformClient(server.url, "tok", aes_key=AES, app_id=DEMO_APP_ID,
                            mode="safe") as wechat, requests.Session() as http:
            def say(openid: str, text: str) -> str:
                delivery = wechat.text(openid, text)
                assert delivery.status == 200 and delivery.ok, delivery.error
                return delivery.text

            def post(path: str, **body) -> dict:
                answer = http.post(f"{server.url}{path}", json=body, timeout=HTTP_TIMEOUT)
                assert answer.status_code == 200, answer.text
                return answer.json()

            def outbound(openid: str) -> list[dict]:
                return http.get(f"{server.url}/sim/api/outbound", params={"user": openid},
                                timeout=HTTP_TIMEOUT).json()["messages"]

            refs = {}
            for who in (ALICE, BOB):
                for text in ("忘记密码", *FENG_JUN):
                    say(who, text)
                opened = say(who, "我一直没有登记手机号，现在想重置服务密码。")
                refs[who] = re.search(r"受理编号 (R\d{8}-\d{4})", opened).group(1)
            post("/sim/api/subscribe", user=ALICE, template=TEMPLATE, accept=True)
            post("/sim/api/subscribe", user=BOB, template=TEMPLATE, accept=False)
            post("/backend/v1/clock", advance=49 * 3600)  # both windows closed
            decided = time.monotonic()
            for ref in refs.values():
                post(f"/backend/v1/reviews/{ref}/approve")
            while not outbound(ALICE) and time.monotonic() - decided < WITHIN:
                time.sleep(0.05)
            assert time.monotonic() - decided < WITHIN, "no notice within the contract's 5 s"
            time.sleep(SETTLE)
            alice, bob = outbound(ALICE), outbound(BOB)
            counters = http.get(f"{server.url}/sim/api/platform",
                                timeout=HTTP_TIMEOUT).json()["counters"]
            # the mock's own answer for Bob: refused, nothing recorded
            token = http.get(f"{server.url}/cgi-bin/token", timeout=HTTP_TIMEOUT, params={
                "grant_type": "client_credential", "appid": DEMO_APP_ID,
                "secret": DEMO_APP_SECRET}).json()["access_token"]
            refused = http.post(f"{server.url}/cgi-bin/message/subscribe/bizsend",
                                params={"access_token": token}, timeout=HTTP_TIMEOUT,
                                json={"touser": BOB, "template_id": TEMPLATE,
                                      "data": {"phrase3": {"value": "已通过"}}}).json()
            bob_next, bob_again = say(BOB, "你好"), say(BOB, "你好")
            alice_next = say(ALICE, "你好")
    finally:
        server.stop()
    assert [m["api"] for m in alice] == ["subscribe"]
    values = {k: v["value"] for k, v in alice[0]["body"]["data"].items()}
    assert values["character_string2"] == refs[ALICE] and values["phrase3"] == "已通过"
    assert bob == [] and refused["errcode"] == 43101
    assert counters.get("calls:subscribe") == 1  # Alice's, once; Bob's refusal was heard
    assert counters.get("pushes:subscribe_msg_popup_event:200") == 2
    assert counters.get("pushes:subscribe_msg_sent_event:200") == 1
    assert refs[BOB] in bob_next and refs[BOB] not in bob_again  # the fallback, said once
    assert refs[ALICE] not in alice_next  # reached her once, by the notice
