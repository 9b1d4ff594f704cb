"""The terminal conversation: a follower types, the bot answers, slash-commands do the rest.

The loop reads lines from any stream (stdin in the terminal, a string in tests), so a whole
session can be scripted; output goes to a rich Console.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from bot.dialogue.explain import explain
from bot.sim.chat.outbound import Outbound, describe
from bot.sim.targets.base import TRANSFER_SEEN, Target, TargetError, reply_of
from bot.sim.targets.placeholders import fill_placeholders
from bot.sim.wire.build import clean
from bot.sim.wire.followers import FOLLOWERS, OPENID
from bot.sim.wire.shorthand import EventError, parse_event, seconds

HELP = """\
Type a line to send it as text ({sms:PHONE} becomes the latest code sent there). Commands:
  /subscribe  /unsubscribe     follow or unfollow the account
  /click KEY                   press a menu button (BIND_CARD, FORGOT_PASSWORD, MY_CARD…)
  /image  /voice [TEXT]        send a picture, or a voice message (recognised as TEXT)
  /location [X Y]              share a location
  /sms [PHONE]                 the mock's latest codes: every phone, or one
  /state                       this user's current flow and state
  /why                         what the bot understood of your last text (intent,
                               confidence, reason, slots masked, answer)
  /as NAME                     talk as someone else (e.g. a minor, then a guardian);
                               the page's followers (alice, minor, guardian, bob, bound)
                               or any openid are the same people as on /sim
  /wait SECONDS                move the bot's clock on (30, 16m, 1h)
  /review approve|reject       decide this user's pending review, as the office does
  /agent take|close            a person at the customer-service tool takes this user (their
                               messages then reach the agent only) or closes the session
  /agent say TEXT              the agent answers this user (a 人工客服 message)
  /slow SECONDS                the mock backend's next call takes that much longer
  /retry                       deliver the last push again, byte for byte, as the platform
                               does when an answer is late (the bot must not act twice)
  /help  /quit
Messages that reach you through the platform's API show as 客服消息 or 模板消息."""


PAGE = {alias: openid for alias, openid, _ in FOLLOWERS}
Prompt = Callable[[str], str]  # shows the prompt, returns one line; EOFError at the end
# Seconds to wait for an API message on its way: an owed reply (the turn outlived the
# platform's 5 s; the backend's read timeout is 10 s), a review notice (due within 5 s), the
# words a passive transfer reply leaves to the API over --url (sent at once, but nothing there
# says whether a transfer had words: a transfer while already queued costs this much; in
# process the outbox says, and the wait ends as they land: bot/sim/chat/outbound.py).
OWED_WAIT, NOTICE_WAIT, SENT_WAIT = 12.0, 5.0, 1.0
TRANSFER = "transfer_customer_service"  # the passive reply that hands the follower to a person


def openid_for(name: str) -> str:
    """A stable openid for a name: the page's followers by alias, openids as they are."""
    if name in PAGE:
        return PAGE[name]
    looks_like_openid = name.startswith("o") and len(name) >= 12 and OPENID.fullmatch(name)
    return name if looks_like_openid else f"oChat_{name}"


