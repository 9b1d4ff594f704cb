"""`wxbot serve` tells the truth at start: each setting that cannot work is one line naming it
and the fix, exit status 2, before any banner and within a bounded time; a real process each.

And what it does start: gunicorn (no development-server warning) unless `--dev`, the simulator's
API at home, the operator's choice to lose late replies reported by /healthz and /readyz.
"""

from __future__ import annotations

import socket
import time

import pytest
import requests

from tests.conftest import APP_ID
from tests.servers import free_port, refused, running

BANNER = "wxbot serve"  # the banner's first words: a refused start never gets to say them


def _refusal(tmp_path, env: dict[str, str], *args: str) -> tuple[str, float]:
    """Run a start that must be refused; its one line and how long it took."""
    base = {"WECHAT_TOKEN": "abc123", "BOT_DATA_DIR": str(tmp_path / "data")}
    code, out, err, took = refused(["bot", "serve", "--port", str(free_port()), *args],
                                   {**base, **env}, cwd=tmp_path)
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err + out and BANNER not in err + out
    assert out == ""
    return lines[0], took


@pytest.mark.parametrize(("env", "named", "fix"), [
    ({"WECHAT_TOKEN": "dev-token"}, "WECHAT_TOKEN", "'-': letters and digits only"),
    ({"WECHAT_TOKEN": "ab"}, "WECHAT_TOKEN", "3 to 32"),
    ({}, "WECHAT_APP_ID and WECHAT_APP_SECRET are unset", "--allow-lost-late-replies"),
    ({"WECHAT_APP_ID": APP_ID}, "WECHAT_APP_SECRET is unset", "BOT_ALLOW_LOST_LATE_REPLIES=1"),
    ({"BOT_BACKEND_SEED": "/no/such/seed.yaml", "BOT_ALLOW_LOST_LATE_REPLIES": "1"},
     "BOT_BACKEND_SEED /no/such/seed.yaml", "unset it to use the shipped seed"),
    ({"BOT_STORE": "postgres://db/1", "BOT_ALLOW_LOST_LATE_REPLIES": "1"}, "BOT_STORE",
     "redis://HOST:PORT/DB"),
    ({"BOT_REPLY_DEADLINE": "7", "BOT_ALLOW_LOST_LATE_REPLIES": "1"}, "BOT_REPLY_DEADLINE",
     "below the platform's 5 s"),
])
def test_start_refuses_a_setting_in_one_line_naming_it(tmp_path, env, named, fix):
    line, took = _refusal(tmp_path, env)
    assert named in line and fix in line, line
    assert took < 10.0


ZHANG = '  - {id_number: "110105199001011232", name: 张伟, phone: "13800138000"}\n'
BAD_SEEDS = {  # a seed as a person mistypes it -> what the one line must say of where and what
    "unclosed": ("people:\n" + ZHANG + '  - {id_number: "310104198505200463", name: 李娜\n',
                 ["line 3", "column", "expected ',' or '}'"]),
    "status": ("people:\n" + ZHANG + "cards:\n  - card_number: A12345678\n"
               '    holder: "110105199001011232"\n    password: "147258"\n    status: gone\n',
               ["line 7", "cards[0].status 'gone' must be one of active, lost, frozen"]),
    "not a list": ("people:\n  id_number: '110105199001011232'\n",
                   ["line 1", "people must be a list of records"]),
    "a typo'd section": ("people:\n" + ZHANG + "card:\n  - {card_number: A1}\n",
                         ["line 3", "unknown section 'card'"]),
}


@pytest.mark.parametrize("command", [["serve"], ["demo", "--no-browser"]])
@pytest.mark.parametrize("kind", list(BAD_SEEDS))
def test_start_refuses_a_seed_it_cannot_load_naming_its_line(tmp_path, command, kind):
    """A mistyped BOT_BACKEND_SEED was a gunicorn worker's traceback (or the demo's): it is one
    line naming the file, the line and what is wrong, before anything starts."""
    text, said = BAD_SEEDS[kind]
    seed = tmp_path / "my seed.yaml"
    seed.write_text(text, encoding="utf-8")
    env = {"WECHAT_TOKEN": "abc123", "BOT_DATA_DIR": str(tmp_path / "data"),
           "BOT_ALLOW_LOST_LATE_REPLIES": "1", "BOT_BACKEND_SEED": str(seed)}
    code, out, err, took = refused(["bot", *command, "--port", str(free_port())], env,
                                   cwd=tmp_path)
    assert (code, out, len(err.splitlines())) == (2, "", 1), (code, out, err)
    assert "Traceback" not in err and BANNER not in err
    assert err.startswith(f"Error: BOT_BACKEND_SEED {seed}: "), err
    assert all(part in err for part in said), err
    assert "unset BOT_BACKEND_SEED to use the shipped seed" in err
    assert "110105199001011232" not in err  # the line says where: never the ID number
    assert took < 10.0


