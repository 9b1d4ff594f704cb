"""The workbench's panels over HTTP: the reset that empties everything the page shows, the
fault controls (what is armed, the outage), the live counters, the labels and the favicon."""

from __future__ import annotations

import json

import pytest

from bot import create_app
from bot.app import bot_of
from bot.sim.mockplatform.cgi import MOCK
from bot.sim.web.agents import NOTES
from tests.people import ZHANG

ALICE = "oSimAlice0001"


@pytest.fixture
def app(config, tmp_path):
    made = create_app({**config, "BOT_SIMULATOR": True, "BOT_DATA_DIR": str(tmp_path)})
    yield made
    bot_of(made).close()


def send(client, user: str, **body) -> dict:
    answer = client.post("/sim/api/send", json={"user": user, **body})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_reset_empties_phones_agents_sms_and_faults_and_keeps_the_account(app, clock):
    client, mock = app.test_client(), app.extensions[MOCK]
    send(client, "alice", type="click", key="BIND_CARD")
    for text in (ZHANG.id, ZHANG.name, ZHANG.card):
        send(client, "alice", type="text", content=text)
    assert client.get("/sim/api/sms").get_json()["messages"]  # a code went to 张伟's phone
    took = client.post("/sim/api/agents/take", json={"user": ALICE})
    assert took.status_code == 200, took.get_json()
    said = client.post("/sim/api/agents/say", json={"user": ALICE, "text": "您好，我是客服"})
    assert said.status_code == 200, said.get_json()
    app.extensions[NOTES].leave(ALICE, "晚上再联系我")
    for path, body in (("/sim/api/faults", {"api": "template", "errcode": -1}),
                       ("/sim/api/faults", {"api": "custom", "delay": 2}),
                       ("/sim/api/outage", {"down": True}),
                       ("/backend/v1/faults", {"delay": 3, "times": 2})):
        assert client.post(path, json=body).status_code == 200, (path, body)
    assert client.get(f"/sim/api/outbound?user={ALICE}").get_json()["messages"]
    token_calls = mock.db.counters().get("calls:token", 0)

    assert client.post("/sim/api/reset", json={}).get_json()["ok"]

    assert client.get(f"/sim/api/outbound?user={ALICE}").get_json()["messages"] == []
    assert client.get(f"/sim/api/transcript?user={ALICE}").get_json()["exchanges"] == []
    assert client.get("/sim/api/sms").get_json()["messages"] == []
    console = client.get("/sim/api/agents").get_json()
    assert console["sessions"] == [] and console["queue"] == [] and console["notes"] == []
    assert client.get(f"/sim/api/agents/follower?user={ALICE}").get_json()["messages"] == []
    assert client.get("/sim/api/faults").get_json() == {"errors": [], "delays": [],
                                                        "down": False}
    assert client.get("/backend/v1/faults").get_json()["armed"]["times"] == 0
    assert any(a["online"] for a in console["agents"])  # the account's agents stay
    assert mock.db.counters().get("calls:token", 0) == token_calls  # counters are not talk


def test_reset_takes_a_follower_out_of_the_queue_for_a_person(app):
    """Queued for a person, every message went to the queue; after 全部重置 the bot serves
    them again (the bot's hand-over state once outlived the reset, so "你好" was transferred)."""
    client = app.test_client()
    assert send(client, "alice", type="text", content="人工客服")["reply_type"] \
        == "transfer_customer_service"
    assert send(client, "alice", type="text", content="你好")["reply_type"] \
        == "transfer_customer_service"  # still waiting: the message joins the queue

    assert client.post("/sim/api/reset", json={}).get_json()["ok"]

    hello = send(client, "alice", type="text", content="你好")
    assert hello["reply_type"] == "text" and "绑定社保卡" in hello["reply"]
    assert client.get("/sim/api/agents").get_json()["queue"] == []


def test_outbound_takes_the_pages_alias_as_send_does(app):
    """`/sim/api/send` takes "alice"; reading what reached her by the same name once answered
    an empty list, which reads as a reply lost."""
    client = app.test_client()
    send(client, "alice", type="text", content="你好")  # her 48 hours open
    assert client.post("/sim/api/agents/take", json={"user": ALICE}).status_code == 200
    assert client.post("/sim/api/agents/say", json={"user": ALICE, "text": "您好"}).status_code \
        == 200
    by_alias = client.get("/sim/api/outbound?user=alice").get_json()
    assert by_alias["openid"] == ALICE and by_alias["messages"]
    assert by_alias["messages"] == client.get(f"/sim/api/outbound?user={ALICE}").get_json()[
        "messages"]
    bad = client.get("/sim/api/outbound?user=al ice")
    assert bad.status_code == 400 and "alias" in bad.get_json()["detail"]


