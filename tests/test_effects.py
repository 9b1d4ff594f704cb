"""An effect that already happened is recognised: a step cut off after the backend acted and
before the conversation was saved finishes on the retry or the next message, without a second
code, a second miss counted, or a second change."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.app import bot_of, create_app
from bot.backend import BackendError, make_backend
from bot.sim.wire.client import PlatformClient
from tests.conftest import AES_KEY, APP_ID, TOKEN
from tests.people import ZHANG
from tests.servers import running


class LostReply:
    """The mock backend, but the named call's answer is lost once after it took effect."""

    def __init__(self, backend: Any, method: str) -> None:
        self.backend, self.method, self.lost = backend, method, 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.backend, name)
        if name != self.method or self.lost:
            return real

        def cut_off(*args: Any, **kwargs: Any) -> Any:
            real(*args, **kwargs)  # the effect happens...
            self.lost += 1
            raise BackendError("unavailable")  # ...and the bot never hears of it

        return cut_off


@pytest.fixture
def cut(config, clock):
    """(method) -> (wechat client, backend wrapper) for an app whose backend loses that reply."""
    made = []

    def build(method: str):
        backend = LostReply(make_backend({**config, "BOT_BACKEND": "mock"}, clock), method)
        app = create_app({**config, "BACKEND": backend})
        wechat = PlatformClient(app, TOKEN, aes_key=AES_KEY, app_id=APP_ID, clock=clock)
        made.append((app, wechat))
        return wechat, backend

    yield build
    for app, wechat in made:
        wechat.close()
        bot_of(app).close()


def say(wechat, text: str, user: str = "oAlice0001"):
    delivery = wechat.text(user, text)
    assert delivery.ok, delivery.error
    return delivery


def redeliver(wechat, delivery, user: str = "oAlice0001") -> str:
    """The platform sending the same push again (same MsgId), as it does after a failure."""
    return wechat.send_xml(delivery.request_xml, user=user).text


def test_a_binding_made_before_the_step_was_saved_finishes_on_the_retry(cut):
    wechat, backend = cut("bind")
    for word in ("绑定社保卡", ZHANG.id, "张伟", ZHANG.card):
        say(wechat, word)
    code = backend.sms_outbox(ZHANG.phone)[-1]["code"]
    first = say(wechat, code)
    assert "系统繁忙" in first.text and backend.lost == 1  # bound, but the step was not saved
    assert backend.binding("oAlice0001").card_number == ZHANG.card
    assert "绑定成功" in redeliver(wechat, first)
    assert len(backend.sms_outbox(ZHANG.phone)) == 1  # no second code was sent


def test_a_binding_made_before_the_step_was_saved_finishes_on_the_next_message(cut):
    wechat, backend = cut("bind")
    for word in ("绑定社保卡", ZHANG.id, "张伟", ZHANG.card):
        say(wechat, word)
    assert "系统繁忙" in say(wechat, backend.sms_outbox(ZHANG.phone)[-1]["code"]).text
    assert "绑定成功" in say(wechat, "重新发送").text  # whatever comes next
    assert len(backend.sms_outbox(ZHANG.phone)) == 1


def test_a_code_sent_before_the_step_was_saved_is_told_as_sent_on_the_redo(cut):
    """Issue 19.9: the follower never saw "code sent"; the redo must not say "not sent"."""
    wechat, backend = cut("send_code")
    for word in ("绑定社保卡", ZHANG.id, "张伟"):
        say(wechat, word)
    first = say(wechat, ZHANG.card)
    assert "系统繁忙" in first.text and backend.lost == 1  # the code went out, unsaid
    redone = redeliver(wechat, first)
    masked = f"{ZHANG.phone[:3]}****{ZHANG.phone[-4:]}"
    assert f"验证码已发送至 {masked}" in redone
    assert "没有发出" not in redone
    assert len(backend.sms_outbox(ZHANG.phone)) == 1  # and it went out once


