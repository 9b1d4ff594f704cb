"""Recording live traffic and turning it into a fixture: nothing personal survives, it replays.

The live bot runs on its own backend (people who are not in fixtures/backend.yaml), as the
sandbox would; the converter must swap every one of them for a seed stand-in of the same role.
"""

from __future__ import annotations

import json
import re
import stat
from collections import Counter
from datetime import date

import pytest
import yaml
from click.testing import CliRunner

from bot.app import bot_of
from bot.cli import main
from bot.sim.record.freetext import FreeText
from flows.ids import make_id
from tests.conftest import ROOT

ADULT = {"id_number": make_id("440106", date(1985, 6, 1), 123), "name": "欧阳娜娜",
         "phone": "13711112222"}
MINOR = {"id_number": make_id("440106", date(2013, 3, 9), 456), "name": "欧阳小雨"}
LOST = {"id_number": make_id("440106", date(1975, 9, 30), 321), "name": "司马光",
        "phone": "13755556666"}
GUARDIAN = {"id_number": make_id("440106", date(1980, 1, 20), 789), "name": "欧阳峰",
            "phone": "13733334444"}
LIVE_SEED = {
    "people": [ADULT, MINOR, GUARDIAN, LOST],
    "cards": [{"card_number": "Z55501234", "holder": ADULT["id_number"], "password": "470213",
               "status": "active"},
              {"card_number": "Z55509876", "holder": MINOR["id_number"], "password": "390617",
               "status": "active"},
              {"card_number": "Z55500001", "holder": LOST["id_number"], "password": "503718",
               "status": "lost"}],
    "guardianships": [{"minor": MINOR["id_number"], "guardian": GUARDIAN["id_number"],
                       "relation": "father"}],
}
USERS = {"adult": "oLiveAdult00001", "guardian": "oLiveGuardian01", "reset": "oLiveReset00001",
         "lost": "oLiveLost000001"}


@pytest.fixture
def recording(tmp_path, clock, make_app, platform_for):
    """A live session recorded in safe mode; yields (log dir, every personal string used)."""
    seed = tmp_path / "live-seed.yaml"
    seed.write_text(yaml.safe_dump(LIVE_SEED, allow_unicode=True), encoding="utf-8")
    app = make_app(BOT_DATA_DIR=str(tmp_path / "live"), BOT_BACKEND_SEED=str(seed),
                   BOT_RECORD_DIR=str(tmp_path / "rec"))
    backend = bot_of(app).backend
    wechat = platform_for(app, "safe")

    def say(user: str, text: str, expect: str = "") -> None:
        delivery = wechat.text(USERS[user], text)
        assert delivery.ok and expect in delivery.text, (text, delivery.text)
        clock.advance(7)

    def code(phone: str) -> str:
        return backend.sms_outbox(phone)[-1]["code"]

    wechat.subscribe(USERS["adult"])
    say("adult", "绑定社保卡", "身份证号")
    say("adult", ADULT["id_number"][:17] + "0", "校验位")  # a typo in the check digit
    for text, expect in [(ADULT["id_number"], "姓名"), ("欧阳丽丽", "不匹配"),
                         (ADULT["name"], "卡号"), ("帮助", "当前步骤"), ("Z55501234", "验证码")]:
        say("adult", text, expect)
    say("adult", "999999" if code(ADULT["phone"]) != "999999" else "888888", "不正确")
    say("adult", code(ADULT["phone"]), "绑定成功")
    say("adult", f"我的电话是{ADULT['phone']}，卡号Z55501234", "")
    clock.advance(61)  # one SMS a minute per phone
    say("adult", "解绑", "确认解绑")
    say("adult", "是", "解除社保卡")
    say("adult", code(ADULT["phone"]), "已解除")

    assert wechat.click(USERS["guardian"], "BIND_CARD").ok
    for text, expect in [(MINOR["id_number"], "姓名"), (MINOR["name"], "卡号"),
                         ("Z55509876", "监护人"), (GUARDIAN["id_number"], "验证码")]:
        say("guardian", text, expect)
    say("guardian", code(GUARDIAN["phone"]), "绑定成功")

    say("lost", "绑卡", "身份证号")
    assert "需要您回复文字" in wechat.location(USERS["lost"], 23.1, 113.3, "家").text
    for text, expect in [(LOST["id_number"], "姓名"), (LOST["name"], "卡号"),
                         ("Z55500001", "挂失")]:
        say("lost", text, expect)
    assert "取消" in wechat.voice(USERS["lost"], recognition="取消").text

    clock.advance(120)  # past the one-SMS-a-minute limit of the adult's phone
    say("reset", "忘记密码", "身份证号")
    for text, expect in [(ADULT["id_number"], "姓名"), (ADULT["name"], "验证码")]:
        say("reset", text, expect)
    for text, expect in [(code(ADULT["phone"]), "服务密码"), ("123456", "连续"),
                         ("284619", "再输入"), ("284619", "重置成功")]:
        say("reset", text, expect)
    phones = (ADULT["phone"], GUARDIAN["phone"], LOST["phone"])
    codes = [m["code"] for p in phones for m in backend.sms_outbox(p)]
    bot_of(app).close()
    personal = [*(v for person in (ADULT, MINOR, GUARDIAN, LOST) for v in person.values()),
                "Z55501234", "Z55509876", "Z55500001", "欧阳", "284619", *USERS.values()]
    yield tmp_path / "rec", personal, codes


def _convert(tmp_path, log_dir, *args: str):
    out = tmp_path / "fixtures" / "recorded.yaml"
    out.parent.mkdir(exist_ok=True)
    result = CliRunner().invoke(main, ["record", str(log_dir), "-o", str(out), *args])
    return result, out