def test_the_mock_backend_alone_refuses_a_bad_seed_in_one_line(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(BAD_SEEDS["status"][0], encoding="utf-8")
    code, out, err, _ = refused(["bot", "backend", "--port", "0", "--seed", str(seed),
                                 "--data-dir", str(tmp_path / "d")], {}, cwd=tmp_path)
    assert (code, out, len(err.splitlines())) == (2, "", 1), (code, out, err)
    assert f"--seed (BOT_BACKEND_SEED) {seed}: line 7, cards[0].status" in err, err


def test_start_refuses_a_data_dir_it_cannot_write(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    line, _ = _refusal(tmp_path, {"BOT_DATA_DIR": str(blocker / "data"),
                                  "BOT_ALLOW_LOST_LATE_REPLIES": "1"})
    assert f"BOT_DATA_DIR {blocker / 'data'} is not a folder" in line, line


def test_start_refuses_an_unreachable_store_after_a_few_quick_tries(tmp_path):
    line, took = _refusal(tmp_path, {"BOT_STORE": f"redis://127.0.0.1:{free_port()}/0",
                                     "BOT_ALLOW_LOST_LATE_REPLIES": "1"})
    assert "BOT_STORE (redis) did not answer 3 tries" in line and "start Redis" in line, line
    assert 1.0 < took < 8.0  # it retried (about 2 s), and then gave up


def test_start_refuses_a_store_that_is_not_redis(tmp_path):
    """Something listens there, but it does not speak Redis: refused the same way."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        line, took = _refusal(tmp_path, {"BOT_STORE": f"redis://127.0.0.1:{port}/0",
                                         "BOT_ALLOW_LOST_LATE_REPLIES": "1"})
    assert "BOT_STORE (redis) did not answer" in line, line
    assert took < 12.0


def test_start_refuses_an_api_base_it_cannot_reach(tmp_path):
    base = f"http://127.0.0.1:{free_port()}/cgi-bin/"
    line, took = _refusal(tmp_path, {"WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": "s3cret",
                                     "WECHAT_API_BASE": base})
    assert line.startswith(f"Error: WECHAT_API_BASE {base} cannot be reached"), line
    assert "--allow-lost-late-replies" in line and "s3cret" not in line
    assert took < 10.0


def test_start_refuses_a_taken_port_before_any_banner(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        code, out, err, took = refused(
            ["bot", "serve", "--port", str(port)],
            {"WECHAT_TOKEN": "abc123", "BOT_DATA_DIR": str(tmp_path / "d"),
             "BOT_ALLOW_LOST_LATE_REPLIES": "1"}, cwd=tmp_path)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert f"port {port} on 127.0.0.1 is taken" in err and "--port" in err
    assert took < 10.0


def test_demo_refuses_a_taken_port_in_one_line(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        code, out, err, _ = refused(["bot", "demo", "--no-browser", "--port", str(port)],
                                    {"BOT_DATA_DIR": str(tmp_path / "d")}, cwd=tmp_path)
    assert (code, out, err.count("\n")) == (2, "", 1), err
    assert f"port {port} on 127.0.0.1 is taken" in err


def test_serve_runs_gunicorn_without_a_development_warning(served, tmp_path):
    server = served()
    log = server.log.read_text()
    assert "Booting worker" in log and "wxbot worker" in log
    assert "development server" not in log.lower()
    ready = requests.get(f"{server.url}/readyz", timeout=5)
    # The helper opts in to serving without an API (tests/servers.py): ready, and saying so.
    assert ready.status_code == 200, ready.text
    assert ready.json()["platform"] == {
        "ok": True, "late_replies": "lost",
        "reason": "WECHAT_APP_ID and WECHAT_APP_SECRET are unset: replies that miss the 5-s "
                  "window cannot be sent"}
    health = requests.get(f"{server.url}/healthz", timeout=5).json()
    assert health["late_replies"]["sent"] is False
    assert "WECHAT_APP_ID" in health["late_replies"]["reason"]


def test_serve_dev_runs_the_development_server_and_old_gunicorn_flag_still_works(served):
    dev = served("serve", "--dev")
    assert "Booting worker" not in dev.log.read_text()
    assert requests.get(f"{dev.url}/healthz", timeout=5).ok
    old = served("serve", "--gunicorn")
    assert "Booting worker" in old.log.read_text()


def test_serve_with_the_simulator_calls_its_own_api_without_settings(tmp_path):
    """BOT_SIMULATOR=1 and nothing else: the simulator plays the platform, its /cgi-bin/ on
    this server is the API (a token comes from it), and nothing needed opting in."""
    env = {"WECHAT_TOKEN": "abc123", "BOT_DATA_DIR": str(tmp_path / "d"), "BOT_SIMULATOR": "1",
           "BOT_ALLOW_LOST_LATE_REPLIES": "", "WECHAT_API_BASE": "", "WECHAT_APP_ID": "",
           "WECHAT_APP_SECRET": ""}
    with running(["serve"], env, tmp_path / "sim.log") as server:
        started = time.monotonic()
        ready = requests.get(f"{server.url}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["platform"] == {"ok": True}, ready.text
        assert time.monotonic() - started < 5.0
        assert "fetched a new access token" in server.log.read_text()
        assert requests.get(f"{server.url}/healthz", timeout=5).json()["late_replies"] == \
            {"sent": True}
