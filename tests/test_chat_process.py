"""`wxbot chat` run as a new user runs it: a real process, lines piped into its stdin.

What the terminal shows is both streams, so each test reads stdout and stderr: a warning or
a log line on stderr is as visible to the person as the chat itself.
"""

from __future__ import annotations

import os
import queue
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.people import ZHANG

pytestmark = pytest.mark.e2e  # starts `wxbot chat` processes
BIND_REPLY_ZH = "请输入持卡人的18位身份证号"
BIND_REPLY_EN = "18-digit ID number"
TRANSFER_WORDS = "转接人工客服"  # the transfer reply has no text: these go through the API
STARTUP = 60.0  # s for the process to start and answer (a loaded machine imports slowly)


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The user's shell without this machine's bot settings: the chat's embedded defaults."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BOT_", "WECHAT_", "OUTBOUND_"))}
    return {**env, "HOME": str(tmp_path), "PYTHONUNBUFFERED": "1", "COLUMNS": "100", **extra}


def run_chat(tmp_path: Path, lines: list[str], *args: str, **env: str) -> tuple[str, str]:
    """stdout and stderr of `wxbot chat ARGS` fed `lines`, from a folder with no .env."""
    done = subprocess.run([sys.executable, "-m", "bot", "chat", *args],
                          input="".join(f"{line}\n" for line in lines), capture_output=True,
                          text=True, encoding="utf-8", cwd=tmp_path, timeout=STARTUP,
                          env=environment(tmp_path, **env))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, done.stderr


def test_lang_en_answers_in_english(tmp_path):
    out, _ = run_chat(tmp_path, ["bind card", "/quit"], "--lang", "en")
    assert BIND_REPLY_EN in out and BIND_REPLY_ZH not in out


def test_bot_lang_still_chooses_the_language_and_lang_overrides_it(tmp_path):
    by_env, _ = run_chat(tmp_path, ["bind card", "/quit"], BOT_LANG="en")
    assert BIND_REPLY_EN in by_env
    by_flag, _ = run_chat(tmp_path, ["bind card", "/quit"], "--lang", "zh_CN", BOT_LANG="en")
    assert BIND_REPLY_ZH in by_flag and BIND_REPLY_EN not in by_flag


def test_lang_accepts_only_the_bots_languages(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bot", "chat", "--lang", "fr"], input="",
                          capture_output=True, text=True, cwd=tmp_path, timeout=STARTUP,
                          env=environment(tmp_path))
    assert done.returncode == 2 and "'fr' is not one of 'zh_CN', 'en'" in done.stderr


def test_the_chat_seals_its_store_and_gives_no_store_key_warning(tmp_path):
    data = tmp_path / "state"
    out, err = run_chat(tmp_path, ["绑定社保卡", ZHANG.id, ZHANG.name, ZHANG.card, "/quit"],
                        "--data-dir", str(data))
    assert "请输入6位短信验证码" in out
    assert "BOT_STORE_KEY" not in out + err  # it does not apply: nothing is kept in clear
    store = b"".join(path.read_bytes() for path in data.glob("bot.sqlite3*"))
    for typed in (ZHANG.id, ZHANG.name, ZHANG.card):
        assert typed.encode() not in store  # the slots of the flow in progress are sealed
    assert (data / "store.key").stat().st_mode & 0o077 == 0  # its key, kept as the demo's


def test_each_turn_shows_once(tmp_path):
    out, err = run_chat(tmp_path, ["绑定社保卡", "/quit"])
    both = out + err
    assert both.count("绑定社保卡") == 2  # the line typed (echoed: a pipe) and the reply's title
    assert both.count(BIND_REPLY_ZH) == 1
    assert "idle -> bind_card.ask_id" not in both  # the simulator's step log stays in the demo
    assert err == ""


# `wxbot chat` whose mock platform takes SEND_TIME for a customer-service send, as the real
# API over a network does (in process it takes a millisecond, which let a chat that looked for
# the words only when the next line came win the race now and then).
SEND_TIME = 0.3
SLOW_API_CHAT = f"""
import time
from bot.sim.mockplatform.state import MockPlatform
from bot.cli import main

def send_custom(self, body, original=MockPlatform.send_custom):
    time.sleep({SEND_TIME})
    return original(self, body)

MockPlatform.send_custom = send_custom
main()
"""


def test_a_transfers_words_arrive_with_the_transfer_not_with_the_next_line(tmp_path):
    """The words go through the API after the passive transfer reply; they are shown before
    the next prompt, without a next line (the chat's stdin stays open and silent meanwhile)."""
    chat = subprocess.Popen([sys.executable, "-c", SLOW_API_CHAT, "chat"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", cwd=tmp_path, env=environment(tmp_path))
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=lambda: [lines.put((time.monotonic(), line))
                                     for line in chat.stdout], daemon=True).start()
    try:
        chat.stdin.write("人工客服\n")
        chat.stdin.flush()
        read_at = seen(lines, "› 人工客服", STARTUP)  # the chat read the line and sent it
        words_at = seen(lines, TRANSFER_WORDS, 10.0)
        took = words_at - read_at
        assert SEND_TIME <= took < SEND_TIME + 1.0, f"the transfer's words took {took:.2f} s"
    finally:
        chat.stdin.close()
        chat.wait(STARTUP)
        chat.stdout.close()


def seen(lines: queue.Queue[tuple[float, str]], text: str, within: float) -> float:
    """When a line holding `text` was printed (monotonic); fails after `within` seconds."""
    until = time.monotonic() + within
    while (left := until - time.monotonic()) > 0:
        try:
            at, line = lines.get(timeout=left)
        except queue.Empty:
            break
        if text in line:
            return at
    raise AssertionError(f"{text!r} not shown within {within:g} s")


ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[=>]|\r")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
def test_each_turn_shows_once_in_the_terminal_with_line_editing(tmp_path):
    """The interactive path: stdin and stdout a terminal, prompt_toolkit reads the line."""
    main_fd, terminal = os.openpty()
    env = environment(tmp_path, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    chat = subprocess.Popen([sys.executable, "-m", "bot", "chat"], stdin=terminal,
                            stdout=terminal, stderr=terminal, cwd=tmp_path, env=env,
                            start_new_session=True)
    os.close(terminal)
    screen = b""

    def until(text: str | None, within: float) -> str:
        """The screen once `text` is on it (None: once the chat has closed the terminal)."""
        nonlocal screen
        end = time.monotonic() + within
        while text is None or text not in ANSI.sub("", screen.decode("utf-8", "replace")):
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not shown: {screen[-400:]!r}")
            ready, _, _ = select.select([main_fd], [], [], 0.1)
            if ready:
                try:
                    got = os.read(main_fd, 65536)
                except OSError:  # the chat ended and closed its side
                    got = b""
                if not got and text is None:
                    break
                screen += got
        return ANSI.sub("", screen.decode("utf-8", "replace"))

    try:
        until("alice ›", STARTUP)  # the space after it is a cursor move
        os.write(main_fd, "绑定社保卡\r".encode())
        until(BIND_REPLY_ZH, 10.0)
        os.write(main_fd, b"/quit\r")
        shown = until(None, 10.0)
        chat.wait(10.0)
    finally:
        if chat.poll() is None:
            chat.kill()
            chat.wait()
        os.close(main_fd)
    assert shown.count(BIND_REPLY_ZH) == 1, shown
    assert "idle -> bind_card.ask_id" not in shown and "BOT_STORE_KEY" not in shown