def test_a_code_check_lost_on_the_way_back_is_answered_the_same_on_the_retry(cut):
    wechat, backend = cut("check_code")
    for word in ("忘记密码", ZHANG.id, "张伟"):
        say(wechat, word)
    first = say(wechat, backend.sms_outbox(ZHANG.phone)[-1]["code"])
    assert "系统繁忙" in first.text  # the code was used up, the answer lost
    assert "身份验证通过" in redeliver(wechat, first)  # not "expired, sent again"
    assert len(backend.sms_outbox(ZHANG.phone)) == 1


def test_a_wrong_code_delivered_twice_counts_once(cut):
    wechat, backend = cut("check_code")
    for word in ("忘记密码", ZHANG.id, "张伟"):
        say(wechat, word)
    wrong = "000000" if backend.sms_outbox(ZHANG.phone)[-1]["code"] != "000000" else "111111"
    first = say(wechat, wrong)
    assert "系统繁忙" in first.text
    assert "还可以再试 4 次" in redeliver(wechat, first)
    assert "还可以再试 3 次" in say(wechat, wrong).text  # a new message is a new guess


def test_a_password_set_before_the_step_was_saved_is_set_once(cut):
    wechat, backend = cut("set_password")
    for word in ("忘记密码", ZHANG.id, "张伟"):
        say(wechat, word)
    say(wechat, backend.sms_outbox(ZHANG.phone)[-1]["code"])
    say(wechat, "582046")
    first = say(wechat, "582046")
    assert "系统繁忙" in first.text and backend.verify_password(ZHANG.card, "582046")
    stored = password_hash(backend)
    assert "密码重置成功" in redeliver(wechat, first)
    assert password_hash(backend) == stored  # not set a second time


def password_hash(backend: LostReply) -> str:
    with backend.backend.db.connection() as conn:
        sql = "SELECT password_hash FROM cards WHERE card_number = 'A12345678'"
        return conn.execute(sql).fetchone()[0]


# The kill tests slow each backend call by SLOW s and kill the bot inside the last one, well
# before the reply deadline: a push still running at its deadline is answered `success` and
# owed (bot/window/rescue.py), and after the restart a courier may redo it before the test's
# own message arrives -- a different path (tested in test_rescue), and a race when mixed here.
SLOW = 1.5  # seconds each slowed backend call takes
KILL_DEADLINE = 4.9  # the bot's BOT_REPLY_DEADLINE here: 3 slowed calls end before it


def kill_inside(bot, api: str, began: float, what: str, calls: int) -> None:
    """Wait until the last of `calls` slowed calls has begun, then kill -9 the bot inside it."""
    deadline = time.monotonic() + 15
    while requests.get(f"{api}/faults", timeout=5).json()["armed"]["times"]:
        assert time.monotonic() < deadline, f"the bot never reached {what}"
        time.sleep(0.05)
    bot.kill()
    late = time.monotonic() - began
    assert late < calls * SLOW, (
        f"the kill came {late:.1f} s after the push, after the last slowed call had ended: "
        "the machine is too loaded for this test's timing")


def free_dead_turn(bot, user: str) -> None:
    """The killed bot still holds the follower's turn in its store for STALE_TURN (30 s) until
    turns become leases that lapse in seconds; end it now, as the lapse will."""
    path = Path(bot.env["BOT_DATA_DIR"]) / "bot.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        try:
            db.execute("DELETE FROM turns WHERE user = ?", (user,))
        except sqlite3.OperationalError:
            pass  # a store without that table keeps no turn of a dead process


