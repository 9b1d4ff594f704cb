"""Each follower's hand-over to a person, as the platform routes it (platform-more.md §1.1).

none -> waiting (the bot answered with the transfer reply; their messages still reach the
bot, which transfers each again so it joins the queue) -> with_agent (kf_create_session: the
platform sends their messages to the agent only) -> none (kf_close_session, or a message that
reaches the bot while they are with an agent: the platform's 30-minute idle return, which no
event marks). `leaving` is the turn after the bot offered to take a message for later.
A follower who left the queue (取消) is still in the platform's: it has no call that takes
anyone out. Should an agent take them anyway, the bot ends that session itself
(`releasing` until the platform's kf_close_session), so they are not left talking to an
agent they said they did not want, and the bot's own replies do not stop.
Kept in the store's KV, so every instance routes a follower alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.clock import Clock
from bot.handover.hours import ServiceHours
from bot.handover.notes import Note, Notes
from bot.handover.online import OnlineAgents
from bot.protocol.kf import KF_CLOSE, KF_CREATE, KF_SWITCH
from bot.store.kv import KV, own_key

NONE, WAITING, WITH_AGENT, LEAVING, RELEASING = (
    "none", "waiting", "with_agent", "leaving", "releasing")
JOINED, BACK, RELEASE = "joined", "back", "release"  # what a kf event means for the follower
KEEP = 7 * 86400  # seconds a hand-over is remembered without news (a queue left forgotten)
LEAVING_TTL = 600  # seconds the offer to take a message stays open
TRANSFER, AFTER_HOURS, NOBODY_ONLINE, TRANSFER_BLIND = (
    "transfer", "after_hours", "nobody_online", "transfer_blind")
SAYS = {TRANSFER: "human.transferring", AFTER_HOURS: "human.after_hours",
        NOBODY_ONLINE: "human.nobody_online", TRANSFER_BLIND: "human.transferring_blind"}


@dataclass(frozen=True)
class Status:
    state: str = NONE
    since: float = 0.0
    agent: str = ""


@dataclass(frozen=True)
class Decision:
    """What to do with a request for a person: `transfers` -> answer with the Transfer reply."""

    kind: str

    @property
    def transfers(self) -> bool:
        return self.kind in (TRANSFER, TRANSFER_BLIND)

    @property
    def says(self) -> str:
        """The catalog key of the words that go with it."""
        return SAYS[self.kind]


class HandOver:
    def __init__(self, kv: KV, clock: Clock, online: OnlineAgents, hours: ServiceHours,
                 notes: Notes, remind_every: float = 300.0) -> None:
        self.kv, self.clock, self.online, self.hours = kv, clock, online, hours
        self.notes, self.remind_every = notes, remind_every

    @staticmethod
    def key(openid: str) -> str:
        """The KV key of `openid`'s state: a turn reads it with its session (`known`)."""
        return own_key("handover", openid)

    def status(self, openid: str, known: dict[str, str | None] | None = None) -> Status:
        """`known`: KV values the turn read already; the state is read here when not among them."""
        key = self.key(openid)
        found = known[key] if known is not None and key in known else self.kv.get(key)
        return Status(**json.loads(found)) if found else Status()

    def _set(self, openid: str, state: str, agent: str = "", ttl: float = KEEP) -> None:
        if state == NONE:
            self.kv.delete(self.key(openid))
            return
        status = Status(state, self.clock.now(), agent)
        self.kv.set(self.key(openid), json.dumps(status.__dict__), ttl)

    def request(self, openid: str) -> Decision:
        """A request for a person: transfer, or say why not and offer to take a message."""
        self.kv.delete(self.withdrew_key(openid))  # asked again: an agent taking them is wanted
        if not self.hours.open_at(self.clock.now()):
            self._set(openid, LEAVING, ttl=LEAVING_TTL)
            return Decision(AFTER_HOURS)
        online = self.online.now()
        if online.known and not online.accounts:
            self._set(openid, LEAVING, ttl=LEAVING_TTL)
            return Decision(NOBODY_ONLINE)
        self._set(openid, WAITING)
        self.kv.set(f"handover:told:{openid}", "1", self.remind_every)  # just told them
        return Decision(TRANSFER if online.known else TRANSFER_BLIND)

    def before_message(self, openid: str, known: dict[str, str | None] | None = None) -> str:
        """How to route a message that reached the bot: transfer | note | back | serve.

        `transfer`: still queued, answer with the Transfer reply again and start nothing;
        `note`: the message left for an agent (call `leave`); `back`: served again after the
        platform's idle return (say human.back, then resume or end the flow); `serve`: as usual.
        """
        state = self.status(openid, known).state
        if state == WAITING:
            return "transfer"
        if state == LEAVING:
            return "note"
        if state == WITH_AGENT:
            self._set(openid, NONE)
            return "back"
        return "serve"

    def leave(self, openid: str, text: str) -> Note:
        """Keep the follower's message for an agent; they are served as usual afterwards.
        An agent who takes them to answer it is wanted, whatever queue they left before."""
        self._set(openid, NONE)
        self.kv.delete(self.withdrew_key(openid))
        return self.notes.leave(openid, text)

    def cancel(self, openid: str) -> None:
        """The follower changed their mind (a menu click, 取消): no queue, no note."""
        self._set(openid, NONE)

    def stop_waiting(self, openid: str) -> bool:
        """The follower chose the bot after all while queued (取消, a menu button): True when
        they were waiting and no longer are. Without it a queue nobody answered held every
        message for KEEP (7 days), and a button's flow asked questions whose answers (a
        password too) went to the queue."""
        if self.status(openid).state != WAITING:
            return False
        self._set(openid, NONE)
        self.kv.set(self.withdrew_key(openid), "1", KEEP)  # the platform's queue still holds them
        return True

    @staticmethod
    def withdrew_key(openid: str) -> str:
        """The KV key marking one who left the queue (the agent console shows it too)."""
        return own_key("handover:withdrew", openid)

    def on_event(self, openid: str, event: str, kf_account: str) -> str:
        """Move the state on a kf event; what it means for the follower: JOINED (an agent
        has them), RELEASE (an agent took one who had left the queue: end that session),
        BACK (the bot serves them again: say so), or "" (nothing to say)."""
        releasing = self.status(openid).state == RELEASING
        if event in (KF_CREATE, KF_SWITCH) and (releasing or (
                event == KF_CREATE and self.kv.get(self.withdrew_key(openid)))):
            # the same push run again (a retry, the rescue) lets go again, as does a switch
            # to a colleague before the close landed: the close names the agent who has them
            self._set(openid, RELEASING, kf_account, ttl=LEAVING_TTL)
            self.kv.delete(self.withdrew_key(openid))
            return RELEASE
        if event in (KF_CREATE, KF_SWITCH):
            self._set(openid, WITH_AGENT, kf_account)
            return JOINED if event == KF_CREATE else ""
        if event == KF_CLOSE:
            self._set(openid, NONE)
            return "" if releasing else BACK  # they never met the agent
        return ""

    def where_they_stand_due(self, openid: str) -> bool:
        """While waiting: True at most every `remind_every` s (tell them they are queued)."""
        if self.status(openid).state != WAITING:
            return False
        return self.kv.add(f"handover:told:{openid}", "1", self.remind_every)
