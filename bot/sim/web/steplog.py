"""One readable, masked log line per conversation step of the simulator.

What a follower types is masked by the step it answers (an ID number at ask_id, a name at
ask_name, a code at ask_code), and anything shaped like an ID, phone or card number is masked
wherever it appears, so the demo's log can be read over a shoulder. So is a name given
outside its step: after a wrapper ("我叫张伟"), among other answers ("绑卡 1101… 张伟"), or
as a whole short message ("张伟" typed at idle) unless it is one of the bot's own words.
"""

from __future__ import annotations

import logging
import re

from flows.account import mask_name
from flows.catalog import Catalog
from flows.ids import mask_card, mask_id, mask_phone
from flows.language.slot_names import NAME_MOST, read_name
from flows.language.slots import find_slots

log = logging.getLogger("wxbot.sim")
SECRET = "******"
_WORDS = Catalog()  # the bot's own words are never names: 挂失, 帮助 stay readable
SECRET_STEPS = ("ask_code", "ask_password", "ask_confirm")
# a step's own value, when it is the whole message, and how the log shows it
BY_STATE = {"ask_id": (re.compile(r"\d{17}[\dXx]"), mask_id),
            "ask_guardian": (re.compile(r"\d{17}[\dXx]"), mask_id),
            "ask_card": (re.compile(r"[A-Za-z]?\d{8,9}"), mask_card),
            "ask_name": (re.compile(r"[\u4e00-\u9fff·]{2,6}|[A-Za-z][A-Za-z .'-]{1,40}"),
                         mask_name)}
SHAPES = [(re.compile(r"\d{17}[\dXx]"), mask_id), (re.compile(r"1\d{10}"), mask_phone),
          (re.compile(r"[A-Za-z]\d{8}"), mask_card), (re.compile(r"\d{6}"), lambda _: SECRET)]


def mask_said(text: str, state: str | None) -> str:
    """What the follower typed, as the log may show it: a code, password or confirmation
    step's answer never; the step's own value masked its way when it is all there is;
    anything else by shape (IDs, phones, cards, six digits) and names by the name reader
    ("110105…，我叫张伟" at the ID step shows neither in full)."""
    if state in SECRET_STEPS:
        return SECRET
    plain = text.strip()
    if state in BY_STATE and BY_STATE[state][0].fullmatch(plain):
        return BY_STATE[state][1](plain)
    for shape, mask in SHAPES:
        text = shape.sub(lambda m, mask=mask: mask(m.group()), text)
    return _names_masked(text, plain)


def _names_masked(text: str, said: str) -> str:
    """Names said anywhere: wrapped (我叫张伟), among other answers ("绑卡 1101… 张伟"), or a
    whole short message the name reader takes for one ("张伟" at idle), unless it is one of
    the bot's own words (挂失)."""
    name = find_slots(said).get("name")
    if name is None and len(said) <= NAME_MOST and _WORDS.command(said) is None:
        name = read_name(said)
    return text.replace(name, mask_name(name)) if name and name in text else text


def _where(step: dict | None) -> str:
    return f"{step['flow']}.{step['state']}" if step else "idle"


def step_line(alias: str, said: str, before: dict | None, after: dict | None, status: int,
              latency_ms: float, reply: str | None) -> str:
    """`minor: '3101**********0159' bind_card.ask_id -> bind_card.ask_name [200, 12 ms] 请输入…`"""
    shown = mask_said(said, (before or {}).get("state"))
    answer = " ".join((reply or "(success)").split())
    if len(answer) > 60:
        answer = answer[:59] + "…"
    return (f"{alias}: {shown!r} {_where(before)} -> {_where(after)} "
            f"[{status}, {latency_ms:.0f} ms] {answer}")


def setup() -> None:
    """Show the simulator's steps on stderr when nothing else configured logging for them."""
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
