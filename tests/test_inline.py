"""A fast turn runs on the request's thread; a call that may block hands it to a worker.

The hand-off is counted by the worker threads the window's pool started (it starts them
lazily, one per turn handed off while the others are busy, so none means none was handed off).
"""

from __future__ import annotations

import threading
import time

from bot.parts import bot_of
from tests.people import ZHANG


def pool_threads(app) -> int:  # noqa: ANN001
    return len(bot_of(app).engine.window._pool._threads)  # noqa: SLF001 - counted, not wired


def test_a_turn_the_backend_vouches_for_runs_on_the_request_thread(app, chat):
    ran_on: list[str] = []
    bot_of(app).engine.observers.append(lambda *_: ran_on.append(threading.current_thread().name))
    alice = chat()
    assert "身份证号" in alice.say("绑定社保卡")
    assert "姓名" in alice.say(ZHANG.id)
    assert "卡号" in alice.say("张伟")  # the backend called (the name checked): inline still
    assert pool_threads(app) == 0
    assert ran_on and set(ran_on) == {threading.current_thread().name}


def test_a_slow_backend_call_hands_the_turn_off_and_the_window_holds(app, chat, backend):
    alice = chat()
    assert "身份证号" in alice.say("绑定社保卡")
    assert "姓名" in alice.say(ZHANG.id)
    assert pool_threads(app) == 0
    backend.arm_faults(0.3, times=1)  # the next call may block: not made on the request thread
    started = time.monotonic()
    assert "卡号" in alice.say("张伟")  # the same turn, done once, on a worker
    assert time.monotonic() - started < 4.0  # (the test backend's delay runs on its clock)
    assert pool_threads(app) == 1
    assert backend.faults.armed["times"] == 0  # the slowed call was made exactly once
    assert "验证码" in alice.say("a12345678")  # and the flow went on from the step it saved


def test_a_backend_that_vouches_for_nothing_always_hands_off(make_app, platform_for):
    from bot.backend import make_backend
    from bot.clock import ManualClock
    from tests.conftest import Chat

    class Opaque:  # a remote backend: no `bounded`, every call may block
        def __init__(self, inner) -> None:  # noqa: ANN001
            self._inner = inner

        def __getattr__(self, name: str):  # noqa: ANN204
            if name == "bounded":
                raise AttributeError(name)
            return getattr(self._inner, name)

    probe = make_app()
    inner = make_backend(probe.config, ManualClock())
    app = make_app(BACKEND=Opaque(inner))
    assert bot_of(app).engine.inline is False
    alice = Chat(platform_for(app), "oOpaque0001", inner)
    assert "身份证号" in alice.say("绑定社保卡")
    assert "姓名" in alice.say(ZHANG.id)
    assert pool_threads(app) >= 1
