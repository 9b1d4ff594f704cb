"""The simulator page's workbench API: transcripts, retries, inspector, diagram, clock, reset."""

from __future__ import annotations

import logging
import shutil

import pytest

from bot import create_app
from bot.app import bot_of
from bot.sim.web import QuietPolling
from bot.sim.web.diagram import dot_source, edges
from bot.sim.web.menu import flows_menu
from bot.sim.web.steplog import mask_said, step_line
from flows.bind_card import BindCard
from flows.catalog import Catalog
from flows.registry import ALL_FLOWS

MINOR = "oSimMinor0001"


@pytest.fixture
def sim(config, tmp_path):
    made = []

    def make(**extra):
        app = create_app({**config, "BOT_SIMULATOR": True, "BOT_DATA_DIR": str(tmp_path), **extra})
        made.append(app)
        return app.test_client()

    yield make
    for app in made:
        bot_of(app).close()


def send(client, user: str, clock=None, **body) -> dict:
    if clock is not None:
        clock.advance(2)  # the followers take a moment to type
    answer = client.post("/sim/api/send", json={"user": user, **body})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def to_the_code(client, clock) -> None:
    send(client, "minor", clock, type="click", key="BIND_CARD")
    for text in ("310104201406010159", "王小明", "C10000001", "310104198505200463"):
        said = send(client, "minor", clock, type="text", content=text)
    assert "139****0001" in said["reply"]


def test_transcript_keeps_each_followers_chat_with_its_bytes(sim, clock):
    client = sim()
    to_the_code(client, clock)
    send(client, "guardian", clock, type="subscribe", label="关注")
    minor = client.get("/sim/api/transcript", query_string={"user": "minor"}).get_json()
    shown = [x["shown"] for x in minor["exchanges"]]
    assert shown == ["[菜单] BIND_CARD", "310104201406010159", "王小明", "C10000001",
                     "310104198505200463"]
    last = minor["exchanges"][-1]
    assert last["status"] == 200 and last["latency_ms"] > 0
    assert "<Encrypt>" in last["wire_body"] and "<Content>" in last["request_xml"]
    assert "验证码已发送至" in last["reply_xml"] and "<Encrypt>" in last["reply_body"]
    assert last["before"] == {"flow": "bind_card", "state": "ask_guardian"}
    assert last["after"] == {"flow": "bind_card", "state": "ask_code"}
    guardian = client.get("/sim/api/transcript?user=oSimGuardian01").get_json()["exchanges"]
    assert [x["shown"] for x in guardian] == ["[关注]"]


def test_retry_sends_the_same_bytes_and_the_bot_answers_without_a_second_turn(sim, clock):
    client = sim()
    to_the_code(client, clock)
    first = client.get("/sim/api/transcript?user=minor").get_json()["exchanges"][-1]
    sms = bot_of(client.application).backend.sms_outbox("13900000001")
    again = client.post("/sim/api/retry", json={"id": first["id"]}).get_json()
    assert again["retry_of"] == first["id"] and again["status"] == 200
    assert again["wire_body"] == first["wire_body"] and again["query"] == first["query"]
    assert again["reply_text"] == first["reply_text"]
    assert bot_of(client.application).backend.sms_outbox("13900000001") == sms
    assert again["trace"] == []  # the engine answered from its retry record: no transition


@pytest.mark.parametrize("body", [{}, {"id": "1"}, {"id": 999}, [1]])
def test_retry_refuses_what_was_never_delivered(sim, body):
    answer = sim().post("/sim/api/retry", json=body)
    assert answer.status_code == 400 and answer.get_json()["error"] == "bad_request"


def test_inspector_masks_slots_as_the_bot_does_and_says_when_things_expire(sim, clock):
    client = sim()
    to_the_code(client, clock)
    view = client.get(f"/sim/api/state?user={MINOR}").get_json()["inspector"]
    assert (view["flow"], view["state"]) == ("bind_card", "ask_code")
    assert view["slots"]["id"] == "3101**********0159"
    assert view["slots"]["guardian"] == view["slots"]["code_owner"] == "3101**********0463"
    assert view["slots"]["name"] == "王**" and view["slots"]["card"] == "C****0001"
    assert view["slots"]["phone"] == "监护人的手机 139****0001"  # as the step says it
    assert "310104201406010159" not in str(view) and "王小明" not in str(view)
    assert view["tries_left"] == 3 and view["code_attempts_left"] == 5
    assert view["code_expires_at"] == pytest.approx(clock.now() + 300)
    assert view["session_expires_at"] == pytest.approx(clock.now() + 900)
    send(client, "minor", clock, type="text", content="12345")  # not six digits: a miss
    assert client.get(f"/sim/api/state?user={MINOR}").get_json()["inspector"]["tries_left"] == 2


