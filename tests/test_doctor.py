"""`wxbot doctor`: exit 0 only when the config, the token and the URL check all hold."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys

import pytest

from bot.config import DEMO_SUBSCRIBE
from bot.sim.mockplatform import DEMO_APP_ID, DEMO_APP_SECRET
from tests.servers import running

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_doctor")]

ACCOUNT = ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_API_BASE")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo as a newcomer starts it: no account settings of their own."""
    data = tmp_path_factory.mktemp("doctor")
    bare = {name: "" for name in ACCOUNT}  # empty counts as unset: the demo's own defaults
    with running(["demo", "--no-browser"], {"BOT_DATA_DIR": str(data), **bare},
                 data / "log") as server:
        yield server, data


def exports(log: str) -> dict[str, str]:
    """What the demo told the person to paste into another terminal (`export A=1 B=2`)."""
    line = next(x for x in log.splitlines() if x.startswith("export "))
    return dict(word.split("=", 1) for word in shlex.split(line)[1:])


def doctor(demo, *args: str, **env: str) -> subprocess.CompletedProcess:  # noqa: ANN001
    server, data = demo
    # The same data dir as the demo: its sealed store's key file is there, which the doctor
    # (the token's KV only) must not trip over.
    full = {**os.environ, "BOT_DATA_DIR": str(data), **exports(server.log.read_text()),
            "COLUMNS": "200", **env}
    full = {k: v for k, v in full.items() if v != "<unset>"}
    return subprocess.run([sys.executable, "-m", "bot", "doctor", *args], env=full,
                          capture_output=True, text=True, timeout=60)


def test_demo_prints_the_exports_of_its_account(demo):
    said = exports(demo[0].log.read_text())
    assert said == {"WECHAT_TOKEN": "devtoken", "WECHAT_APP_ID": DEMO_APP_ID,
                    "WECHAT_APP_SECRET": DEMO_APP_SECRET,
                    "WECHAT_API_BASE": f"{demo[0].url}/cgi-bin/"}


def test_doctor_passes_against_the_demo_with_its_exports(demo):
    done = doctor(demo, "--url", f"{demo[0].url}/wechat")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✗" not in done.stdout and "access token" in done.stdout
    assert f"URL:   {demo[0].url}" in done.stdout and "Token: devtoken" in done.stdout


def test_doctor_checks_the_subscribe_templates_the_settings_name(demo):
    done = doctor(demo, **DEMO_SUBSCRIBE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WECHAT_SUBSCRIBE_REVIEW: 审核结果通知" in done.stdout
    assert "WECHAT_SUBSCRIBE_GUARDIAN: 家庭成员授权请求" in done.stdout


def test_doctor_shows_the_menu_the_account_has(demo):
    subprocess.run([sys.executable, "-m", "bot", "menu", "push"], timeout=60, check=True,
                   capture_output=True, env={**os.environ, "BOT_DATA_DIR": str(demo[1]),
                                             "WECHAT_APP_ID": DEMO_APP_ID,
                                             "WECHAT_APP_SECRET": DEMO_APP_SECRET,
                                             "WECHAT_API_BASE": f"{demo[0].url}/cgi-bin/"})
    done = doctor(demo)
    assert done.returncode == 0 and "绑定社保卡" in done.stdout


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(("env", "args", "named"), [
    ({"WECHAT_APP_SECRET": "x" * len(DEMO_APP_SECRET)}, [], "WECHAT_APP_SECRET is wrong"),
    ({"WECHAT_APP_ID": "wx00000000000000ff"}, [], "not this platform's appID"),
    ({"WECHAT_APP_ID": "not-an-appid"}, [], "wx and 16 hex digits"),
    ({"WECHAT_APP_SECRET": "<unset>"}, [], "set WECHAT_APP_ID and WECHAT_APP_SECRET"),
    ({"WECHAT_TOKEN": "other"}, ["--url", "SERVER"], "differs from the server's token"),
    ({"WECHAT_TOKEN": "<unset>"}, [], "3-32 letters or digits"),
    ({"WECHAT_TOKEN": "has spaces in it"}, [], "' ': letters and digits only"),
    ({"WECHAT_TOKEN": "dev-token"}, [], "'-': letters and digits only"),
    ({"WECHAT_TOKEN": "ab"}, [], "2 characters: the platform takes 3 to 32"),
    ({"WECHAT_TOKEN": "a" * 33}, [], "33 characters: the platform takes 3 to 32"),
    ({"WECHAT_AES_KEY": "k" * 42}, [], "43-character EncodingAESKey"),
    ({}, ["--url", "http://127.0.0.1:CLOSED"], "start `wxbot serve`"),
    ({}, ["--url", "http://203.0.113.9:8080/wechat"], ""),  # unreachable (TEST-NET-3)
    ({"WECHAT_API_BASE": "http://127.0.0.1:CLOSED/cgi-bin/"}, [], "check WECHAT_API_BASE"),
    ({"WECHAT_SUBSCRIBE_REVIEW": "notATemplateOfTheAccount"}, [], "copy a priTmplId"),
    ({"WECHAT_SUBSCRIBE_REVIEW": DEMO_SUBSCRIBE["WECHAT_SUBSCRIBE_GUARDIAN"]}, [],
     "lacks character_string2, phrase3"),  # the guardian's template for reviews
])
def test_doctor_fails_naming_the_problem_and_its_fix(demo, env, args, named):
    closed = str(_closed_port())
    env = {k: v.replace("CLOSED", closed) for k, v in env.items()}
    args = [a.replace("SERVER", demo[0].url).replace("CLOSED", closed) for a in args]
    done = doctor(demo, *args, **env)
    assert done.returncode == 1, done.stdout
    assert "✗" in done.stdout and named in done.stdout
