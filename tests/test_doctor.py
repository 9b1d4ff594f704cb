"""`wxbot doctor`: exit 0 only when the config, the token and the URL check all hold."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from bot.sim.mockplatform import DEMO_APP_ID, DEMO_APP_SECRET
from tests.servers import running


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("doctor")
    with running(["demo", "--no-browser"], {"BOT_DATA_DIR": str(data),
                                            "WECHAT_TOKEN": "devtoken"}, data / "log") as server:
        yield server, data


def doctor(demo, *args: str, **env: str) -> subprocess.CompletedProcess:  # noqa: ANN001
    server, data = demo
    full = {**os.environ, "BOT_DATA_DIR": str(data), "WECHAT_TOKEN": "devtoken",
            "WECHAT_APP_ID": DEMO_APP_ID, "WECHAT_APP_SECRET": DEMO_APP_SECRET,
            "WECHAT_API_BASE": f"{server.url}/cgi-bin/", "COLUMNS": "200", **env}
    full = {k: v for k, v in full.items() if v != "<unset>"}
    return subprocess.run([sys.executable, "-m", "bot", "doctor", *args], env=full,
                          capture_output=True, text=True, timeout=60)


def test_doctor_passes_and_says_what_to_paste(demo):
    done = doctor(demo, "--url", demo[0].url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✗" not in done.stdout and "access token" in done.stdout
    assert f"URL:   {demo[0].url}" in done.stdout and "Token: devtoken" in done.stdout


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
    ({"WECHAT_TOKEN": "has spaces in it"}, [], "3-32 letters or digits"),
    ({"WECHAT_AES_KEY": "k" * 42}, [], "43-character EncodingAESKey"),
    ({}, ["--url", "http://127.0.0.1:CLOSED"], "start `wxbot serve`"),
    ({}, ["--url", "http://203.0.113.9:8080/wechat"], ""),  # unreachable (TEST-NET-3)
    ({"WECHAT_API_BASE": "http://127.0.0.1:CLOSED/cgi-bin/"}, [], "check WECHAT_API_BASE"),
])
def test_doctor_fails_naming_the_problem_and_its_fix(demo, env, args, named):
    closed = str(_closed_port())
    env = {k: v.replace("CLOSED", closed) for k, v in env.items()}
    args = [a.replace("SERVER", demo[0].url).replace("CLOSED", closed) for a in args]
    done = doctor(demo, *args, **env)
    assert done.returncode == 1, done.stdout
    assert "✗" in done.stdout and named in done.stdout