def test_inspector_hides_slots_it_does_not_know():
    from bot.sim.web.inspector import masked_slots

    shown = masked_slots({"id": "110105199001011232", "secret_answer": "my dog", "_misses": {}})
    assert shown == {"id": "1101**********1232", "secret_answer": "(hidden)"}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) not installed")
def test_diagram_is_svg_with_the_current_state_highlighted(sim):
    client = sim()
    with client.get("/sim/api/diagram?flow=bind_card&state=ask_guardian") as drawn:
        assert drawn.status_code == 200 and drawn.content_type.startswith("image/svg+xml")
        svg = drawn.get_data(as_text=True)
    assert svg.startswith("<svg") and '<g id="state&#45;ask_guardian" class="node current">' in svg
    assert svg.count("current") == 1 and ">minor<" in svg and ">sent" in svg
    for bad in ("flow=nope", "flow=bind_card&state=nowhere", ""):
        assert client.get(f"/sim/api/diagram?{bad}").status_code == 400


def test_diagram_edges_are_labelled_by_outcome_and_merged():
    found = edges(BindCard)
    assert found[("[*]", "ask_id")] == ["start"]
    assert found[("ask_card", "ask_guardian")] == ["minor"]
    assert found[("ask_code", "code_locked")] == ["locked", "capped"]
    assert found[("ask_id", "ask_id")] == ["again"]
    assert "is_" not in dot_source(BindCard)


def test_clock_moves_forward_and_reset_puts_seed_sessions_and_clock_back(sim, clock):
    client = sim()
    start = clock.now()
    to_the_code(client, clock)
    moved = client.post("/sim/api/clock", json={"advance": 176400}).get_json()
    assert moved["now"] == pytest.approx(start + 10 + 176400)
    for bad in ({"advance": -5}, {"advance": True}, {"at": "soon"}, {}, [3]):
        assert client.post("/sim/api/clock", json=bad).status_code == 400
    assert client.post("/sim/api/reset", json={}).get_json()["ok"]
    assert clock.now() == start
    assert client.get(f"/sim/api/state?user={MINOR}").get_json()["session"] is None
    assert client.get("/sim/api/transcript?user=minor").get_json()["exchanges"] == []
    assert client.get("/sim/api/sms").get_json()["messages"] == []


def test_control_characters_never_reach_the_webhook(sim, clock):
    client = sim()
    said = send(client, "alice", clock, type="text", content="绑定\x1b[D社保卡\x00\x07")
    assert said["ok"] and "身份证号" in said["reply"]
    assert "\x1b" not in said["exchange"]["request_xml"]
    only_junk = client.post("/sim/api/send", json={"user": "alice", "type": "text",
                                                   "content": "\x1b[A\x1b[B"})
    assert only_junk.status_code == 400


def test_menu_falls_back_to_the_flows_in_wechats_shape(sim):
    menu = sim().get("/sim/api/menu").get_json()
    assert menu["source"] == "flows" and 1 <= len(menu["button"]) <= 3
    keys = [b.get("key") for b in menu["button"]]
    keys += [s["key"] for b in menu["button"] for s in b.get("sub_button", [])]
    assert sorted(k for k in keys if k) == sorted(f.menu_key for f in ALL_FLOWS if f.menu_key)
    assert all(len(b.get("sub_button", [])) <= 5 for b in menu["button"])
    assert flows_menu(ALL_FLOWS[:2], Catalog())["button"][0]["name"] == "绑定社保卡"


def test_menu_is_the_accounts_own_when_the_mock_platform_has_one(config, tmp_path):
    from bot.sim.mockplatform import DEMO_APP_SECRET
    from bot.sim.mockplatform.cgi import MOCK

    account = {"button": [{"type": "click", "name": "办卡", "key": "BIND_CARD"}]}
    app = create_app({**config, "BOT_SIMULATOR": True, "BOT_DATA_DIR": str(tmp_path),
                      "WECHAT_APP_SECRET": DEMO_APP_SECRET})
    app.extensions[MOCK].menu_create(account)
    try:
        assert app.test_client().get("/sim/api/menu").get_json() == {
            "source": "account", "button": [{**account["button"][0], "sub_button": []}]}
    finally:
        bot_of(app).close()


