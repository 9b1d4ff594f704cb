"""Family services (亲情服务) in a guardian's own chat (docs/family.md).

A holder whose own card is bound to this chat adds a child they are guardian of (the child's
ID number and name, then a code to the holder's own phone), sees each member's card status
(masked), resets a member's forgotten password (a code to the holder's phone, then the new
password twice: nothing is typed in the child's chat) and removes a member. Our rule for who
can be added: a holder under 18 whose guardian on record is this holder; the cap on members is
BOT_FAMILY_MAX_MEMBERS (real services split at 16 and cap differently: docs/family.md).
"""

from __future__ import annotations

from typing import Any

from flows.base import DONE, FAILED, Flow, Turn, ask, branch, outcome_is
from flows.forgot_password import ForgotPassword
from flows.ids import age_on, mask_card, mask_name
from flows.port import BackendError, Person
from flows.reading import id_in
from flows.verify import CODE_LOCKED, Verification, code_step

SENT = {"sent": "ask_code", "too_soon": "ask_code", "no_phone": "no_phone",
        "locked": "code_locked", "capped": "code_locked"}
ACTIONS = {"1": "add", "2": "reset", "3": "remove"}
# The menu names each action in words, so people answer in them too ("添加家人", "帮孩子重置密码");
# a message naming two actions is asked again rather than guessed.
ACTION_WORDS = {"add": ("添加", "加入", "增加", "add"),
                "reset": ("重置", "密码", "reset", "password"),
                "remove": ("移除", "删除", "去掉", "remove", "delete")}
MAX_MEMBERS = 5  # without a family desk telling the setting


