"""`wxbot replay` as a user meets it: the project's fixtures, failures, misuse, JUnit, --url."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from bot.cli import main
from bot.sim.replay.coverage import declared
from bot.sim.replay.fixture import discover, load_fixture
from flows.registry import ALL_FLOWS
from tests.conftest import AES_KEY, APP_ID, ROOT, TOKEN
from tests.servers import running

# The tests on the module's `wxbot demo` (the `simulator` fixture, started once) stay on one
# worker; the others, the in-process replay of every fixture among them, go to any worker.
ON_SIMULATOR = pytest.mark.xdist_group("test_replay")

CONVERSATIONS = ROOT / "fixtures" / "conversations"
IMPOSSIBLE = """\
name: 不可能的期望
today: 2026-11-22
steps:
  - send: 绑定社保卡
    expect: 身份证号
  - send: "110105199001011232"
    expect: 这句话不会出现
"""


def replay(*args: str):
    return CliRunner().invoke(main, ["replay", *args], catch_exceptions=False)


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_conversation_fixture_passes_in_process_and_coverage_reaches_90_percent():
    # One run for both: the slow-backend fixtures sleep for real.
    result = replay(str(CONVERSATIONS), "--coverage")
    assert result.exit_code == 0, result.output
    count = len(discover([CONVERSATIONS]))
    assert count >= 20
    assert f"{count} fixtures: {count} passed, 0 failed" in result.output
    found = re.search(r"^transition coverage: (\d+)/(\d+)$", result.output, re.M)
    assert found, result.output
    taken, total = int(found[1]), int(found[2])
    assert total == len(declared(ALL_FLOWS))
    assert taken / total >= 0.9, result.output
    assert "transitions never taken:" in result.output or taken == total


def test_an_impossible_expectation_exits_1_with_file_step_expected_and_got(tmp_path):
    path = write(tmp_path, IMPOSSIBLE)
    result = replay(str(path))
    assert result.exit_code == 1
    out = result.output
    assert str(path) in out and "step 2" in out
    assert "send '110105199001011232'" in out
    assert "expected: contains '这句话不会出现'" in out
    assert "got:      '请输入持卡人的姓名。'" in out


def test_one_failure_among_passes_still_exits_1_and_junit_has_a_case_per_fixture(tmp_path):
    write(tmp_path, IMPOSSIBLE, "b_fails.yaml")
    write(tmp_path, "steps:\n  - send: 帮助\n    expect: 绑定社保卡\n", "a_passes.yaml")
    junit = tmp_path / "out" / "replay.xml"
    result = replay(str(tmp_path), "--junit", str(junit))
    assert result.exit_code == 1
    assert "PASS" in result.output and "FAIL" in result.output
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"a_passes", "不可能的期望"}
    failure = cases["不可能的期望"].find("failure")
    assert failure is not None and "step 2" in failure.get("message")
    assert "这句话不会出现" in failure.text


@pytest.mark.parametrize(("text", "where"), [
    ("steps:\n  - send: hi\n    expct: x\n", "steps[1].expct"),
    ("steps:\n  - send: hi\n    expect: {regexp: x}\n", "steps[1].expect"),
    ("steps:\n  - send: hi\n    expect: {regex: '('}\n", "steps[1].expect"),
    ("steps:\n  - event: {click: }\n  - event: teleport\n", "steps[2].event"),
    ("steps:\n  - send: hi\n    event: image\n", "steps[1]"),
    ("steps:\n  - wait: soon\n", "steps[1].wait"),
    ("users: {a: oA}\nsteps:\n  - as: b\n    send: hi\n", "steps[1].as"),
    ("users: {a: oA}\nsteps:\n  - send: '{user:b}'\n", "steps[1].send"),
    ("steps:\n  - backend: {card: A12345678, status: stolen}\n", "steps[1].backend"),
    ("steps:\n  - backend: {unbind: A12345678}\n", "steps[1].backend"),
    ("users: {a: oA}\nsteps:\n  - backend: {bind: {card: A1, user: b}}\n",
     "steps[1].backend.bind.user"),
    ("steps:\n  - backend: {bind: A12345678}\n    expect: x\n", "steps[1].expect"),
    ("steps:\n  - faults: {backend_delay: 31}\n", "steps[1].faults"),
    ("steps:\n  - faults: {backend_delay: soon}\n", "steps[1].faults"),
    ("steps:\n  - faults: {delay: 1}\n", "steps[1].faults"),
    ("steps:\n  - faults: {api: fax, errcode: 40001}\n", "steps[1].faults"),
    ("steps:\n  - faults: {api: custom}\n", "steps[1].faults"),
    ("steps:\n  - faults: {api: custom, errcode: 0}\n", "steps[1].faults"),
    ("steps:\n  - faults: {api: custom, errcode: 1, delay: 2}\n", "steps[1].faults"),
    ("seed: wxbot:nothing.yaml\nsteps:\n  - send: hi\n", "seed"),
    ("seed: {people: [{id_number: '1', name: x}]}\nsteps:\n  - send: hi\n", "seed"),
    ("steps:\n  - faults: {backend_delay: 1}\n    send: hi\n", "steps[1]"),
    ("lang: fr\nsteps:\n  - send: hi\n", "lang"),
    ("today: 2026-13-01\nsteps:\n  - send: hi\n", "today"),
    ("seed: nowhere.yaml\nsteps:\n  - send: hi\n", "seed"),
    ("name: no steps\n", "steps"),
    ("steps: [\n", "not valid YAML"),
    ("- just\n- a list\n", "a fixture is a mapping"),
])
def test_a_malformed_fixture_fails_naming_file_and_field(tmp_path, text, where):
    path = write(tmp_path, text)
    result = replay(str(path))
    assert result.exit_code == 1, result.output
    assert f"fixture error: {path}: {where}" in result.output, result.output
    assert "PASS" not in result.output


@pytest.mark.parametrize(("seed", "said"), [
    ("people:\n  - {id_number: '110105199001011232', name: 张伟\n", "seed.yaml: line 3, column"),
    ("people:\n  - {id_number: '110105199001011232', name: 张伟}\ncards:\n"
     "  - {card_number: A1, holder: '110105199001011232', password: '1', status: gone}\n",
     "seed.yaml: line 4, cards[0].status 'gone' must be one of active, lost, frozen"),
])
def test_a_fixture_whose_seed_file_is_mistyped_fails_naming_the_fixture_and_the_line(
        tmp_path, seed, said):
    """It was a traceback from the backend's load, naming neither the fixture nor the line."""
    write(tmp_path, seed, "seed.yaml")
    path = write(tmp_path, "seed: seed.yaml\nsteps:\n  - send: hi\n")
    result = replay(str(path))
    assert result.exit_code == 1, result.output
    assert f"fixture error: {path}: seed: {tmp_path / 'seed.yaml'}" in result.output, \
        result.output
    assert said in result.output, result.output
    assert "Traceback" not in result.output and "110105199001011232" not in result.output


