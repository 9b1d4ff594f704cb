"""Flows as data: states and transitions declared on the class, one shared Machine per class.

A conversation is a model restored per message (state + slots from the session); instead of
`add_model`/`remove_model` on every message we fire the shared Machine's events on the model
directly, which means the same and builds nothing per message.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from transitions import EventData, Machine

from flows.catalog import Catalog
from flows.port import Backend, GuardianChat, Pauses, TimeSource
from flows.regions import Region, region

if TYPE_CHECKING:
    from transitions.core import TransitionConfigDict as TransitionConfig
else:
    TransitionConfig = dict

FAILED, DONE = "failed", "done"
START = "[*]"  # the source of a flow starting, as Mermaid draws it
# What a state that reads an answer asks for; all but `text` are personal and never recorded.
ROLES = ("id", "guardian", "name", "card", "code", "password", "confirm", "reason", "text")


class StateSpec(TypedDict, total=False):
    name: str
    prompt: str  # catalog key said on entering the state
    again: str  # catalog key said instead when a refused answer asks the step again
    help: str  # catalog key explaining the step (`帮助`)
    read: str  # method that reads the answer: returns an error key, or None and sets .value
    role: str  # what the answer is (one of ROLES): the recorder replaces it by this, not by name
    on_enter: list[str]
    final: bool
    # The step reads a bare "好的"/"嗯"/"ok" itself (a yes/no question, or a wait that looks at
    # its request on any message); elsewhere the dialogue answers it by asking the step again.
    reads_ack: bool
    # The keyword the step also takes instead of its answer ("use_code": a code rather than the
    # password); the dialogue says it for a sentence asking for one ("发短信吧", "text me").
    code_word: str
    # The keyword for "another person's card" at an offer of the card bound here ("other_card"):
    # the dialogue says it for an ID typed there or a sentence about a child's card.
    other_word: str
    # The step waits for someone else (the guardian's consent): asked how it stands ("好了没",
    # "how long do i have to wait"), the dialogue lets the step say so itself.
    waits: bool
    # The catalog key said after a second unread answer, instead of "step.way_out" ("一时找不到
    # 的话…" fits a thing to find, not a new password to make up).
    way_out: str


@dataclass
class Turn:
    """What one message's handling may touch: who, the clock, the backend, what to say."""

    openid: str
    catalog: Catalog
    backend: Backend
    clock: TimeSource
    out: list[str] = field(default_factory=list)
    trace: list[tuple[str, str, str]] = field(default_factory=list)  # (flow, source, dest)
    understood: Any = None  # what the language stage made of the text, for the inspector
    transfer: str | None = None  # hand over to customer service ("" any agent, or an account)
    via_api: bool = False  # what is said goes through the customer-service API, not the reply
    # (agent, what to say if the platform will not let go): the session the bot ends for one
    # who had left the queue
    release: tuple[str, str] | None = None
    region: Region = field(default_factory=lambda: region(None))  # BOT_REGION's card rules
    known: dict[str, str | None] | None = None  # shared records read with the session (by key)
    family: GuardianChat | None = None  # asks a guardian in their own chat; None: SMS only
    pauses: Pauses | None = None  # locks this follower met; None: found only when met again

    def say(self, key: str, **values: Any) -> None:
        self.out.append(self.catalog.text(key, **values))


# Replies to an answer holding nothing of the shape asked for ("我的银行卡丢了" at the ID step,
# "我在外地" at the code step): the step is asked again and no try is counted, since no ID,
# code, card number or name was tried. Three of them used to end the service with "身份证号
# 连续3次没有通过核对", said to someone who never typed one. A wrong one still counts. From
# the second in a row the reply also says how out (取消, 人工, 12333): none ends it by itself.
NOT_A_TRY = frozenset({"common.id_expected", "common.name_expected", "common.code_expected",
                       "common.name_in_han", "common.guardian_is_holder", "bind.card_not_code",
                       "bind.card_expected", "reset.confirm_expected",
                       "loss.method_expected",
                       # a new password that breaks a rule is a choice to make again, no
                       # guess: three ended a reset after the SMS check (a blind tester's
                       # 123456, 081123, 000000), and the code could not be sent again
                       "reset.pw_repeated", "reset.pw_sequence", "reset.pw_birthday",
                       "reset.pw_current",
                       # a review's reason holding a code or an ID is refused, no try
                       "reset.reason_private"})


def ask(state: str, then: str | list[TransitionConfig], *, tries: bool = True) -> list[dict]:
    """The usual shape of a question: accepted -> next; too many misses -> failed; else again."""
    onward = [{"trigger": "answer", "source": state, "dest": then, "conditions": "is_accepted",
               "before": "keep"}] if isinstance(then, str) else then
    give_up = [{"trigger": "answer", "source": state, "dest": FAILED,
                "conditions": "is_out_of_tries"}] if tries else []
    again = [{"trigger": "answer", "source": state, "dest": state, "before": "complain"}]
    return [*onward, *give_up, *again]


def branch(source: str, outcomes: dict[str, str], before: str | None = None) -> list[dict]:
    """Let the reader decide where `answer` goes: outcome -> state, via `is_<outcome>`."""
    return [{"trigger": "answer", "source": source, "dest": dest, "conditions": f"is_{outcome}",
             "before": before or []} for outcome, dest in outcomes.items()]


def outcome_is(outcome: str) -> Callable[[Flow, EventData], bool]:
    """The `is_<outcome>` condition that `branch` names, declared once per outcome."""
    return lambda self, _: self.outcome == outcome


