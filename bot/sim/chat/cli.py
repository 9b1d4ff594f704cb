"""`wxbot chat`: talk to the bot as a follower, in process (demo defaults) or over --url."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

import click
import yaml
from rich.console import Console

from bot.backend import seed_path
from bot.config import merged
from bot.sim.chat.outbound import Outbound, local_reader, mock_sender, remote_reader
from bot.sim.chat.session import PAGE, ChatSession, Prompt
from bot.sim.targets.base import DEV_AES_KEY, DEV_APP_ID, DEV_TOKEN, Target, TargetError
from bot.sim.targets.options import check_platform, platform_options
from flows.catalog import LANGS
from flows.registry import ALL_FLOWS


def seed_phones(seed: str | Path | None) -> list[str]:
    """The phones of the seed's people, for `/sms` without a phone."""
    try:
        data = yaml.safe_load(seed_path(seed).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    return [str(p["phone"]) for p in data.get("people") or [] if p.get("phone")]


COMMANDS = ["/subscribe", "/unsubscribe", "/click", "/image", "/voice", "/location", "/sms",
            "/state", "/as", "/wait", "/review", "/agent", "/slow", "/help", "/quit",
            *(flow.menu_key for flow in ALL_FLOWS if flow.menu_key), *PAGE]  # the flows' buttons


def history_file() -> Path:
    """Where typed lines are remembered between sessions (the user's own app dir)."""
    return Path(click.get_app_dir("wxbot")) / "chat_history"


def line_editor(history: Path | None, **io: object) -> Prompt:
    """A prompt with line editing, history (↑/↓, Ctrl-R) and completion of commands and aliases.

    `io` passes prompt_toolkit's `input`/`output` through, so tests can drive real keystrokes.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    if history is not None:
        history.parent.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(
        history=FileHistory(str(history)) if history is not None else InMemoryHistory(),
        completer=WordCompleter(COMMANDS, sentence=True), complete_while_typing=False, **io)
    return session.prompt


def quiet_steps() -> None:
    """Warnings on stderr, one line each; not the simulator's step log.

    The step log (bot/sim/web/steplog.py) is one line a turn for a server's terminal, where
    nobody sees the conversation itself; here the chat shows every turn already, so the line
    was each turn a second time. It stays for `wxbot demo`, and a logging setup the caller made
    (pytest's, say) is left as it is.
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def local_target(mode: str, data_dir: str, today: date | None, lang: str | None = None,
                 arrived: threading.Event | None = None) -> Target:
    """The bot in process with `wxbot demo`'s defaults: simulator on, seeded mock backend.

    Like the demo it seals what is typed with a key of its own, kept in the data dir, unless
    BOT_STORE_KEY is set: the store's files are never in clear, so the start has no
    BOT_STORE_KEY warning to give (that warning is for a server someone configured).
    """
    from bot.sim.targets.local import Local
    from bot.store.sealer import demo_key

    env = os.environ.get
    config = {"WECHAT_TOKEN": env("WECHAT_TOKEN") or DEV_TOKEN, "BOT_SIMULATOR": True,
              "BOT_DATA_DIR": data_dir, "BOT_STORE": f"sqlite:///{Path(data_dir) / 'bot.sqlite3'}"}
    if not env("WECHAT_AES_KEY"):
        config.update(WECHAT_AES_KEY=DEV_AES_KEY, WECHAT_APP_ID=DEV_APP_ID)
    if not merged().get("BOT_STORE_KEY"):
        config["BOT_STORE_KEY"] = demo_key(data_dir)
    if lang is not None:  # else BOT_LANG from the environment or .env, as the app reads it
        config["BOT_LANG"] = lang
    built: list[Local] = []  # the courier sends only after the app exists
    rang = arrived.set if arrived is not None else (lambda: None)
    config["OUTBOUND_SEND"] = mock_sender(lambda: built[0].app, rang)  # its own mock: no HTTP
    local = Local(config, mode=mode)
    built.append(local)
    if today is not None:
        local.set_today(today)
    return local


@click.command("chat")
@click.option("--user", default="alice", show_default=True,
              help="Who you are: a page follower (alice, minor, guardian…), an openid, or any "
              "name (a stable openid oChat_NAME).")
@click.option("--url", help="Talk to a running bot (wxbot demo/serve) instead of one in process.")
@platform_options
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Keep the in-process bot's state here (default: a fresh temporary dir).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="The date the in-process bot lives on (ages!).")
@click.option("--lang", type=click.Choice(LANGS), show_default="BOT_LANG, else zh_CN",
              help="The language the bot answers in. With --url, a running simulator "
              "(wxbot demo) answers in it for this session and gets its own back at the end.")
def chat_command(user: str, url: str | None, mode: str, token: str, aes_key: str | None,
                 app_id: str | None, data_dir: str | None, today: object,
                 lang: str | None) -> None:
    """Type as a follower in the terminal; /help lists /click, /sms, /state, /as and more."""
    console = Console(highlight=False)
    check_platform(url, mode, aes_key, app_id)
    quiet_steps()
    tmp, target = None, None
    try:
        if url:
            from bot.sim.targets.remote import Remote

            target = remote = Remote(url, token, mode=mode, aes_key=aes_key, app_id=app_id)
            remote.probe()
            if lang is not None:
                remote.speak(lang)
            seed = None
            outbound = Outbound(remote_reader(remote.http, remote.url, remote.timeout))
        else:
            if data_dir is None:
                tmp = tempfile.TemporaryDirectory(prefix="wxbot-chat-")
                data_dir = tmp.name
            arrived = threading.Event()
            target = local_target(mode, data_dir, today.date() if today else None, lang, arrived)
            seed = target.bot.config.get("BOT_BACKEND_SEED")
            outbox = target.bot.store.outbox
            outbound = Outbound(local_reader(target.app),
                                owed=lambda: outbox.counts()["owed"] > 0, arrived=arrived)
    except (TargetError, ValueError) as exc:
        if target is not None:
            target.close()
        if tmp is not None:
            tmp.cleanup()
        raise click.UsageError(str(exc)) from None
    try:
        session = ChatSession(target, console, user, seed_phones(seed), outbound)
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        prompt = line_editor(history_file()) if interactive else None
        session.run(sys.stdin, echo=not sys.stdin.isatty(), prompt=prompt)
    finally:
        target.close()
        if tmp is not None:
            tmp.cleanup()