class FamilyService(Verification, Flow):
    """Pick an action, then who (a new child, or a member by number), then proof by SMS."""

    # No menu key: WeChat's bar holds 2 buttons + 5 under a third, all taken by every holder's
    # own services; the numbered menu and the words (亲情服务, 添加家人) reach this one.
    name, title, keywords, menu_key = "family", "family.title", "family", None
    # One purpose for every code here: the guardian proves it is them, whatever they then do.
    initial, purpose, guardian_purpose = "choose", "consent", None
    pauses_up_front = False  # the member list and 移除 need no code: a lock is said where met
    own_starts = ("forgot_password",)  # "重置密码" at its menu: a member's reset (2)
    states = [
        {"name": "choose", "prompt": "family.choose", "help": "family.help_choose",
         "read": "read_action", "role": "text"},
        {"name": "ask_id", "prompt": "family.ask_id", "help": "family.help_id",
         "read": "read_member", "role": "id"},
        {"name": "ask_name", "prompt": "family.ask_name", "help": "common.help_name",
         "read": "read_member_name", "role": "name"},
        {"name": "ask_which", "prompt": "family.ask_which", "help": "family.help_which",
         "read": "read_which", "role": "text"},
        {"name": "ask_code", "prompt": "common.ask_code", "help": "common.help_code",
         "read": "read_code", "role": "code"},
        {"name": "ask_password", "prompt": "reset.ask_password", "help": "reset.help_password",
         "again": "reset.ask_password_again", "read": "read_password", "role": "password",
         "way_out": "reset.way_out"},  # a new password is made up, not found
        {"name": "ask_confirm", "prompt": "reset.ask_confirm", "help": "reset.help_confirm",
         "read": "read_confirm", "role": "confirm", "why": "reset.why_confirm",
         "way_out": "reset.way_out"},
        {"name": "need_own_card", "prompt": "family.need_own_card", "final": True},
        {"name": "adults_only", "prompt": "family.adults_only", "final": True},
        {"name": "member_added", "prompt": "family.added", "final": True},
        {"name": "removed", "prompt": "family.removed", "final": True},
        {"name": DONE, "prompt": "family.password_set", "final": True},
        {"name": "no_phone", "prompt": "common.no_phone", "final": True},
        CODE_LOCKED,
    ]
    transitions = [
        *ask("choose", branch("choose", {"add": "ask_id", "pick": "ask_which"})),
        *ask("ask_id", "ask_name"),
        *ask("ask_name", branch("ask_name", SENT, before="keep")),
        *ask("ask_which", branch("ask_which", {"sent": "ask_code", "too_soon": "ask_code",
                                               "locked": "code_locked", "capped": "code_locked",
                                               "removed": "removed"})),
        *code_step({"added": "member_added", "verified": "ask_password"}),
        *ask("ask_password", "ask_confirm"),
        {"trigger": "answer", "source": "ask_confirm", "dest": DONE, "conditions": "is_accepted"},
        {"trigger": "answer", "source": "ask_confirm", "dest": FAILED,
         "conditions": "is_out_of_tries"},
        *branch("ask_confirm", {"again": "ask_confirm"}, before="complain"),
        {"trigger": "answer", "source": "ask_confirm", "dest": "ask_password",
         "before": "complain"},
    ]
    is_add, is_pick, is_removed = outcome_is("add"), outcome_is("pick"), outcome_is("removed")
    is_added, is_verified, is_again = outcome_is("added"), outcome_is("verified"), \
        outcome_is("again")
    read_password = ForgotPassword.read_password  # the member's: slots["id"] is theirs
    read_confirm = ForgotPassword.read_confirm

    def start(self) -> None:
        """Only an adult holder whose own card is bound here; the members are shown at once.
        A minor is told kindly who the service is for, and nothing about anyone's card."""
        card = self.backend.binding(self.turn.openid)
        if card is None:
            self.state = "need_own_card"
        elif not self.adult(card.holder):
            self.state = "adults_only"
        else:
            self.slots["me"] = card.holder
            self.list_members()
        super().start()

    def list_members(self) -> None:
        """Each member, masked, with their card's status (or that there is none yet), read
        from the backend once and said two ways: numbered for the step that asks which
        member (`members`), and not beside the menu's numbered actions (`roster`): "1. 王**"
        above "1. 添加家人" made a parent reply 1 for her child and start adding one."""
        rows = []
        for member in self.members():
            cards = self.backend.cards_of(member.id_number)
            status = ", ".join(f"{mask_card(c.card_number)} "
                               f"{self.turn.catalog.text(f'family.status_{c.status}')}"
                               for c in cards) or self.turn.catalog.text("family.no_card")
            rows.append((mask_name(member.name), status))
        for slot, key in (("members", "family.member"), ("roster", "family.member_line")):
            self.slots[slot] = "\n".join(
                self.turn.catalog.text(key, n=n, name=name, status=status)
                for n, (name, status) in enumerate(rows, 1)) \
                or self.turn.catalog.text("family.none_yet")

    def members(self) -> list[Person]:
        return self.backend.family_of(self.slots["me"])

    @staticmethod
    def answered_by(text: str) -> bool:
        """Whether the sentence that started the service already picks at its menu: "帮我儿子
        改个密码" is the member's reset (2), asked which member next, not the menu shown."""
        return action_in(text) is not None

    def read_action(self, text: str) -> str | None:
        action = action_in(text)
        if action is None:
            return "family.pick_action"
        count = len(self.members())
        if action == "add" and count >= self.cap:
            self.slots["cap"] = self.cap
            return "family.full"
        if action != "add" and not count:
            return "family.no_members"
        self.slots["action"], self.outcome = action, "add" if action == "add" else "pick"
        return None

    @property
    def cap(self) -> int:
        family = self.turn.family
        return family.max_members if family is not None else MAX_MEMBERS

    def read_member(self, text: str) -> str | None:
        """A child under 18 whose guardian on record is this holder, not yet a member."""
        self.value, error = id_in(self.turn, "id", text)
        if error:
            return error
        if self.value == self.slots["me"] or self.adult(self.value):
            return "family.not_minor"
        if not self.backend.guardian_relation(self.value, self.slots["me"]):
            return "family.not_your_minor"
        if any(m.id_number == self.value for m in self.members()):
            return "family.already"
        return None

    def read_member_name(self, text: str) -> str | None:
        error = self.read_name(text)
        if error is None:
            self.send_code(self.slots["me"])  # the code goes to the guardian's own phone
        return error

    def read_which(self, text: str) -> str | None:
        members = self.members()
        picked = text.strip().strip("。.")
        if not picked.isdigit() or not 1 <= int(picked) <= len(members):
            return "family.pick_member"
        member = members[int(picked) - 1]
        self.slots["id"], self.slots["member"] = member.id_number, mask_name(member.name)
        if self.slots["action"] == "remove":
            self.backend.remove_family(self.slots["me"], member.id_number)
            self.outcome = "removed"
            return None
        self.send_code(self.slots["me"])
        if self.outcome == "no_phone":  # a member was added with a code: the phone went since
            self.outcome = ""
            return "family.no_phone_now"
        return None

    def verified(self) -> str:
        """The code unlocks the action chosen: adding the child, or a new password."""
        if self.slots["action"] == "add":
            self.backend.add_family(self.slots["me"], self.slots["id"])
            self.slots["member"] = mask_name(self.backend.person(self.slots["id"]).name)
            return "added"
        return "verified"

    def prompt(self, event: Any) -> None:
        """The list is said fresh each time the menu is entered again."""
        if self.state == "choose" and "me" in self.slots:
            self.list_members()
        super().prompt(event)


def minor_holder(turn: Turn) -> bool:
    """Whether this follower's own bound card is a minor's: family services are a guardian's,
    so the menu does not offer them one. A backend that cannot say now offers it as before
    (the flow's start asks again and refuses a minor)."""
    try:
        card = turn.backend.binding(turn.openid)
    except BackendError:
        return False
    return card is not None and age_on(card.holder, turn.clock.today()) < 18


def action_in(text: str) -> str | None:
    """The menu's number, else the one action the message names in words."""
    said = text.strip().strip("。.！!").lower()
    if said in ACTIONS:
        return ACTIONS[said]
    named = {action for action, words in ACTION_WORDS.items() if any(w in said for w in words)}
    return named.pop() if len(named) == 1 else None
