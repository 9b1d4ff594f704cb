"""A small flow that proves the engine on its own: two questions, then a counter."""

from __future__ import annotations

from flows.base import DONE, Flow, ask
from flows.catalog import Catalog

TEXTS = {
    "demo.title": "demo",
    "demo.ask_colour": "Which colour, red or blue?",
    "demo.help_colour": "Type red or blue.",
    "demo.bad_colour": "Not a colour I know.",
    "demo.ask_size": "What size (a number)?",
    "demo.help_size": "Type a number.",
    "demo.bad_size": "That is not a number.",
    "demo.done": "Done: {colour} {size}.",
    "count.title": "count",
    "count.tick": "count {n}",
    "menu.demo": "a colour and a size",  # every flow's line in the numbered menu
    "menu.count": "count your messages",
}


class Demo(Flow):
    name, title, keywords, menu_key, initial = "demo", "demo.title", "demo", "DEMO", "ask_colour"
    states = [
        {"name": "ask_colour", "prompt": "demo.ask_colour", "help": "demo.help_colour",
         "read": "read_colour", "role": "text"},
        {"name": "ask_size", "prompt": "demo.ask_size", "help": "demo.help_size",
         "read": "read_size", "role": "text"},
        {"name": DONE, "prompt": "demo.done", "final": True},
    ]
    transitions = [*ask("ask_colour", "ask_size"), *ask("ask_size", DONE)]

    def read_colour(self, text: str) -> str | None:
        return None if text in ("red", "blue") else "demo.bad_colour"

    def read_size(self, text: str) -> str | None:
        return None if text.isdigit() else "demo.bad_size"


class Count(Flow):
    """Every answer is one transition; a lost or doubled one shows in the count."""

    name, title, keywords, initial = "count", "count.title", "count", "counting"
    states = [{"name": "counting", "prompt": "count.tick"}]
    transitions = [{"trigger": "answer", "source": "counting", "dest": "counting",
                    "before": "tick"}]

    def start(self) -> None:
        self.slots["n"] = 0
        super().start()

    def tick(self, _event) -> None:
        self.slots["n"] += 1


def demo_catalog(lang: str = "en") -> Catalog:
    return Catalog(lang, {"texts": TEXTS, "keywords": {"demo": ["demo"], "count": ["count"]}})
