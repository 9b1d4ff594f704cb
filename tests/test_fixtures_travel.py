"""Fixtures that travel: a session saved from the page or recorded live replays as it went
(faults, late replies, codes, consistent stand-ins), and still replays when moved elsewhere."""

from __future__ import annotations

import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.app import bot_of
from bot.cli import main
from bot.sim.replay.fixture import FixtureError, load_fixture
from bot.sim.targets.base import RunSettings
from bot.sim.targets.local import Local
from flows.ids import make_id
from tests.conftest import ROOT, TODAY

STRANGER = {"id_number": make_id("440106", date(1986, 4, 2), 135), "name": "上官婉儿",
            "phone": "13722223333"}
LIVE_SEED = {"people": [STRANGER],
             "cards": [{"card_number": "Q70001234", "holder": STRANGER["id_number"],
                        "password": "470213", "status": "active"}]}


def _replay(*paths: Path | str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["replay", *map(str, paths)])
    return result.exit_code, result.output


@pytest.fixture
def page():
    """The page's app as `wxbot demo` runs it (its platform API is its own mock), 1-s deadline."""
    local = Local.for_run(RunSettings(today=TODAY, reply_deadline=1))
    yield local
    local.close()


def _say(local: Local, text: str, user: str = "alice") -> dict:
    local.bot.clock.advance(2)  # the follower takes a moment to type
    answer = local.app.test_client().post("/sim/api/send",
                                          json={"user": user, "type": "text", "content": text})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _await_push(local: Local, openid: str, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(local.pushed(openid)) < count:
        assert time.monotonic() < deadline, "the late reply never came through the API"
        time.sleep(0.05)


def test_a_page_session_with_faults_saves_as_a_fixture_that_replays_anywhere(page, tmp_path):
    client = page.app.test_client()
    assert "身份证号" in _say(page, "绑定社保卡")["reply"]
    assert "姓名" in _say(page, "我的身份证号是110105199001011232")["reply"]
    assert client.post("/backend/v1/faults", json={"delay": 1.5}).status_code == 200
    assert _say(page, "张伟")["reply"] is None  # answered `success` at the deadline…
    _await_push(page, "oSimAlice0001", 1)  # …and the answer came through the API
    assert client.post("/sim/api/faults", json={"api": "template", "errcode": 45009,
                                                "times": 2}).status_code == 200
    assert "验证码已发送至" in _say(page, "A12345678")["reply"]
    code = page.bot.backend.sms_outbox("13800138000")[-1]["code"]
    assert "绑定成功" in _say(page, f"验证码是{code}")["reply"]
    assert "身份证 1101**********1232" in _say(page, "我的社保卡")["reply"]

    saved = client.post("/sim/api/fixtures/save", json={"users": ["alice"]}).get_json()
    text = Path(saved["path"]).read_text(encoding="utf-8")
    fixture = yaml.safe_load(text)
    steps = fixture["steps"]
    assert fixture["seed"] == "wxbot:backend.yaml" and fixture["reply_deadline"] == 1
    assert {"faults": {"backend_delay": 1.5}} in steps
    assert {"faults": {"api": "template", "errcode": 45009, "times": 2}} in steps
    late = next(s for s in steps if s.get("send") == "张伟")
    assert late["expect"] == "" and "卡号" in late["pushed"] and late["state"] == \
        "bind_card.ask_card"
    assert steps.index(late) == steps.index({"faults": {"backend_delay": 1.5}}) + 1
    assert "验证码是{sms:13800138000}" in [s.get("send") for s in steps]  # the code just sent
    assert "***" not in text and code not in text

    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    moved = shutil.copy(saved["path"], elsewhere / "moved.yaml")
    status, output = _replay(saved["path"], moved)
    assert status == 0, output
    assert "2 passed" in output


def test_a_recorded_live_session_with_faults_replays_and_keeps_no_stranger(
        tmp_path, make_app, platform_for):
    seed = tmp_path / "live-seed.yaml"
    seed.write_text(yaml.safe_dump(LIVE_SEED, allow_unicode=True), encoding="utf-8")
    app = make_app(BOT_DATA_DIR=str(tmp_path / "live"), BOT_BACKEND_SEED=str(seed),
                   BOT_RECORD_DIR=str(tmp_path / "rec"), BOT_SIMULATOR=True,
                   BOT_REPLY_DEADLINE=1)
    wechat, backend, who = platform_for(app), bot_of(app).backend, "oLiveStranger01"
    clock = bot_of(app).clock

    def say(text: str) -> str:
        clock.advance(5)
        return wechat.text(who, text).text

    # the ID in free text (the sentence that starts the bind keeps it), then as an answer
    assert "姓名" in say(f"我要绑卡，身份证号{STRANGER['id_number']}")
    assert "取消" in say("取消")
    assert "身份证号" in say("绑定社保卡")
    assert "姓名" in say(f"身份证 {STRANGER['id_number']}")  # the same number, typed again
    assert app.test_client().post("/backend/v1/faults", json={"delay": 1.5}).status_code == 200
    assert say(STRANGER["name"]) == ""  # slow: answered `success`, owed through the API
    time.sleep(1.0)  # the turn ends meanwhile
    assert "验证码" in say("Q70001234")
    assert "绑定成功" in say(backend.sms_outbox(STRANGER["phone"])[-1]["code"])
    bot_of(app).close()

    out = tmp_path / "recorded.yaml"
    result = CliRunner().invoke(main, ["record", str(tmp_path / "rec"), "-o", str(out),
                                       "--seed", str(ROOT / "fixtures" / "backend.yaml")])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    leaked = [v for v in (*STRANGER.values(), "Q70001234", "上官", who) if v in text]
    assert not leaked, f"{len(leaked)} values of a real (non-seed) person left in the fixture"
    assert "***" not in text
    steps = yaml.safe_load(text)["steps"]
    typed = [s["send"] for s in steps if "send" in s]
    ids = [found[0] for t in typed if (found := re.search(r"\d{17}[\dX]", t))]
    assert len(ids) == 2 and ids[0] == ids[1]  # one person, one stand-in, in both places
    assert {"faults": {"backend_delay": 1.5}} in steps
    assert next(s for s in steps if s.get("expect") == "").get("pushed")
    status, output = _replay(out)
    assert status == 0, output


def test_a_relative_seed_still_resolves_from_the_fixture_file(tmp_path):
    story = tmp_path / "kept" / "conversations"
    story.mkdir(parents=True)
    shutil.copy(ROOT / "fixtures" / "backend.yaml", story.parent / "backend.yaml")
    shutil.copy(ROOT / "fixtures" / "conversations" / "bind_adult.yaml", story)
    assert load_fixture(story / "bind_adult.yaml").seed == (story.parent / "backend.yaml")
    status, output = _replay(story / "bind_adult.yaml")
    assert status == 0, output


def test_an_embedded_seed_replays_and_a_bad_seed_name_is_refused(tmp_path):
    fixture = tmp_path / "embedded.yaml"
    fixture.write_text(yaml.safe_dump({
        "today": "2026-11-22", "seed": LIVE_SEED, "steps": [
            {"send": "绑定社保卡"}, {"send": STRANGER["id_number"]}, {"send": STRANGER["name"]},
            {"send": "Q70001234", "expect": "137****3333"},
        ]}, allow_unicode=True), encoding="utf-8")
    status, output = _replay(fixture)
    assert status == 0, output
    for bad, said in (("wxbot:nope.yaml", "wxbot:backend.yaml"),
                      ({"people": [{"id_number": "1", "name": "x"}]}, "embedded seed")):
        fixture.write_text(yaml.safe_dump({"seed": bad, "steps": [{"send": "hi"}]},
                                          allow_unicode=True), encoding="utf-8")
        with pytest.raises(FixtureError, match=re.escape(said)):
            load_fixture(fixture)


def test_replaying_the_fixtures_folder_runs_the_conversations_not_the_seed():
    from bot.sim.replay.fixture import discover

    found = discover([ROOT / "fixtures"])
    assert ROOT / "fixtures" / "backend.yaml" not in found
    assert set(found) == set(discover([ROOT / "fixtures" / "conversations"]))
    assert discover([ROOT / "fixtures" / "backend.yaml"]) == [ROOT / "fixtures" / "backend.yaml"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`wxbot demo` as a process, on a 1-s deadline so slow turns stay quick."""
    from tests.servers import running

    data = tmp_path_factory.mktemp("travel-demo")
    bare = {name: "" for name in ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET",
                                  "WECHAT_API_BASE", "BOT_STORE")}
    with running(["demo", "--no-browser"], {"BOT_DATA_DIR": str(data / "data"), **bare,
                                             "BOT_REPLY_DEADLINE": "1"}, data / "log") as server:
        yield server


def test_a_session_saved_from_a_running_demo_replays_there_and_in_process_after_a_move(
        demo, tmp_path):
    import requests

    def post(path: str, body: dict) -> dict:
        answer = requests.post(f"{demo.url}{path}", json=body, timeout=15)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def say(text: str) -> str | None:
        return post("/sim/api/send", {"user": "bob", "type": "text", "content": text})["reply"]

    post("/sim/api/reset", {})
    assert "身份证号" in say("绑定社保卡")
    assert "姓名" in say("310104198308080714")
    post("/backend/v1/faults", {"delay": 1.5})
    assert say("王强") is None
    deadline = time.monotonic() + 10
    while not requests.get(f"{demo.url}/sim/api/outbound", params={"user": "oSimBob000001"},
                           timeout=5).json()["messages"]:
        assert time.monotonic() < deadline, "the late reply never came through the API"
        time.sleep(0.1)
    assert "验证码" in say("A20000002")
    phone = requests.get(f"{demo.url}/backend/v1/sms", params={"phone": "13900000002"},
                         timeout=5).json()["messages"][-1]["code"]
    assert "绑定成功" in say(phone)
    saved = post("/sim/api/fixtures/save", {"users": ["bob"]})
    moved = tmp_path / "moved" / "bob.yaml"
    moved.parent.mkdir()
    shutil.copy(saved["path"], moved)
    text = moved.read_text(encoding="utf-8")
    assert "backend_delay: 1.5" in text and "{sms:13900000002}" in text and "***" not in text
    # a fixture that leaves a platform fault armed must not spoil the next one over --url
    (moved.parent / "a_leftover.yaml").write_text(
        "seed: wxbot:backend.yaml\nsteps:\n  - faults: {api: custom, errcode: 45047}\n"
        "  - send: 你好\n", encoding="utf-8")
    for extra in ([], ["--url", demo.url]):
        status, output = _replay(*extra, moved.parent)
        assert status == 0, output
        assert "2 passed" in output