def test_the_log_is_private_and_says_what_each_answer_was(recording):
    log_dir, _, _ = recording
    log = log_dir / "traffic.jsonl"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {"v", "at", "time", "openid", "inbound", "reply", "before", "after"} <= set(lines[0])
    first = next(x for x in lines if x["inbound"].get("Content") == ADULT["id_number"])
    assert first["before"] == {"flow": "bind_card", "state": "ask_id"}
    assert first["after"] == {"flow": "bind_card", "state": "ask_name"}
    bound = [x for x in lines if x["trace"] and x["trace"][-1][2] == "bound"]
    assert len(bound) == 2 and all(x["after"] is None for x in bound)
    assert all("slots" not in json.dumps(x) and "Encrypt" not in x["inbound"] for x in lines)


def test_one_fixture_per_log_holds_nothing_personal_and_replays_green(recording, tmp_path):
    log_dir, personal, codes = recording
    args = [a for user in USERS.values() for a in ("--user", user)]
    result, out = _convert(tmp_path, log_dir, *args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    leaked = [value for value in personal if value in text or value in result.output]
    leaked += [c for c in codes if re.search(rf"(?<!\d){c}(?!\d)", text + result.output)]
    assert not leaked, f"{len(leaked)} personal values left in the fixture or the summary"
    fixture = yaml.safe_load(text)
    assert fixture["today"] == date(2026, 11, 22)
    assert fixture["seed"] == "wxbot:backend.yaml"  # the shipped seed, by name: it travels
    assert sorted(fixture["users"].values()) == [f"oRecorded000{i}" for i in range(1, 5)]
    assert "ID numbers: " in result.output and "codes: " in result.output
    sends = [s.get("send", "") for s in fixture["steps"]]
    assert sum(s.startswith("{sms:") for s in sends) == 4
    events = [step["event"] for step in fixture["steps"] if "event" in step]
    assert "location" in events and {"voice": "取消"} in events  # media stay generic
    replay = CliRunner().invoke(main, ["replay", str(out)])
    assert replay.exit_code == 0, replay.output


def test_each_follower_alone_replays_too(recording, tmp_path):
    log_dir, _, _ = recording
    for user in USERS.values():
        result, out = _convert(tmp_path, log_dir, "--user", user)
        assert result.exit_code == 0, result.output
        replay = CliRunner().invoke(main, ["replay", str(out)])
        assert replay.exit_code == 0, (user, replay.output)


def test_several_followers_need_a_choice(recording, tmp_path):
    log_dir, _, _ = recording
    result, _ = _convert(tmp_path, log_dir)
    assert result.exit_code != 0
    assert "--user" in result.output and all(u in result.output for u in USERS.values())
    result, _ = _convert(tmp_path, log_dir, "--user", "oNobody")
    assert result.exit_code != 0 and "no follower 'oNobody'" in result.output


def test_retries_are_recorded_but_converted_once(tmp_path, make_app, platform_for):
    app = make_app(BOT_DATA_DIR=str(tmp_path / "d"), BOT_RECORD_DIR=str(tmp_path / "rec"))
    wechat = platform_for(app)
    xml = wechat.build("text", "oRetry", Content="绑定社保卡")
    for _ in range(3):  # the platform's three deliveries of one slow message
        assert "身份证号" in wechat.send_xml(xml, user="oRetry").text
    bot_of(app).close()
    assert len((tmp_path / "rec" / "traffic.jsonl").read_text().splitlines()) == 3
    result, out = _convert(tmp_path, tmp_path / "rec" / "traffic.jsonl")
    assert result.exit_code == 0, result.output
    assert len(yaml.safe_load(out.read_text(encoding="utf-8"))["steps"]) == 1


def test_a_broken_log_is_a_clear_error(tmp_path):
    log = tmp_path / "traffic.jsonl"
    log.write_text('{"v": 1}\nnot json\n', encoding="utf-8")
    result, _ = _convert(tmp_path, log)
    assert result.exit_code != 0 and "traffic.jsonl:1" in result.output


def test_a_custom_seed_goes_into_the_fixture_so_it_replays_anywhere(recording, tmp_path):
    log_dir, _, _ = recording
    custom = tmp_path / "my-seed.yaml"  # a seed of one's own, not the shipped one
    custom.write_text((ROOT / "fixtures" / "backend.yaml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    result, out = _convert(tmp_path, log_dir, "--user", USERS["guardian"], "--seed", str(custom))
    assert result.exit_code == 0, result.output
    fixture = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert fixture["seed"] == yaml.safe_load(custom.read_text(encoding="utf-8"))  # embedded
    custom.unlink()
    far = tmp_path / "far" / "away"
    far.mkdir(parents=True)
    moved = far / out.name
    out.rename(moved)
    replay = CliRunner().invoke(main, ["replay", str(moved)])
    assert replay.exit_code == 0, replay.output


def test_an_id_number_read_out_to_voice_input_is_masked_in_free_text():
    """The bot reads "一一零一零五…" as an ID number (slot_numbers.spoken_digits); the recorder
    must mask it as one, or the fixture would keep a real ID number in characters."""
    spoken = "一一零一零五一九九零零一零一一二三二"  # 110105199001011232
    text = FreeText(set(), Counter(), lambda _: "110105199001019999")
    scrubbed = text.scrub(f"我的身份证是{spoken} 帮我绑卡")
    assert scrubbed == "我的身份证是110105199001019999 帮我绑卡"
