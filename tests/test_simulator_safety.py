"""The simulator is a developer's tool: loopback only unless told, said plainly, and its clock
never moves the webhook's timestamp check."""

from __future__ import annotations

import os
import time

import pytest
import requests
from click.testing import CliRunner

from bot import cli
from bot.protocol import sign
from bot.server.launch import bind_hosts, is_loopback
from bot.sim.wire.client import PlatformClient
from tests.conftest import TOKEN
from tests.servers import free_port, run_to_exit, running

PUSH = ("<xml><ToUserName>gh</ToUserName><FromUserName>oClockless</FromUserName>"
        "<CreateTime>{t}</CreateTime><MsgType>text</MsgType><Content>菜单</Content>"
        "<MsgId>{t}</MsgId></xml>")


@pytest.fixture
def sim_env(tmp_path):
    return {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_SIMULATOR": "1"}


def _post(url: str, at: int, nonce: str) -> requests.Response:
    query = {"signature": sign(TOKEN, str(at), nonce), "timestamp": str(at), "nonce": nonce}
    return requests.post(f"{url}/wechat", params=query, data=PUSH.format(t=at), timeout=5)


@pytest.mark.e2e
def test_moving_the_simulators_clock_never_moves_the_timestamp_check(sim_env, tmp_path):
    """One request to the clock once made every genuine push a 403."""
    with running(["serve"], sim_env, tmp_path / "serve.log") as server:
        moved = requests.post(f"{server.url}/backend/v1/clock", json={"advance": 10**6},
                              timeout=5).json()
        now = int(time.time())
        assert moved["now"] > now + 10**6 - 60  # the simulator's clock did move...
        assert _post(server.url, now, "genuine").status_code == 200  # ...the check did not
        assert _post(server.url, int(moved["now"]), "sim-time").status_code == 403
        with PlatformClient(server.url, TOKEN) as wx:  # the simulator's own wire still works
            assert "绑定社保卡" in wx.text("oWire", "菜单").text


@pytest.mark.e2e
def test_serve_names_the_simulator_plainly(sim_env, tmp_path):
    with running(["serve"], sim_env, tmp_path / "sim.log"):
        pass
    with running(["serve"], {**sim_env, "BOT_SIMULATOR": "0"}, tmp_path / "plain.log"):
        pass
    assert "SIMULATOR ON" in (tmp_path / "sim.log").read_text()
    assert "SIMULATOR" not in (tmp_path / "plain.log").read_text()


@pytest.mark.parametrize("args", [
    ["bot", "serve", "--host", "0.0.0.0", "--port", "{port}"],
    ["bot", "serve", "--host", "0.0.0.0", "--workers", "2", "--port", "{port}"],
    ["gunicorn", "-c", "python:bot.gunicorn_conf", "--bind", "0.0.0.0:{port}",
     "bot:create_app()"],
])
@pytest.mark.e2e
def test_serve_refuses_the_simulator_on_a_public_address(sim_env, tmp_path, args):
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "BOT_SIMULATOR_REMOTE"}
    port = str(free_port())
    status, said = run_to_exit([a.format(port=port) for a in args], {**env, **sim_env}, 30)
    assert status != 0
    assert "--allow-remote-simulator" in said and "0.0.0.0" in said
    assert "Booting worker" not in said
    assert time.monotonic() - started < 30  # refused before serving anything


@pytest.mark.parametrize(("flag", "env"), [(["--allow-remote-simulator"], {}),
                                           ([], {"BOT_SIMULATOR_REMOTE": "1"})])
def test_an_explicit_override_lets_the_simulator_listen_remotely(sim_env, monkeypatch, flag, env):
    """Both servers: gunicorn (what would run; its workers get the override in their env)
    and the development server."""
    ran, execs = [], []
    monkeypatch.setattr(cli, "_run", lambda app, host, port: ran.append((host, port)))
    monkeypatch.setattr(cli, "_exec", lambda argv, env: execs.append((argv, env)))
    for name, value in {**sim_env, **env}.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    result = CliRunner().invoke(cli.main, ["serve", "--host", "0.0.0.0", "--port", str(port),
                                           *flag])
    assert result.exit_code == 0, result.output
    ((argv, child_env),) = execs
    assert f"0.0.0.0:{port}" in argv and child_env.get("BOT_SIMULATOR_REMOTE") == "1"
    if flag:  # the simulator answers the name it was told to listen on
        assert "0.0.0.0" in child_env.get("BOT_SIMULATOR_HOSTS", "")
    assert "SIMULATOR ON" in result.output
    result = CliRunner().invoke(cli.main, ["serve", "--dev", "--host", "0.0.0.0", "--port",
                                           str(port), *flag])
    assert result.exit_code == 0, result.output
    assert ran == [("0.0.0.0", port)]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
    ("bot.example.com", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_gunicorn_binds_are_read_for_their_hosts():
    binds = ["127.0.0.1:8080", "[::1]:80", "0.0.0.0:1", "unix:/tmp/s", "localhost", ":80", "::"]
    assert bind_hosts(binds) == ["127.0.0.1", "::1", "0.0.0.0", "localhost", "0.0.0.0", "::"]


def test_demo_says_the_simulator_is_on(monkeypatch, tmp_path):
    ran = []
    monkeypatch.setattr(cli, "_run", lambda app, host, port: ran.append((host, port)))
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    port = free_port()
    result = CliRunner().invoke(cli.main, ["demo", "--no-browser", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert ran == [("127.0.0.1", port)]  # the demo never listens beyond this machine
    assert "SIMULATOR ON" in result.output and "read every" in result.output