def test_a_fixture_whose_embedded_seed_is_mistyped_says_the_fixture_line(tmp_path):
    path = write(tmp_path, "seed:\n  people:\n    - id_number: '110105199001011232'\n"
                           "      name: 张伟\n  guardianships:\n    - minor: '110105199001011232'\n"
                           "      guardian: '110105199001011232'\n      relation: aunt\n"
                           "steps:\n  - send: hi\n")
    result = replay(str(path))
    assert result.exit_code == 1, result.output
    assert (f"fixture error: {path}: seed: the embedded seed: line 8, guardianships[0].relation "
            f"'aunt' must be one of father, mother, guardian") in result.output, result.output


def test_a_malformed_fixture_is_one_failure_among_the_others_and_junit_is_written(tmp_path):
    write(tmp_path, "steps: [\n", "broken.yaml")
    write(tmp_path, (CONVERSATIONS / "bind_adult.yaml").read_text(encoding="utf-8")
          .replace("../backend.yaml", str(ROOT / "fixtures" / "backend.yaml")), "good.yaml")
    junit = tmp_path / "junit.xml"
    result = replay(str(tmp_path), "--junit", str(junit))
    assert result.exit_code == 1, result.output
    assert "PASS" in result.output and "2 fixtures: 1 passed, 1 failed" in result.output
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["broken.yaml"]
    assert "not valid YAML" in failed[0].find("failure").get("message")


def test_misuse_exits_2(tmp_path):
    assert replay(str(tmp_path)).exit_code == 2  # no fixtures in it
    assert replay(str(tmp_path / "missing.yaml")).exit_code == 2
    result = replay(str(CONVERSATIONS), "--url", "http://127.0.0.1:9", "--coverage")
    assert result.exit_code == 2 and "--coverage" in result.output
    result = replay(str(CONVERSATIONS), "--url", "http://127.0.0.1:9")
    assert result.exit_code == 2 and "cannot reach" in result.output


@pytest.mark.e2e
def test_the_pytest_plugin_reports_a_failing_conversation_like_the_command(tmp_path):
    path = write(tmp_path, IMPOSSIBLE)
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0",
                          str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "step 2 failed" in run.stdout and "expected: contains '这句话不会出现'" in run.stdout


