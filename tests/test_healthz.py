"""/healthz says whether this instance can answer pushes: store and backend both respond."""

from __future__ import annotations

import pytest
import requests

from bot.app import bot_of, create_app
from tests.conftest import TOKEN
from tests.servers import free_port, running


def test_healthz_is_ok_with_both_parts_named_by_kind(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json["status"] == "ok"
    assert answer.json["store"] == {"kind": "sqlite", "ok": True}
    assert answer.json["backend"] == {"kind": "mock", "ok": True}


def test_healthz_is_503_when_the_store_is_down(tmp_path):
    """A Redis nobody listens on: the store cannot answer, so neither can the bot."""
    app = create_app({"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path),
                      "BOT_STORE": f"redis://127.0.0.1:{free_port()}/0"})
    answer = app.test_client().get("/healthz")
    bot_of(app).close()
    assert answer.status_code == 503
    assert answer.json["status"] == "down"
    assert answer.json["store"] == {"kind": "redis", "ok": False}
    assert answer.json["backend"]["ok"] is True


@pytest.mark.e2e
def test_healthz_follows_the_backend_over_http_and_never_shows_its_url(tmp_path):
    backend = running(["backend"], {"BOT_DATA_DIR": str(tmp_path / "b")}, tmp_path / "b.log")
    with backend as mock:
        api = f"{mock.url}/backend/v1"
        env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path / "bot"), "BOT_BACKEND": api}
        with running(["serve"], env, tmp_path / "serve.log") as bot:
            up = requests.get(f"{bot.url}/healthz", timeout=5)
            mock.kill()  # kill -9: the backend is gone
            down = requests.get(f"{bot.url}/healthz", timeout=5)
            mock.start()
            again = requests.get(f"{bot.url}/healthz", timeout=5)
    assert (up.status_code, up.json()["backend"]) == (200, {"kind": "http", "ok": True})
    assert (down.status_code, down.json()["backend"]) == (503, {"kind": "http", "ok": False})
    assert down.json()["store"]["ok"] is True
    assert again.status_code == 200
    for answer in (up, down, again):
        assert str(mock.port) not in answer.text and "127.0.0.1" not in answer.text


def test_healthz_names_the_outbox_while_its_courier_cannot_read_it(tmp_path, monkeypatch):
    """The outbox failing alone (store and backend fine): 503 naming it, 200 once it reads."""
    from bot.store.sqlite_outbox import SQLiteOutbox
    from tests.instances import eventually

    app = create_app({"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path)})
    bot, client = bot_of(app), app.test_client()
    real_claim = SQLiteOutbox.claim

    def no_group(*_args, **_kwargs):
        raise RuntimeError("NOGROUP No such key or consumer group")

    try:
        monkeypatch.setattr(SQLiteOutbox, "claim", no_group)
        bot.courier.wake()
        down = eventually(lambda: client.get("/healthz").status_code, 503, 5.0)
        failing = client.get("/healthz").json
        monkeypatch.setattr(SQLiteOutbox, "claim", real_claim)
        bot.courier.wake()
        up = eventually(lambda: client.get("/healthz").status_code, 200, 5.0)
    finally:
        bot.close()
    assert (down, up) == (503, 200)
    assert failing["outbox"] == {"ok": False, "error": "RuntimeError"}
    assert failing["store"]["ok"] is True and failing["backend"]["ok"] is True