def test_the_faults_list_says_what_is_armed_and_counts_it_down(app):
    client, mock = app.test_client(), app.extensions[MOCK]
    assert client.post("/sim/api/faults", json={"api": "custom", "errcode": 45015,
                                                "times": 2}).status_code == 200
    assert client.post("/sim/api/faults", json={"api": "menu", "delay": 0.01}).status_code == 200
    armed = client.get("/sim/api/faults").get_json()
    assert armed["errors"] == [{"api": "custom", "errcode": 45015, "times": 2}]
    assert armed["delays"] == [{"api": "menu", "seconds": 0.01, "times": 1}]
    token = mock.token("client_credential", mock.appid, mock.secret)["access_token"]
    first = client.post(f"/cgi-bin/message/custom/send?access_token={token}", data=b"{}")
    assert first.get_json()["errcode"] == 45015
    assert client.get("/sim/api/faults").get_json()["errors"][0]["times"] == 1
    client.get(f"/cgi-bin/menu/get?access_token={token}")
    assert client.get("/sim/api/faults").get_json()["delays"] == []  # spent by the call
    cleared = client.post("/sim/api/faults/clear", json={}).get_json()
    assert cleared == {"errors": [], "delays": [], "down": False}


def test_an_outage_makes_every_api_call_503_until_it_is_ended(app):
    client, mock = app.test_client(), app.extensions[MOCK]
    token_url = (f"/cgi-bin/token?grant_type=client_credential&appid={mock.appid}"
                 f"&secret={mock.secret}")
    for bad in ({}, {"down": "yes"}, {"down": 1}, [True]):
        assert client.post("/sim/api/outage", json=bad).status_code == 400, bad
    assert client.get("/sim/api/faults").get_json()["down"] is False  # refusals change nothing
    assert client.post("/sim/api/outage", json={"down": True}).get_json()["down"] is True
    calls = mock.db.counters().get("calls:token", 0)
    for url in (token_url, "/cgi-bin/menu/get", "/customservice/kfaccount/add"):
        answer = client.post(url, data=b"{}") if "kfaccount" in url else client.get(url)
        assert answer.status_code == 503, url
        assert b"simulated outage" in answer.data
    assert mock.db.counters().get("calls:token", 0) == calls  # it never reached the platform
    assert client.post("/sim/api/outage", json={"down": False}).get_json()["down"] is False
    answer = client.get(token_url)
    assert answer.status_code == 200 and "access_token" in answer.get_json()


def test_counters_follow_the_bots_metrics_and_name_no_follower(app, clock):
    client = app.test_client()
    before = client.get("/sim/api/counters").get_json()
    send(client, "alice", type="text", content="社保卡能干什么")
    send(client, "bob", type="subscribe")
    after = client.get("/sim/api/counters").get_json()
    assert after["pushes"] - before["pushes"] == 2
    assert after["replies"]["in_time"] - before["replies"].get("in_time", 0) == 2
    assert sum(after["turns"].values()) - sum(before["turns"].values()) == 2
    assert after["backend"]["calls"] >= before["backend"]["calls"]
    assert set(after) == {"pushes", "turns", "replies", "api_sends", "deadline_misses",
                          "backend"}
    text = json.dumps(after, ensure_ascii=False)
    assert "oSim" not in text and "alice" not in text and "社保卡" not in text


def test_the_inspector_and_the_understood_line_name_flows_as_the_menu_does(app, clock):
    client = app.test_client()
    send(client, "alice", type="click", key="BIND_CARD")
    view = client.get(f"/sim/api/state?user={ALICE}").get_json()["inspector"]
    assert (view["flow"], view["title"]) == ("bind_card", "绑定社保卡")
    heard = client.get("/sim/api/understand", query_string={"text": "我要绑卡"}).get_json()
    assert (heard["intent"], heard["intent_title"]) == ("bind_card", "绑定社保卡")
    client.post("/sim/api/lang", json={"lang": "en"})
    view = client.get(f"/sim/api/state?user={ALICE}").get_json()["inspector"]
    assert view["title"] != "绑定社保卡" and view["title"]  # the reply language's name


def test_the_page_has_an_icon_and_the_browsers_habitual_request_finds_it(app):
    client = app.test_client()
    for url in ("/favicon.ico", "/sim/static/favicon.svg"):
        with client.get(url) as answer:
            assert answer.status_code == 200, url
            assert answer.mimetype == "image/svg+xml" and b"<svg" in answer.data
    with client.get("/sim") as page:
        assert b'rel="icon" href="/sim/static/favicon.svg"' in page.data
