"""/livez answers while the process runs; /readyz names the part a push would fail on."""

from __future__ import annotations

import pytest
import requests

from bot.config import DEMO_APP_ID, DEMO_APP_SECRET
from tests.servers import free_port

pytestmark = pytest.mark.xdist_group("test_probes")


def test_livez_answers_even_when_the_store_is_down(make_app):
    app = make_app(BOT_STORE=f"redis://127.0.0.1:{free_port()}/0")
    client = app.test_client()
    assert client.get("/livez").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "store" in ready.json["failing"]
    assert ready.json["store"] == {"ok": False, "reason": "ConnectionError"}
    assert "127.0.0.1" not in ready.text  # the store's address is not the probe's to show


def test_readyz_refuses_an_account_without_api_credentials(make_app):
    """The store and backend answer, but a late reply would be lost: not ready, and why."""
    answer = make_app(WECHAT_APP_SECRET=None).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["failing"] == ["platform"]
    assert "WECHAT_APP_SECRET" in answer.json["platform"]["reason"]
    assert answer.json["store"]["ok"] and answer.json["backend"]["ok"]


def test_readyz_is_ready_when_owed_replies_go_elsewhere(make_app):
    answer = make_app(OUTBOUND_SEND=lambda body: None).test_client().get("/readyz")
    assert (answer.status_code, answer.json["status"], answer.json["failing"]) == \
        (200, "ready", [])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A running demo: its mock platform is the API the probed apps fetch tokens from."""
    from tests.servers import running

    data = tmp_path_factory.mktemp("probes")
    with running(["demo", "--no-browser"], {"BOT_DATA_DIR": str(data)}, data / "log") as server:
        yield server


@pytest.mark.e2e
def test_readyz_of_the_demo_is_ready_with_every_part(demo):
    answer = requests.get(f"{demo.url}/readyz", timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["failing"] == []
    assert all(answer.json()[part]["ok"] for part in ("store", "backend", "platform"))
    assert requests.get(f"{demo.url}/livez", timeout=5).json() == {"status": "alive"}


@pytest.mark.parametrize(("settings", "reason"), [
    ({"WECHAT_APP_SECRET": "x" * len(DEMO_APP_SECRET)}, "40001"),
    ({"WECHAT_APP_ID": "wx00000000000000ff"}, "40013"),
    ({"WECHAT_API_BASE": "http://127.0.0.1:CLOSED/cgi-bin/"}, "network: ConnectionError"),
])
@pytest.mark.e2e
def test_readyz_names_the_platform_refusal(demo, make_app, settings, reason):
    account = {"WECHAT_APP_ID": DEMO_APP_ID, "WECHAT_APP_SECRET": DEMO_APP_SECRET,
               "WECHAT_API_BASE": f"{demo.url}/cgi-bin/"}
    account.update({k: v.replace("CLOSED", str(free_port())) for k, v in settings.items()})
    answer = make_app(WECHAT_AES_KEY=None, **account).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["failing"] == ["platform"]
    assert reason in answer.json["platform"]["reason"]
    assert DEMO_APP_SECRET not in answer.text


@pytest.mark.e2e
def test_readyz_is_ready_once_the_platform_gives_a_token(demo, make_app):
    account = {"WECHAT_APP_ID": DEMO_APP_ID, "WECHAT_APP_SECRET": DEMO_APP_SECRET,
               "WECHAT_API_BASE": f"{demo.url}/cgi-bin/", "WECHAT_AES_KEY": None}
    answer = make_app(**account).test_client().get("/readyz")
    assert (answer.status_code, answer.json["platform"]) == (200, {"ok": True})


def test_readyz_is_ready_when_the_operator_chose_to_lose_late_replies(make_app):
    """BOT_ALLOW_LOST_LATE_REPLIES: ready (it was chosen), and both probes say what is lost."""
    client = make_app(WECHAT_APP_SECRET=None, BOT_ALLOW_LOST_LATE_REPLIES="1").test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["failing"] == []
    assert ready.json["platform"]["late_replies"] == "lost"
    assert "WECHAT_APP_SECRET is unset" in ready.json["platform"]["reason"]
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["late_replies"]["sent"] is False
    assert "WECHAT_APP_SECRET" in health.json["late_replies"]["reason"]