class ChatSession:
    """One terminal session against a target, as one follower at a time."""

    def __init__(self, target: Target, console: Console, user: str = "alice",
                 phones: Iterable[str] = (), outbound: Outbound | None = None) -> None:
        self.target, self.console, self.phones = target, console, list(phones)
        self.outbound = outbound  # None: the bot has no mock platform to read
        self.user = user
        self.last: Any = None  # the last delivery, for /retry
        self.said = ""  # the last text typed, for /why

    @property
    def openid(self) -> str:
        return openid_for(self.user)

    def run(self, stream: IO[str], echo: bool = False, prompt: Prompt | None = None) -> None:
        """Read lines (from `prompt`, with line editing, else `stream`) until /quit or the end."""
        self.console.print(f"[bold]wxbot chat[/] with the bot {escape(self.target.where)} — "
                           "type [bold]/help[/] for commands")
        lines = self._edited(prompt) if prompt else self._lines(stream, echo)
        for line in lines:
            if not self.handle(line):
                break

    def _edited(self, prompt: Prompt) -> Iterator[str]:
        while True:
            try:
                line = clean(prompt(f"{self.user} › "))
            except (EOFError, KeyboardInterrupt):
                self.console.print()
                return
            if line.strip():
                yield line

    def _lines(self, stream: IO[str], echo: bool) -> Iterator[str]:
        while True:
            self.console.print(f"[bold cyan]{escape(self.user)}[/] › ", end="")
            line = stream.readline()
            if not line:
                self.console.print()
                return
            line = clean(line.rstrip("\r\n"))  # a pasted escape sequence is not text
            if echo:
                self.console.print(escape(line), highlight=False)
            if line.strip():
                yield line

    def handle(self, line: str) -> bool:
        """Do one line; False to stop."""
        command, _, arg = line[1:].partition(" ")
        command, arg = command.lower(), arg.strip()
        try:
            if not line.startswith("/"):
                self.said = fill_placeholders(line, self.target, openid_for)
                self.deliver("text", {"Content": self.said})
                return True
            return self._command(command, arg)
        except (TargetError, EventError, ValueError) as exc:
            self.console.print(f"[red]{escape(str(exc))}[/]")
            return True
        finally:
            self.show_outbound()  # whatever arrived meanwhile (e.g. after /wait)

    def _command(self, command: str, arg: str) -> bool:
        gestures: dict[str, Any] = {
            "subscribe": "subscribe", "unsubscribe": "unsubscribe", "image": "image",
            "click": {"click": arg}, "voice": {"voice": arg} if arg else "voice",
            "location": {"location": arg} if arg else "location",
        }
        if command in ("quit", "exit", "q"):
            return False
        if command == "click" and not arg:
            raise ValueError("usage: /click KEY (e.g. /click BIND_CARD)")
        if command in gestures:
            kind, fields = parse_event(gestures[command])
            self.deliver(kind, fields)
        elif command == "as":
            if not arg:
                raise ValueError("usage: /as NAME")
            self.user = arg
            self.console.print(f"[dim]now talking as {escape(arg)} ({self.openid})[/]")
        elif command == "state":
            self.show_state()
        elif command == "why":
            self.show_why()
        elif command == "sms":
            self.show_sms([arg] if arg else self.phones)
        elif command == "retry":
            self.retry()
        elif command == "review":
            self.review(arg)
        elif command == "agent":
            self.agent(arg)
        elif command == "slow":
            self.target.arm_faults(seconds(arg or "0"), 1)
            self.console.print(f"[dim]the backend's next call takes {seconds(arg or '0'):g} s "
                               "longer[/]")
        elif command == "wait":
            self.target.advance(seconds(arg or "0"))
            self.console.print(f"[dim]the bot's clock moved on {seconds(arg or '0'):g} s[/]")
        elif command == "help":
            self.console.print(HELP, markup=False, highlight=False, soft_wrap=True)
        else:
            self.console.print(f"[red]unknown command /{escape(command)}[/] — /help lists them")
        return True

    def deliver(self, kind: str, fields: dict[str, Any]) -> None:
        """Send as the current user and show what the follower would see."""
        if self.outbound is not None:
            self.outbound.start(self.openid)
        delivery = self.target.send(kind, self.openid, fields)
        self.last = (delivery, self.openid)
        routed = delivery.ok and reply_of(delivery) is None and kind != "event" \
            and self.with_agent()  # the platform's success: the agent has it, nothing is owed
        self.show(delivery, routed)
        if delivery.ok and reply_of(delivery) is None and kind != "event" and not routed:
            self.show_outbound(OWED_WAIT)  # `success` to a message: its reply is on its way
        elif delivery.ok and (delivery.reply or {}).get("MsgType") == TRANSFER:
            self.show_sent()  # the transfer's words go through the API: shown with it

    def review(self, arg: str) -> None:
        """The office decides this user's latest pending review; the notice follows."""
        if arg not in ("approve", "reject"):
            raise ValueError("usage: /review approve|reject")
        if self.outbound is not None:
            self.outbound.start(self.openid)
        ref = self.target.decide_review(self.openid, arg == "approve")
        self.console.print(f"[dim]review {escape(ref)} {arg}d by the office[/]")
        self.show_outbound(NOTICE_WAIT)

    def agent(self, arg: str) -> None:
        """The mock platform's agent takes, answers or lets go of this user."""
        action, _, text = arg.partition(" ")
        if action not in ("take", "say", "close") or (action == "say") != bool(text.strip()):
            raise ValueError("usage: /agent take | /agent say TEXT | /agent close")
        if self.outbound is not None:
            self.outbound.start(self.openid)
        self.target.agent(action, self.openid, text.strip() if action == "say" else None)
        done = {"take": "an agent took", "say": "the agent answered",
                "close": "the agent let go of"}
        self.console.print(f"[dim]{done[action]} {escape(self.user)}[/]")
        if action == "say":
            self.show_outbound(NOTICE_WAIT)
        else:  # the bot's answer to the event: a person is there, or the bot is back
            self.show_sent()

    def with_agent(self) -> bool:
        """Whether the mock platform has this user with an agent now (asked, not remembered:
        the bot lets go of one who had left the queue, and 30 idle minutes end a session)."""
        try:
            return bool(self.target.agent_of(self.openid))
        except Exception:  # noqa: BLE001 - no simulator to ask: the bot's success, as shown
            return False

    def show_outbound(self, wait: float = 0.0) -> None:
        """The API messages that reached this user and were not shown yet, each once."""
        if self.outbound is not None:
            self._panels(self.outbound.new(self.openid, wait))

    def show_sent(self) -> None:
        """What the last push left to the API (sent at once), shown before the next prompt
        rather than after the next line typed, or never when /quit came next."""
        if self.outbound is not None:
            self._panels(self.outbound.sent(self.openid, SENT_WAIT))

    def _panels(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            label, text = describe(message)
            self.console.print(Panel(escape(text), title=label, title_align="left",
                                     border_style="blue", expand=False))

    def retry(self) -> None:
        """The platform's retry of the last push: the same body and signed query."""
        client = getattr(self.target, "client", None)
        if self.last is None or client is None:
            raise ValueError("nothing to deliver again yet")
        first, openid = self.last
        self.console.print(f"[dim]the platform delivers the last push again ({openid})[/]")
        self.show(client.post(first.request_body, first.query, user=openid))

    def show(self, delivery: Any, routed: bool = False) -> None:
        """What the follower would see of a delivery (or why they would see nothing)."""
        if not delivery.ok:
            self.console.print(f"[bold red]✗ {escape(delivery.error or str(delivery.status))}[/]")
            return
        reply = reply_of(delivery)
        if reply is None and routed:  # the platform's success: the agent has the message
            self.console.print("[dim](to the agent: while a person has this user, their "
                               "messages reach the agent only; /agent say answers, "
                               "/agent close gives them back to the bot)[/]")
        elif reply is None:
            self.console.print("[dim](no reply: the bot answered success)[/]")
        elif reply == TRANSFER_SEEN:  # the follower sees no bubble: the platform queues them
            self.console.print("[dim](handed over to customer service: the follower waits for "
                               "a person; /agent take answers as one)[/]")
        else:
            self.console.print(Panel(escape(reply), title="bot", title_align="left",
                                     border_style="green", expand=False))

    def show_why(self) -> None:
        """The language stage's reading of the last text typed: the bot's own, masked."""
        if not self.said:
            raise ValueError("type a message first; /why explains the last one")
        shown = explain(self.said)
        lines = [f"{key}: {shown[key]}" for key in ("intent", "confidence", "reason", "act",
                                                    "candidates", "slots", "answer")]
        self.console.print(Panel(escape("\n".join(lines)), title="understood",
                                 title_align="left", border_style="magenta", expand=False))

    def show_state(self) -> None:
        session = self.target.state(self.openid)
        where = f"[bold]{session['flow']}.{session['state']}[/]" if session else \
            "[dim]no conversation in progress[/]"
        self.console.print(f"{escape(self.user)}: {where}")

    def show_sms(self, phones: list[str]) -> None:
        table = Table("phone", "latest code", "purpose", "sent at", title="mock SMS")
        for phone in phones:
            outbox = self.target.sms(phone)
            if outbox:
                last = outbox[-1]
                table.add_row(phone, str(last["code"]), str(last.get("purpose", "")),
                              str(last.get("sent_at", "")))
        self.console.print(table if table.row_count else "[dim]no SMS sent yet[/]")
