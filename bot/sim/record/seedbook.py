"""Stand-ins from the seed for the people of a recording: same role, none of their data.

A recorded person is described by what the conversation showed of them (adult or minor, the
card's status, a phone or none, whose guardian they are); `SeedBook.pick` finds a seed person
who would make the bot take the same path, so the fixture replays the recorded branches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.ids import age_on, make_id


@dataclass
class SeedPerson:
    id: str
    name: str
    phone: str | None
    cards: list[dict[str, Any]] = field(default_factory=list)
    guardians: list[str] = field(default_factory=list)


@dataclass
class Wanted:
    """What the recording showed of one person; None means it did not show."""

    adult: bool
    card: str | None = None  # active (bindable) | lost | frozen | bound | any | none
    phone: bool | None = None
    guardian_of: list[str] = field(default_factory=list)  # recorded minors' ID numbers
    prebound: bool = False  # their card was bound to the account before the recording


def _has_card(person: SeedPerson, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted == "none":
        return not person.cards
    return any(card_fits(card, wanted) for card in person.cards)


def card_fits(card: Mapping[str, Any], wanted: str) -> bool:
    """Whether a seed card would take the bot down the recorded branch."""
    status, bound = card.get("status", "active"), card.get("bound_openid")
    if wanted == "active":
        return status == "active" and not bound
    if wanted == "bound":
        return status == "active" and bool(bound)
    return wanted == "any" or status == wanted


class SeedBook:
    """The seed's people with their cards and guardians, and the day ages are taken on."""

    def __init__(self, raw: Mapping[str, Any], today: date) -> None:
        self.today = today
        self.people = {str(p["id_number"]): SeedPerson(str(p["id_number"]), str(p["name"]),
                                                       p.get("phone") or None)
                       for p in raw.get("people") or []}
        for card in raw.get("cards") or []:
            if str(card.get("holder")) in self.people:
                self.people[str(card["holder"])].cards.append(dict(card))
        for link in raw.get("guardianships") or []:
            if str(link.get("minor")) in self.people:
                self.people[str(link["minor"])].guardians.append(str(link["guardian"]))
        self.taken: set[str] = set()

    def adult(self, id_number: str) -> bool:
        return age_on(id_number, self.today) >= 18

    def fits(self, person: SeedPerson, wanted: Wanted, minors: list[SeedPerson]) -> bool:
        """Same age class, card, phone and guardianships as the recorded person showed."""
        if person.id in self.taken or self.adult(person.id) != wanted.adult:
            return False
        if wanted.phone is not None and bool(person.phone) != wanted.phone:
            return False
        if wanted.prebound and not any(card_fits(c, "bound") for c in person.cards):
            return False
        return _has_card(person, wanted.card) and all(person.id in m.guardians for m in minors)

    def pick(self, wanted: Wanted, minors: tuple[SeedPerson, ...] = (),
             also: Callable[[SeedPerson], bool] = lambda _: True,
             prefer: str | None = None) -> SeedPerson | None:
        """`prefer` (the recorded ID) when it is a seed person who fits, else the first fitting
        seed person; those aged 17 or 18 last (a day can flip them)."""
        def rank(person: SeedPerson) -> tuple[bool, bool]:
            return person.id != prefer, age_on(person.id, self.today) in (17, 18)

        found = [p for p in self.people.values() if self.fits(p, wanted, list(minors)) and also(p)]
        found.sort(key=rank)
        if found:
            self.taken.add(found[0].id)
            return found[0]
        return None

    def card_of(self, person: SeedPerson, wanted: str | None) -> dict[str, Any] | None:
        """The stand-in's card for the recorded one: the one that takes the same branch."""
        for card in person.cards:
            if wanted is None or card_fits(card, wanted):
                return card
        return None

    def stranger(self, adult: bool = True) -> str:
        """A valid ID number of nobody on record (for answers that were not anyone's)."""
        born = date(self.today.year - (40 if adult else 10), 3, 15)
        for seq in range(900, 1000):
            candidate = make_id("110101", born, seq)
            if candidate not in self.people and candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        raise RuntimeError("no unused ID number left for a stranger")
