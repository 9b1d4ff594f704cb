"""Replacing what a follower typed with seed values of the same role, counting what was replaced.

Nothing typed in an answer step survives: ID numbers, names, card numbers, codes, passwords and
reasons all become seed (or made-up) values; free text keeps its words, and anything in it
that looks like an ID, phone, card number or code gets a consistent stand-in (freetext.py).
`personal` collects the originals so that the fixture can be checked against them; they are
never printed.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.sim.record.freetext import WRONG_NAME, FreeText
from bot.sim.record.roles import Analysis, Answer
from bot.sim.record.seedbook import SeedBook, SeedPerson
from flows.ids import birth_date, check_digit, fold
from flows.language.slots import read_slot
from flows.passwords import weakness

WRONG_CARD, WRONG_CODE, BAD_CODE = "X00000000", "000000", "12345"
BAD_IDS = {"common.id_format": "1101051990", "common.id_date": "110105199013011234"}
WEAK = {"reset.pw_format": "12345", "reset.pw_repeated": "111111", "reset.pw_sequence": "123456"}
STRONG = ("802461", "739150", "615094", "570382", "946217", "381940")
REASONS = {"zh_CN": "原手机号已停用，收不到验证码。", "en": "My old phone number no longer works."}
IN_PLACE = ("id", "guardian", "name", "card", "code")  # read out of a sentence by the step
SWAPPED = ("id", "guardian", "name", "card")  # answers whose stand-in is a value, not a step
NOUNS = {"id": "ID numbers", "guardian": "ID numbers", "bad_id": "ID numbers", "name": "names",
         "card": "card numbers", "code": "codes", "password": "passwords",
         "confirm": "passwords", "reason": "free-text reasons"}


class Substitutes:
    """Stand-ins for the recorded people, and the replacement for every answer."""

    def __init__(self, analysis: Analysis, book: SeedBook, seed_cards: dict[str, str],
                 lang: str) -> None:
        self.analysis, self.book, self.lang = analysis, book, lang
        self.seed_passwords = seed_cards  # card number -> seed password
        self.counts: Counter[str] = Counter()
        self.personal: set[str] = set()
        self.unmatched: list[str] = []  # roles no seed person could play
        self.stand_in: dict[str, SeedPerson | None] = {}
        self._strangers: dict[str, str] = {}
        self.free = FreeText(self.personal, self.counts, self.person_id)
        self._passwords: dict[str, str] = {}
        self._last_password = ""
        self._map_people()

    def _map_people(self) -> None:
        """Minors and holders first, then their guardians (who must be on record for them)."""
        people = self.analysis.people
        # A seed person typed on the page plays themselves (the seed is fiction, and the
        # session replays exactly as it went); so they go first, before others take them.
        for rid in sorted(people, key=lambda r: (bool(people[r].guardian_of),
                                                 r not in self.book.people)):
            wanted = people[rid]
            guardians = [people[g] for g in people if rid in people[g].guardian_of]
            minors = tuple(m for m in (self.stand_in.get(r) for r in wanted.guardian_of) if m)

            def has_guardians(person: SeedPerson, guardians: list = guardians) -> bool:
                return all(any(self.book.fits(self.book.people[g], want, (person,))
                               for g in person.guardians if g in self.book.people)
                           for want in guardians)

            self.stand_in[rid] = self.book.pick(wanted, minors, has_guardians, prefer=rid)
            if self.stand_in[rid] is None:
                self.unmatched.append("a guardian" if wanted.guardian_of else
                                      "an adult" if wanted.adult else "a minor")

    def person_id(self, rid: str | None) -> str:
        person = self.stand_in.get(rid or "")
        if person is not None:
            return person.id
        return self._strangers.setdefault(rid or "", self.book.stranger())

    def replace(self, answer: Answer, said: str) -> str:
        """The text to send in the fixture for what the follower typed at this step."""
        value = self._value(answer, said)
        if answer.role in IN_PLACE:
            value = self._in_place(answer.role, said, value)
        if answer.role in NOUNS:
            self.counts[NOUNS[answer.role]] += 1
            self.personal.update({said.strip(), fold(said)})
            if answer.role in SWAPPED and "{" not in value:  # typed again elsewhere: the same
                self.free.swaps.setdefault(fold(said), value)
        return value

    def _in_place(self, role: str, said: str, value: str) -> str:
        """An answer wrapped in words keeps its words, so the step still says what it read
        ("收到，身份证号：…"); the words around it are scrubbed like free text."""
        slot = read_slot(role, said)
        folded = fold(said)
        found = slot and slot.dug and re.search(
            r"[\s-]*".join(map(re.escape, slot.value)), folded, re.IGNORECASE)
        if not found:
            return value
        return self.scrub(folded[:found.start()]) + value + self.scrub(folded[found.end():])

    def _value(self, answer: Answer, said: str) -> str:
        role, owner = answer.role, self.stand_in.get(answer.owner or "")
        if role in ("id", "guardian"):
            return self.person_id(answer.owner) if answer.ok or role == "id" else \
                self.book.stranger()
        if role == "bad_id":
            return BAD_IDS.get(answer.detail or "", self._bad_check())
        if role == "name":
            return owner.name if answer.ok and owner else WRONG_NAME
        if role == "card":
            card = self.book.card_of(owner, self.analysis.people[answer.owner or ""].card) \
                if answer.ok and owner else None
            return str(card["card_number"]) if card else WRONG_CARD
        if role == "code":
            if not re.search(r"(?<!\d)\d{6}(?!\d)", fold(said)):  # "验证码是 123456" too
                return BAD_CODE
            return f"{{sms:{owner.phone}}}" if answer.ok and owner and owner.phone else WRONG_CODE
        if role == "password":
            return self._password(answer, fold(said), owner)
        if role == "confirm":
            return self._last_password if answer.ok else self._strong(owner, "confirm:" + said)
        if role == "reason":
            return REASONS.get(self.lang, REASONS["en"])
        return self.scrub(said)

    def _bad_check(self) -> str:
        """A well-shaped ID number whose check digit is wrong."""
        good = self.book.stranger()
        return good[:17] + ("0" if check_digit(good[:17]) != "0" else "1")

    def _password(self, answer: Answer, typed: str, owner: SeedPerson | None) -> str:
        if answer.ok:
            self._last_password = self._strong(owner, typed)
            return self._last_password
        if answer.detail == "reset.pw_birthday" and owner:
            return f"{birth_date(owner.id):%y%m%d}"
        if answer.detail == "reset.pw_current" and owner:
            cards = [self.seed_passwords.get(str(c["card_number"])) for c in owner.cards]
            return next((p for p in cards if p), STRONG[0])
        return WEAK.get(answer.detail or "", "12345")

    def _strong(self, owner: SeedPerson | None, typed: str) -> str:
        """A distinct acceptable password per distinct recorded one."""
        if typed not in self._passwords:
            born = birth_date(owner.id) if owner else None
            fine = [p for p in STRONG if p not in self._passwords.values()
                    and (born is None or weakness(p, born) is None)]
            self._passwords[typed] = fine[0] if fine else STRONG[-1]
        return self._passwords[typed]

    def scrub(self, text: str) -> str:
        """Free text with consistent stand-ins (freetext.py); call it after every answer was
        replaced, so all typed values are known."""
        return self.free.scrub(text)