class Flow:
    """One multi-turn conversation; subclasses declare `states`, `transitions`, `initial`."""

    name: ClassVar[str]
    title: ClassVar[str]  # catalog key of the flow's name in menus
    keywords: ClassVar[str]  # catalog key of the words that start it
    menu_key: ClassVar[str | None] = None
    states: ClassVar[list[StateSpec]]
    transitions: ClassVar[list[TransitionConfig]]
    initial: ClassVar[str]
    max_tries: ClassVar[int] = 3
    machine: ClassVar[Machine]
    specs: ClassVar[dict[str, StateSpec]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if any(t["dest"] == FAILED for t in cls.transitions):  # only where a miss can lead
            cls.states = [*cls.states, {"name": FAILED, "on_enter": ["explain_failure"],
                                        "final": True}]
        cls.specs = {s["name"]: s for s in cls.states}
        for spec in cls.states:
            if "read" in spec and spec.get("role") not in ROLES:
                raise TypeError(f"{cls.__name__} state {spec['name']!r} reads an answer: "
                                f"give it a role, one of {', '.join(ROLES)}")
        cls.machine = Machine(
            model=None, auto_transitions=False, send_event=True, initial=cls.initial,
            states=[{"name": s["name"], "on_enter": [*s.get("on_enter", []), "prompt"],
                     "final": s.get("final", False)} for s in cls.states],
            transitions=cls.transitions, prepare_event="read", after_state_change="traced",
            name=cls.name,
        )

    def __init__(self, turn: Turn, state: str | None = None, slots: dict | None = None) -> None:
        self.turn, self.slots = turn, slots if slots is not None else {}
        if "_sid" not in self.slots:  # this conversation, for effect keys (drawn once, at start)
            self.slots["_sid"] = secrets.token_hex(8)
        self.state = state or self.initial
        self.value: Any = None
        self.error: str | None = None
        self.outcome = ""  # set by a reader to pick a `branch`

    # -- what the engine calls ------------------------------------------------------------
    def start(self) -> None:
        """Enter the initial state as a transition would, so its on_enter work runs too."""
        state = self.machine.get_state(self.state)
        self.turn.trace.append((self.name, START, self.state))  # observers see starts too
        state.enter(EventData(state, None, self.machine, self, args=(), kwargs={}))

    def answer(self, text: str) -> None:
        self.slots["_n"] = self.slots.get("_n", 0) + 1  # saved only if this answer's turn is
        self.machine.events["answer"].trigger(self, text.strip())

    def effect_key(self) -> str:
        """Names this answer's backend effects: the message delivered again (a crash or a lost
        reply left the conversation unsaved) repeats the key, so the backend knows it."""
        return f"{self.turn.openid}:{self.slots['_sid']}:{self.slots.get('_n', 0)}"

    def help_key(self) -> str:
        return self.specs[self.state].get("help", self.specs[self.state].get("prompt", ""))

    @property
    def done(self) -> bool:
        return bool(self.specs[self.state].get("final"))

    def values(self) -> dict[str, Any]:
        """What a line of this flow may name: its slots, its title and its start word (an
        ending says which word starts it again)."""
        catalog = self.turn.catalog  # a flow from outside the catalog may lack either: blank
        return {"title": catalog.texts.get(self.title, ""),
                "word": catalog.words.get(self.keywords, ""), "tries": self.max_tries,
                **self.slots}

    def session(self) -> dict:
        return {"flow": self.name, "state": self.state, "slots": self.slots}

    # -- callbacks the declarations name --------------------------------------------------
    def read(self, event: EventData) -> None:
        reader = self.specs[self.state].get("read")
        self.value, self.error, self.outcome = (event.args[0] if event.args else None), None, ""
        if reader:
            self.error = getattr(self, reader)(self.value)

    def is_accepted(self, _: EventData) -> bool:
        return self.error is None

    def is_out_of_tries(self, _: EventData) -> bool:
        if self.error in NOT_A_TRY:
            return False
        return self.slots.get("_misses", {}).get(self.state, 0) + 1 >= self.max_tries

    def keep(self, _: EventData) -> None:
        """Store the accepted answer under the state's slot name (ask_x -> x)."""
        self.slots[self.state.removeprefix("ask_")] = self.value

    def complain(self, _: EventData) -> None:
        counted = "_unread" if self.error in NOT_A_TRY else "_misses"
        counts = self.slots.setdefault(counted, {})
        counts[self.state] = counts.get(self.state, 0) + 1
        if self.error:
            self.turn.say(self.error)
        if counted == "_unread" and counts[self.state] >= 2:  # "一时找不到的话…", or the
            self.turn.say(self.specs[self.state].get("way_out", "step.way_out"))  # step's own

    def prompt(self, _: EventData | None) -> None:
        key = self.specs[self.state].get("prompt")
        if key:
            self.turn.say(key, **self.values())

    def explain_failure(self, event: EventData) -> None:
        """Too many misses: which answer kept missing, that the request ended, and how to go on
        (the start word, a person, 12333), rather than a bare "too many wrong answers"."""
        role = self.specs.get(event.transition.source, {}).get("role", "")
        texts = self.turn.catalog.texts
        why = next(k for k in (f"failed.{event.transition.source}", f"failed.{role}",
                               "failed.any") if k in texts)
        values = self.values()
        self.turn.say("flow.failed", why=self.turn.catalog.text(why, **values), **values)

    def traced(self, event: EventData) -> None:
        self.turn.trace.append((self.name, event.transition.source, event.transition.dest))