@pytest.mark.e2e
def test_the_project_suite_collects_the_conversations():
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0",
                          "--co"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    items = [line for line in run.stdout.splitlines() if ".yaml::" in line]
    assert len(items) == len(discover([CONVERSATIONS])), run.stdout[-2000:]


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    """A real `wxbot demo` (simulator, mock platform API on itself), able to speak all three
    modes, on the 1 s reply deadline the `pushed:` fixtures are made for."""
    tmp = tmp_path_factory.mktemp("replay-url")
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID,
           "BOT_DATA_DIR": str(tmp / "data"), "BOT_LANG": "zh_CN", "BOT_REPLY_DEADLINE": "1"}
    with running(["demo", "--no-browser"], env, tmp / "demo.log") as server:
        yield server


def pushes_through_the_api(path: Path) -> bool:
    return any(step.pushed is not None for step in load_fixture(path).steps)


@pytest.mark.parametrize("mode", ["plaintext", "compat", "safe"])
@ON_SIMULATOR
@pytest.mark.e2e
def test_replay_over_url_passes_in_every_mode(simulator, mode, monkeypatch):
    monkeypatch.setenv("WECHAT_AES_KEY", AES_KEY)
    monkeypatch.setenv("WECHAT_APP_ID", APP_ID)
    # Sealing does not touch the API path, and the slow fixtures take seconds: plaintext only.
    paths = [p for p in discover([CONVERSATIONS])
             if mode == "plaintext" or not pushes_through_the_api(p)]
    result = replay(*map(str, paths), "--url", simulator.url, "--mode", mode, "--token", TOKEN)
    assert result.exit_code == 0, result.output
    total = len(paths)
    assert f"{total} fixtures: {total} passed, 0 failed" in result.output  # en ones included
    assert requests.get(f"{simulator.url}/healthz", timeout=5).json()["lang"] == "zh_CN"


@ON_SIMULATOR
@pytest.mark.e2e
def test_replay_over_url_skips_a_fixture_made_for_another_deadline(simulator, tmp_path):
    text = IMPOSSIBLE.replace("steps:", "reply_deadline: 2\nsteps:")
    result = replay(str(write(tmp_path, text)), "--url", simulator.url, "--token", TOKEN)
    assert result.exit_code == 0, result.output
    assert "SKIP" in result.output
    assert "made for BOT_REPLY_DEADLINE=2; the server's is 1 s" in result.output


@ON_SIMULATOR
@pytest.mark.e2e
def test_replay_over_url_reports_a_failure_too(simulator, tmp_path):
    result = replay(str(write(tmp_path, IMPOSSIBLE)), "--url", simulator.url, "--token", TOKEN)
    assert result.exit_code == 1
    assert "step 2" in result.output and "请输入持卡人的姓名" in result.output


@ON_SIMULATOR
@pytest.mark.e2e
def test_replay_over_url_takes_the_webhook_url_and_gives_the_server_back(simulator, tmp_path):
    before = requests.get(f"{simulator.url}/backend/v1/clock", timeout=5).json()
    fixture = write(tmp_path, (CONVERSATIONS / "bind_adult_en.yaml").read_text(encoding="utf-8")
                    .replace("../backend.yaml", str(ROOT / "fixtures" / "backend.yaml")))
    result = replay(str(fixture), "--url", f"{simulator.url}/wechat/", "--token", TOKEN)
    assert result.exit_code == 0, result.output
    after = requests.get(f"{simulator.url}/backend/v1/clock", timeout=5).json()
    assert abs(after["now"] - before["now"]) < 30  # not left on the fixture's day
    assert requests.get(f"{simulator.url}/healthz", timeout=5).json()["lang"] == "zh_CN"
    card = requests.get(f"{simulator.url}/backend/v1/cards/A12345678", timeout=5).json()
    assert card["bound_openid"] is None  # the server's own seed again, not the fixture's end


@ON_SIMULATOR
@pytest.mark.e2e
def test_replay_over_url_says_what_the_server_said_about_a_wrong_token(simulator):
    result = replay(str(CONVERSATIONS / "bind_adult.yaml"), "--url", simulator.url,
                    "--token", "not-the-token")
    assert result.exit_code == 2
    assert "refused the platform's signed check" in result.output
    assert "403" in result.output and "signature" in result.output.lower()


@pytest.mark.parametrize(("given", "base"), [
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ("http://127.0.0.1:8080/wechat", "http://127.0.0.1:8080"),
    ("http://127.0.0.1:8080/wechat/", "http://127.0.0.1:8080"),
    ("https://bot.example.com/prefix/wechat", "https://bot.example.com/prefix"),
])
def test_url_may_be_the_base_or_the_webhook(given, base):
    from bot.sim.targets.remote import split_url

    assert split_url(given) == (base, "/wechat")
