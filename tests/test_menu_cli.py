"""`wxbot menu`: the default menu's shape, and push/show/delete against a real `wxbot demo`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests

from bot.platform.menu import default_menu
from bot.sim.mockplatform import DEMO_APP_ID, DEMO_APP_SECRET
from flows.catalog import Catalog
from flows.registry import ALL_FLOWS
from tests.mockplatform import wechatpy_client
from tests.servers import running

pytestmark = pytest.mark.xdist_group("test_menu_cli")


def test_default_menu_has_every_flow_key_in_wechats_shape():
    menu = default_menu(ALL_FLOWS, Catalog("zh_CN"))
    top = menu["button"]
    assert 1 <= len(top) <= 3 and all(len(b.get("sub_button", [])) <= 5 for b in top)
    leaves = [s for b in top for s in b.get("sub_button") or [b]]
    assert [b["key"] for b in leaves] == [f.menu_key for f in ALL_FLOWS if f.menu_key]
    assert all(b["type"] == "click" for b in leaves)
    assert all(len(b["name"].encode()) <= 16 for b in top)  # the platform's top-level limit


@pytest.mark.parametrize(("count", "parents"), [(1, 0), (3, 0), (4, 1), (7, 1)])
def test_default_menu_keeps_three_buttons_and_nests_the_rest(count, parents):
    flows = [type(f"F{n}", (), {"title": "bind.title", "menu_key": f"K{n}"}) for n in range(count)]
    top = default_menu(flows, Catalog("en"))["button"]
    assert len(top) == min(count, 3)
    assert sum(1 for b in top if "sub_button" in b) == parents
    assert all(b["name"] == "More" for b in top if "sub_button" in b)


def test_default_menu_refuses_what_cannot_fit():
    flows = [type(f"F{n}", (), {"title": "bind.title", "menu_key": f"K{n}"}) for n in range(8)]
    with pytest.raises(ValueError, match="do not fit"):
        default_menu(flows, Catalog("en"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo")
    env = {"BOT_DATA_DIR": str(data), "WECHAT_TOKEN": "devtoken"}
    with running(["demo", "--no-browser"], env, data / "demo.log") as server:
        yield server, data


def wxbot(demo, *args: str, **env: str) -> subprocess.CompletedProcess:  # noqa: ANN001
    server, data = demo
    full = {**os.environ, "BOT_DATA_DIR": str(data), "WECHAT_APP_ID": DEMO_APP_ID,
            "WECHAT_APP_SECRET": DEMO_APP_SECRET, "WECHAT_API_BASE": f"{server.url}/cgi-bin/",
            "COLUMNS": "200", **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], env=full, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.e2e
def test_menu_push_then_menu_get_returns_it(demo):
    done = wxbot(demo, "menu", "push")
    assert done.returncode == 0, done.stderr
    client = wechatpy_client(f"{demo[0].url}/cgi-bin/", auto_retry=False)
    got = client.menu.get()
    client._http.close()  # noqa: SLF001 - wechatpy has no close()
    keys = [s["key"] for b in got["menu"]["button"] for s in b["sub_button"] or [b]]
    assert keys == [f.menu_key for f in ALL_FLOWS if f.menu_key]  # every service, in order
    assert {"BIND_CARD", "REPORT_LOSS", "LIFT_LOSS", "PROGRESS"} <= set(keys)
    shown = wxbot(demo, "menu", "show", "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout) == got
    assert "绑定社保卡" in wxbot(demo, "menu", "show").stdout


@pytest.mark.e2e
def test_menu_push_of_a_file_over_the_limits_names_the_errcode(demo, tmp_path):
    wxbot(demo, "menu", "push")
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps({"button": [{"type": "click", "name": "A", "key": "A"}] * 4}))
    done = wxbot(demo, "menu", "push", str(menu))
    assert done.returncode == 1 and "40016" in done.stderr
    assert "绑定社保卡" in wxbot(demo, "menu", "show").stdout  # the old menu stands


@pytest.mark.e2e
def test_menu_push_of_a_yaml_file_then_delete(demo, tmp_path):
    menu = tmp_path / "menu.yaml"
    menu.write_text("button:\n  - {type: view, name: 官网, url: 'https://example.org/'}\n",
                    encoding="utf-8")
    assert wxbot(demo, "menu", "push", str(menu)).returncode == 0
    assert "官网" in wxbot(demo, "menu", "show").stdout
    assert wxbot(demo, "menu", "delete").returncode == 0
    shown = wxbot(demo, "menu", "show")
    assert shown.returncode == 0 and "no menu" in shown.stdout


@pytest.mark.e2e
def test_menu_commands_without_an_account_say_what_to_set(demo):
    done = wxbot(demo, "menu", "show", WECHAT_APP_ID="", WECHAT_APP_SECRET="")
    assert done.returncode == 1 and "WECHAT_APP_ID" in done.stderr


@pytest.mark.e2e
def test_menu_commands_share_the_bots_token(demo):
    """The CLI and the demo's bot read one token from BOT_DATA_DIR's store: no refetch."""
    server, _ = demo
    wxbot(demo, "menu", "show")
    before = requests.get(f"{server.url}/sim/api/platform", timeout=10).json()["counters"]
    assert wxbot(demo, "menu", "show").returncode == 0
    after = requests.get(f"{server.url}/sim/api/platform", timeout=10).json()["counters"]
    assert after["token_fetches"] == before["token_fetches"]
    assert after["calls:menu"] == before["calls:menu"] + 1


@pytest.mark.e2e
def test_a_refused_token_costs_the_cli_one_refetch_and_one_retry(demo):
    """Against a real demo process: a 40001 on menu/get refetches once, then succeeds."""
    server, _ = demo
    wxbot(demo, "menu", "show")

    def counters() -> dict:
        return requests.get(f"{server.url}/sim/api/platform", timeout=10).json()["counters"]

    before = counters()
    requests.post(f"{server.url}/sim/api/faults", json={"api": "menu", "errcode": 40001,
                                                        "times": 1}, timeout=10)
    assert wxbot(demo, "menu", "show").returncode == 0
    after = counters()
    assert after["token_fetches"] == before["token_fetches"] + 1
    assert after["calls:menu"] == before["calls:menu"] + 2
    requests.post(f"{server.url}/sim/api/faults", json={"api": "menu", "errcode": 40001,
                                                        "times": 50}, timeout=10)
    refused = wxbot(demo, "menu", "show")
    assert refused.returncode == 1 and "40001" in refused.stderr
    assert counters()["calls:menu"] == after["calls:menu"] + 2  # two tries, no loop
    requests.post(f"{server.url}/sim/api/faults", json={"api": "menu", "errcode": 40001,
                                                        "times": 0}, timeout=10)
