"""A step's answer read out of the sentence around it, and the reply saying what was read.

Why a module of its own: every reader of a personal slot (ID, name, card, code, password) does
the same two things - take the slot out of "我叫张伟" or "卡号是A12345678", and, when it had to dig,
tell the person what it took ("收到，姓名：张*") so a wrong guess is visible before anything else
is said. What is shown is always masked; codes and passwords are never shown at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flows.base import Turn
from flows.ids import birth_date, check_digit, mask_card, mask_id, mask_name, normalize_id
from flows.language.slot_numbers import normalized
from flows.language.slots import Slot, ambiguous, read_slot

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def _hidden(value: str) -> str:
    return "*" * len(value)


SHOWN: dict[str, Callable[[str], str]] = {
    "id": mask_id, "guardian": mask_id, "name": mask_name, "card": mask_card,
    "code": _hidden, "password": _hidden, "confirm": _hidden}
SAID = {"id": "common.read_id", "guardian": "common.read_guardian", "name": "common.read_name",
        "card": "bind.read_card", "code": "common.read_code", "password": "reset.read_password",
        "confirm": "reset.read_confirm"}
AMBIGUOUS = "common.ambiguous"


def heard(turn: Turn, role: str, text: str, said: str | None = None) -> Slot | None:
    """The step's slot in `text`; when it was dug out of a sentence, say what was read
    (`said`: the catalog key, when the role's own would say the wrong thing: a service
    password typed to prove who one is is no "新密码")."""
    slot = read_slot(role, text)
    if slot is not None and slot.dug:
        said_back(turn, role, slot.value, said)
    return slot


def said_back(turn: Turn, role: str, value: str, said: str | None = None) -> None:
    """"收到，身份证号：1101…": what was read out of a sentence, masked as the role shows it."""
    turn.say(said or SAID[role], shown=SHOWN[role](value))


def unread(role: str, text: str, expected: str) -> str:
    """Why nothing was read: two different candidates, or nothing of the shape asked for."""
    return AMBIGUOUS if ambiguous(role, text) else expected


def checked_id(text: str, today: date) -> tuple[str, str | None]:
    """The normalised ID number and, if it is not one, the error key naming what is wrong."""
    id_number = normalize_id(text)
    if not _ID_SHAPE.fullmatch(id_number):
        return id_number, "common.id_format"
    try:
        born = birth_date(id_number)
    except ValueError:
        return id_number, "common.id_date"
    if born > today:
        return id_number, "common.id_date"
    if check_digit(id_number[:17]) != id_number[17]:
        return id_number, "common.id_check"
    return id_number, None


def has_digits(text: str) -> bool:
    """Whether anything in the message is a digit (full-width and spoken ones too): with none,
    no number was tried, and the step's "没有看出…" reply is no try (flows.base.NOT_A_TRY)."""
    return any(c.isdigit() for c in normalized(text))


def id_in(turn: Turn, role: str, text: str) -> tuple[str | None, str | None]:
    """The ID number in the message (said back when dug out and valid: a wrong one is said
    in its error instead) and what is wrong with it, if anything; with none in it, the
    message itself is judged as today's exact answers are."""
    slot = read_slot(role, text)
    if slot is None and ambiguous(role, text):
        return None, AMBIGUOUS
    if slot is None and not has_digits(text):
        return None, "common.id_expected"  # "我的银行卡丢了": no ID number tried at all
    value, error = checked_id(slot.value if slot else text, turn.clock.today())
    if error is None and slot is not None and slot.dug:  # said back only when it is one:
        said_back(turn, role, value)  # "Got it - ID number" and then
    return value, error  # "the check digit is wrong" read as a contradiction


def code_missing(text: str) -> str:
    """Why no code was read: digits of the wrong length, two codes, or no digits at all."""
    if ambiguous("code", text):
        return AMBIGUOUS
    return "common.code_format" if has_digits(text) else "common.code_expected"