def test_root_leads_to_the_page_and_polling_stays_out_of_the_log(sim):
    answer = sim().get("/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/sim")
    quiet = QuietPolling()

    def record(line: str) -> logging.LogRecord:
        return logging.LogRecord("werkzeug", logging.INFO, "", 0, line, (), None)

    assert not quiet.filter(record('127.0.0.1 - - "GET /sim/api/state?user=x HTTP/1.1" 200 -'))
    assert quiet.filter(record('127.0.0.1 - - "POST /wechat?signature=… HTTP/1.1" 200 -'))


@pytest.mark.parametrize(("said", "state", "shown"), [
    ("310104201406010159", "ask_id", "3101**********0159"),
    ("王小明", "ask_name", "王**"),
    ("123456", "ask_code", "******"),
    ("电话 13900000001 号码 310104201406010159", None, "电话 139****0001 号码 3101**********0159"),
    ("绑定社保卡", None, "绑定社保卡"),
    ("张伟", None, "张*"),  # a name typed at idle is a name all the same
    ("你好，我叫王小明，要绑卡", None, "你好，我叫王**，要绑卡"),
    ("挂失", None, "挂失"),
    ("查询进度", None, "查询进度"),
    ("我要绑卡 身份证110105199001011232 张伟 卡号A12345678", None,
     "我要绑卡 身份证1101**********1232 张* 卡号A****5678"),  # answers typed together
    ("110105199001011232，我叫张伟", "ask_id", "1101**********1232，我叫张*"),
    ("挂失 110105199001011232 欧阳娜娜", None, "挂失 1101**********1232 欧***"),
])
def test_step_log_masks_what_the_follower_typed(said, state, shown):
    assert mask_said(said, state) == shown


def test_step_log_is_one_line_per_step(sim, clock, caplog):
    client = sim()
    with caplog.at_level(logging.INFO, logger="wxbot.sim"):
        to_the_code(client, clock)
    lines = [r.getMessage() for r in caplog.records if r.name == "wxbot.sim"]
    assert len(lines) == 5 and all("\n" not in line for line in lines)
    assert lines[1].startswith("minor: '3101**********0159' bind_card.ask_id -> bind_card.ask_name")
    assert "310104201406010159" not in "".join(lines)
    assert step_line("a", "hi", None, None, 200, 3.2, "x" * 100).endswith("…")


def test_saved_session_is_a_fixture_that_replays(sim, clock, tmp_path):
    from bot.sim.replay.fixture import load_fixture as load
    from bot.sim.replay.run import run_fixture, settings_of
    from bot.sim.targets.local import local_targets

    client = sim()
    assert client.post("/sim/api/fixtures/save", json={"users": ["bob"]}).status_code == 400
    to_the_code(client, clock)
    code = bot_of(client.application).backend.sms_outbox("13900000001")[-1]["code"]
    send(client, "minor", clock, type="text", content=code)
    saved = client.post("/sim/api/fixtures/save", json={"users": ["minor", "guardian"]})
    assert saved.status_code == 200, saved.get_json()
    saved = saved.get_json()
    assert saved["steps"] == 6 and MINOR not in saved["yaml"] and code not in saved["yaml"]
    fixture = load(saved["path"])
    with local_targets()(settings_of(fixture)) as target:
        outcome = run_fixture(fixture, target)
    assert outcome.ok, outcome.failure
    listed = [f["name"] for f in client.get("/sim/api/fixtures").get_json()["fixtures"]]
    assert saved["name"] in listed and "conversations/bind_adult.yaml" in listed
    ran = client.post("/sim/api/fixtures/run", json={"name": saved["name"], "upto": 2}).get_json()
    assert [s["result"] for s in ran["steps"]] == ["pass", "pass"] + ["not run"] * 4


def test_running_a_fixture_marks_the_failing_step(sim, tmp_path):
    client = sim()
    folder = tmp_path / "fixtures"
    folder.mkdir()
    (folder / "wrong.yaml").write_text(
        "name: wrong\nsteps:\n  - send: 绑定社保卡\n    expect: 身份证号\n"
        "  - send: 张伟\n    expect: 绑定成功\n  - send: 取消\n", encoding="utf-8")
    ran = client.post("/sim/api/fixtures/run", json={"name": "saved/wrong.yaml"}).get_json()
    assert not ran["ok"]
    assert [s["result"] for s in ran["steps"]] == ["pass", "fail", "not run"]
    assert "绑定成功" in ran["steps"][1]["expected"]
    for bad in ({"name": "../../etc/passwd"}, {"name": "saved/wrong.yaml", "upto": 0}, [1]):
        assert client.post("/sim/api/fixtures/run", json=bad).status_code == 400


