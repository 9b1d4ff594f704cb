"""`wxbot chat`: talk to the bot as a follower, in process (demo defaults) or over --url."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import click
import yaml
from rich.console import Console

from bot.backend import seed_path
from bot.sim.chat.outbound import Outbound, local_reader, mock_sender, remote_reader
from bot.sim.chat.session import PAGE, ChatSession, Prompt
from bot.sim.targets.base import DEV_AES_KEY, DEV_APP_ID, DEV_TOKEN, Target, TargetError
from bot.sim.targets.options import check_platform, platform_options
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


def local_target(mode: str, data_dir: str, today: date | None) -> Target:
    """The bot in process with `wxbot demo`'s defaults: simulator on, seeded mock backend."""
    from bot.sim.targets.local import Local

    env = os.environ.get
    config = {"WECHAT_TOKEN": env("WECHAT_TOKEN") or DEV_TOKEN, "BOT_SIMULATOR": True,
              "BOT_DATA_DIR": data_dir, "BOT_STORE": f"sqlite:///{Path(data_dir) / 'bot.sqlite3'}"}
    if not env("WECHAT_AES_KEY"):
        config.update(WECHAT_AES_KEY=DEV_AES_KEY, WECHAT_APP_ID=DEV_APP_ID)
    built: list[Local] = []  # the courier sends only after the app exists
    config["OUTBOUND_SEND"] = mock_sender(lambda: built[0].app)  # its own mock: no HTTP API
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
def chat_command(user: str, url: str | None, mode: str, token: str, aes_key: str | None,
                 app_id: str | None, data_dir: str | None, today: object) -> None:
    """Type as a follower in the terminal; /help lists /click, /sms, /state, /as and more."""
    console = Console(highlight=False)
    check_platform(url, mode, aes_key, app_id)
    tmp = None
    try:
        if url:
            from bot.sim.targets.remote import Remote

            target: Target = Remote(url, token, mode=mode, aes_key=aes_key, app_id=app_id)
            target.probe()
            seed = None
            outbound = Outbound(remote_reader(target.http, target.url, target.timeout))
        else:
            if data_dir is None:
                tmp = tempfile.TemporaryDirectory(prefix="wxbot-chat-")
                data_dir = tmp.name
            target = local_target(mode, data_dir, today.date() if today else None)
            seed = target.bot.config.get("BOT_BACKEND_SEED")
            outbound = Outbound(local_reader(target.app))
    except (TargetError, ValueError) as exc:
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
