"""Faults: `POST /backend/v1/faults {"delay", "times"}` and the fixture step `faults:` make the
next K backend calls really slower, in process and through a real server; bad input is a 400."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from bot.backend import MockBackend
from bot.backend.faults import MAX_DELAY, Faults
from bot.clock import ManualClock
from bot.sim.replay.fixture import load_fixture as load
from bot.sim.replay.run import run_fixture, settings_of
from bot.sim.targets.local import Local
from bot.sim.targets.remote import Remote
from tests.conftest import AES_KEY, APP_ID, ROOT, TODAY, TOKEN
from tests.servers import running

pytestmark = pytest.mark.xdist_group("test_backend_faults")

SEED = ROOT / "fixtures" / "backend.yaml"
DELAY = 0.4  # long enough to see on a busy machine, short enough to wait for
SLOWED = """\
name: 后台变慢
today: 2026-11-22
steps:
  - faults: {backend_delay: %s, times: 2}
  - send: 绑定社保卡              # one backend call (is this account bound?): slowed
    expect: 身份证号
  - send: "110105199001011232"  # no backend call
  - send: 张伟                   # one backend call (the name): slowed
    expect: 卡号
  - send: A12345678              # the faults are used up: as fast as ever
    expect: 验证码已发送
"""


def timed(call, *args):
    started = time.monotonic()
    result = call(*args)
    return time.monotonic() - started, result


def test_the_next_k_calls_are_slowed_and_nested_calls_count_once(tmp_path: Path) -> None:
    with MockBackend(tmp_path / "b.sqlite3", SEED, ManualClock(TODAY)) as mock:
        slept: list[float] = []
        mock.faults = Faults(sleep=slept.append)
        mock.arm_faults(6, times=2)
        mock.password_is("110105199001011232", "147258")  # calls cards_of, verify_password
        assert slept == [6.0]  # one call into the backend, one delay
        mock.person("110105199001011232")
        mock.sms_outbox("13800138000")  # the simulator's reads are not backend calls
        assert slept == [6.0, 6.0] and mock.faults.armed == {"delay": 0.0, "times": 0}
        mock.person("110105199001011232")
        assert slept == [6.0, 6.0]


def test_a_slowed_call_really_sleeps(tmp_path: Path) -> None:
    with MockBackend(tmp_path / "b.sqlite3", SEED, ManualClock(TODAY)) as mock:
        mock.arm_faults(DELAY)
        took, _ = timed(mock.card, "A12345678")
        assert took >= DELAY
        took, _ = timed(mock.card, "A12345678")
        assert took < DELAY


@pytest.mark.parametrize("delay", [-1, MAX_DELAY + 0.1, float("nan"), float("inf"), True, "6"])
def test_an_unbounded_or_odd_delay_is_refused(delay) -> None:
    with pytest.raises(ValueError):
        Faults().arm(delay)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID,
           "BOT_SIMULATOR": "1", "BOT_DATA_DIR": str(tmp / "data"), "BOT_LANG": "zh_CN"}
    with running(["serve"], env, tmp / "serve.log") as served:
        yield served


@pytest.mark.parametrize("body", [
    {}, {"times": 2}, {"delay": -1}, {"delay": 31}, {"delay": "6"}, {"delay": None},
    {"delay": 1, "times": 0}, {"delay": 1, "times": 101}, {"delay": 1, "times": 1.5},
    {"delay": 1, "api": "token"}, [1],
])
@pytest.mark.e2e
def test_bad_faults_are_a_400(server, body) -> None:
    answer = requests.post(f"{server.url}/backend/v1/faults", json=body, timeout=5)
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


@pytest.mark.e2e
def test_faults_slow_the_servers_next_backend_calls(server) -> None:
    url = f"{server.url}/backend/v1"
    armed = requests.post(f"{url}/faults", json={"delay": DELAY, "times": 1}, timeout=5)
    assert armed.json() == {"armed": {"delay": DELAY, "times": 1}}
    call = {"json": {"card_number": "A12345678"}, "timeout": 5}
    took, _ = timed(lambda: requests.post(f"{url}/rpc/card", **call))
    assert took >= DELAY
    took, _ = timed(lambda: requests.post(f"{url}/rpc/card", **call))
    assert took < DELAY


def test_the_fixture_step_slows_the_bot_in_process(tmp_path: Path) -> None:
    fixture = load(write(tmp_path, SLOWED % DELAY))
    local = Local.for_run(settings_of(fixture))
    try:
        took, outcome = timed(run_fixture, fixture, local)
    finally:
        local.close()
    assert outcome.ok, outcome.failure
    assert took >= 2 * DELAY


@pytest.mark.e2e
def test_the_fixture_step_slows_the_bot_over_url(server, tmp_path: Path) -> None:
    fixture = load(write(tmp_path, SLOWED % DELAY))
    remote = Remote(server.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID)
    try:
        remote.probe()
        with remote.for_run(settings_of(fixture)):
            took, outcome = timed(run_fixture, fixture, remote)
    finally:
        remote.close()
    assert outcome.ok, outcome.failure
    assert took >= 2 * DELAY


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "slowed.yaml"
    path.write_text(text, encoding="utf-8")
    return path