@pytest.fixture
def servers(tmp_path):
    """A `wxbot backend` (the effects' side) and a `wxbot serve` bot using it over HTTP."""
    backend_env = {"BOT_DATA_DIR": str(tmp_path / "backend")}
    with running(["backend"], backend_env, tmp_path / "backend.log") as backend:
        bot_env = {"WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID,
                   "BOT_DATA_DIR": str(tmp_path / "bot"), "BOT_SIMULATOR": "0",
                   "BOT_BACKEND": f"{backend.url}/backend/v1",
                   "BOT_REPLY_DEADLINE": str(KILL_DEADLINE)}
        with running(["serve"], bot_env, tmp_path / "serve.log") as bot:
            yield backend, bot


@pytest.mark.e2e
def test_a_bot_killed_while_binding_finishes_the_binding_after_restart(servers):
    backend, bot = servers
    api = f"{backend.url}/backend/v1"
    with PlatformClient(bot.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID, timeout=20) as wechat:
        for word in ("绑定社保卡", ZHANG.id, "张伟", ZHANG.card):
            assert wechat.text("oKilled01", word).ok
        code = requests.get(f"{api}/sms", params={"phone": ZHANG.phone},
                            timeout=5).json()["messages"][-1]["code"]
        # The code step's three calls (is it bound? the code, the binding) take SLOW s each:
        # once the third has begun, the bot is inside bind(); kill it there.
        requests.post(f"{api}/faults", json={"delay": SLOW, "times": 3}, timeout=5)

        def push() -> None:
            try:
                wechat.text("oKilled01", code)
            except requests.RequestException:
                pass  # the bot died under it, as intended

        pushed = threading.Thread(target=push)
        began = time.monotonic()
        pushed.start()
        kill_inside(bot, api, began, "the binding", 3)  # the backend binds, the bot saves nothing
        deadline = time.monotonic() + 15
        while requests.get(f"{api}/cards/A12345678", timeout=5).json()["bound_openid"] is None:
            assert time.monotonic() < deadline, "the backend never finished the binding"
            time.sleep(0.05)
        pushed.join(20)
        free_dead_turn(bot, "oKilled01")
        bot.start()
        assert "绑定成功" in wechat.text("oKilled01", code).text
    messages = requests.get(f"{api}/sms", params={"phone": ZHANG.phone}, timeout=5).json()
    assert len(messages["messages"]) == 1


@pytest.mark.e2e
def test_a_bot_killed_after_texting_a_code_says_it_was_sent_after_restart(servers):
    """Issue 19.9 against real processes: kill -9 inside send_code (the card step's calls are
    the card, then the code: SLOW s each); the follower never saw "code sent", and after the
    restart is told the code was sent, not that none was."""
    backend, bot = servers
    api = f"{backend.url}/backend/v1"
    with PlatformClient(bot.url, TOKEN, aes_key=AES_KEY, app_id=APP_ID, timeout=20) as wechat:
        for word in ("绑定社保卡", ZHANG.id, "张伟"):
            assert wechat.text("oKilled02", word).ok
        requests.post(f"{api}/faults", json={"delay": SLOW, "times": 2}, timeout=5)

        def push() -> None:
            try:
                wechat.text("oKilled02", ZHANG.card)
            except requests.RequestException:
                pass  # the bot died under it, as intended

        pushed = threading.Thread(target=push)
        began = time.monotonic()
        pushed.start()
        kill_inside(bot, api, began, "the code", 2)  # the backend texts, the bot saves nothing
        sms = f"{api}/sms"
        deadline = time.monotonic() + 15
        while not requests.get(sms, params={"phone": ZHANG.phone}, timeout=5).json()["messages"]:
            assert time.monotonic() < deadline, "the backend never sent the code"
            time.sleep(0.05)
        pushed.join(20)
        free_dead_turn(bot, "oKilled02")
        bot.start()
        redone = wechat.text("oKilled02", ZHANG.card).text
    assert f"验证码已发送至 {ZHANG.phone[:3]}****{ZHANG.phone[-4:]}" in redone
    assert "没有发出" not in redone
    assert len(requests.get(sms, params={"phone": ZHANG.phone}, timeout=5).json()["messages"]) == 1