def test_pushes_from_outside_the_page_join_the_same_chat(sim, clock):
    from bot.sim.wire.client import PlatformClient
    from tests.conftest import AES_KEY, APP_ID, TOKEN

    client = sim()
    send(client, "minor", clock, type="click", key="BIND_CARD")
    with PlatformClient(client.application, TOKEN, aes_key=AES_KEY, app_id=APP_ID,
                        clock=clock) as outside:  # as `wxbot chat --url … --user minor` would
        clock.advance(2)
        assert "姓名" in outside.text(MINOR, "310104201406010159").text
    chat = client.get("/sim/api/transcript?user=minor").get_json()["exchanges"]
    assert [x["shown"] for x in chat] == ["[菜单] BIND_CARD", "310104201406010159"]
    theirs = chat[-1]
    assert theirs["wire_body"] == "" and "<Content>310104201406010159</Content>" in \
        theirs["request_xml"]
    assert theirs["after"] == {"flow": "bind_card", "state": "ask_name"}
    assert theirs["trace"] == [["bind_card", "ask_id", "ask_name"]]
    assert "姓名" in theirs["reply_text"]
    assert client.post("/sim/api/retry", json={"id": theirs["id"]}).status_code == 400


def test_reset_gives_up_on_a_busy_follower_after_its_named_timeout(sim, clock, monkeypatch):
    import threading
    import time

    from bot.sim.web import bench as webbench

    client = sim()
    to_the_code(client, clock)
    monkeypatch.setattr(webbench, "RESET_LOCK_TIMEOUT", 0.3)
    store, held, release = bot_of(client.application).store, threading.Event(), \
        threading.Event()

    def mid_message() -> None:
        with store.lock(MINOR):
            held.set()
            release.wait(10)

    worker = threading.Thread(target=mid_message)
    worker.start()
    try:
        assert held.wait(5)
        started = time.monotonic()
        answer = client.post("/sim/api/reset", json={})
        took = time.monotonic() - started
    finally:
        release.set()
        worker.join(10)
    assert answer.status_code == 409 and answer.get_json()["busy"] == [MINOR]
    assert 0.3 <= took < 3.0  # waited the timeout, not the store's default
    assert client.get(f"/sim/api/state?user={MINOR}").get_json()["session"] is not None


def test_diagram_is_503_when_graphviz_hangs_past_its_timeout(sim, tmp_path, monkeypatch):
    import time

    from bot.sim.web import diagram as flowsvg

    slow = tmp_path / "dot"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setattr(flowsvg.shutil, "which", lambda _: str(slow))
    monkeypatch.setattr(flowsvg, "DOT_TIMEOUT", 0.3)
    flowsvg.svg.cache_clear()
    started = time.monotonic()
    try:
        answer = sim().get("/sim/api/diagram?flow=unbind&state=ask_code")
    finally:
        flowsvg.svg.cache_clear()
    assert time.monotonic() - started < 3.0
    assert answer.status_code == 503 and "0.3 s" in answer.get_json()["detail"]
    monkeypatch.setattr(flowsvg.shutil, "which", lambda _: None)
    missing = sim().get("/sim/api/diagram?flow=unbind")
    assert missing.status_code == 503 and "apt-get install graphviz" in missing.get_json()["detail"]


def test_transcripts_stay_bounded_per_follower_and_in_followers():
    from bot.sim.web.transcript import Transcripts

    kept = Transcripts(keep=3, followers=2)
    for n in range(5):
        kept.new("oA", at=n, shown=str(n), kind="text", lang="zh_CN")
    kept.new("oB", at=5, shown="b", kind="text", lang="zh_CN")
    kept.new("oA", at=6, shown="6", kind="text", lang="zh_CN")  # oA is the most recent again
    kept.new("oC", at=7, shown="c", kind="text", lang="zh_CN")
    assert [e.shown for e in kept.of("oA")] == ["3", "4", "6"]
    assert kept.followers() == ["oA", "oC"] and kept.of("oB") == []
    assert [e.id for e in kept.of_all(["oC", "oA"])] == [4, 5, 7, 8]
