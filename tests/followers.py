"""The platform's side for the multi-instance tests: followers whose pushes go to any instance."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import requests

from tests.instances import Fleet, eventually

WINDOW = 5.0  # s the platform waits for a passive reply
OWED_WAIT = 30.0  # s a reply owed through the API may take to reach the follower
OWED_POLL = 1.0  # s between looks at what reached the follower through the API (each costs CPU)


class Follower:
    """One follower whose pushes the platform may deliver to either instance."""

    def __init__(self, fleet: Fleet, person: dict, openid: str) -> None:
        self.fleet, self.person, self.openid = fleet, person, openid
        first = fleet.instances[0].client()  # its MsgIds serve all: the platform numbers once
        self.clients = [first, *(i.client(first.ids) for i in fleet.instances[1:])]
        self.timings: list[float] = []  # seconds each push took to be answered
        self.owed_replies = 0  # pushes answered `success`, their reply owed through the API

    def steps(self) -> Iterator[tuple[Callable[[], str], str]]:
        """The bind-card flow: what the follower says (read when due) and what is asked next."""
        p = self.person
        yield from [(lambda: "绑定社保卡", "身份证号"), (lambda: p["id_number"], "姓名"),
                    (lambda: p["name"], "卡号"), (lambda: p["card"], "验证码"),
                    (lambda: self.fleet.sms(p["phone"])[-1]["code"], "绑定成功")]

    def say(self, text: str, on: int) -> str:
        """Push `text` to instance `on`; the reply, timed (passive, or owed through the API).

        Timed as the platform times it: from sending the request to the answer in hand, not
        the simulator's own building, signing and reading around it.
        """
        delivery = self.clients[on].text(self.openid, text)
        (answer,) = delivery.answers  # the fleet's clients do not retry
        assert answer is not None, delivery.error
        self.timings.append(answer.elapsed)
        assert delivery.ok, delivery.error
        return delivery.text or self.owed()

    def owed(self) -> str:
        """A push answered `success`: its reply must come through the API instead, once."""
        assert self.fleet.platform is not None, f"{self.openid}: `success`, and no API to send it"
        self.owed_replies += 1
        sent = eventually(lambda: len(self.fleet.outbound(self.openid)), self.owed_replies,
                          OWED_WAIT, every=OWED_POLL)
        assert sent == self.owed_replies, f"{self.openid}: {sent} sent through the API"
        return self.fleet.outbound(self.openid)[-1]

    def close(self) -> None:
        for client in self.clients:
            client.close()


def both_at_once(follower: Follower, text: str) -> list:
    """Deliver one push to both instances at the same moment (a retry landing elsewhere)."""
    xml = follower.clients[0].build("text", follower.openid, Content=text)
    gate, out = threading.Barrier(2), [None, None]

    def deliver(on: int) -> None:
        gate.wait()
        out[on] = follower.clients[on].send_xml(xml, user=follower.openid)

    threads = [threading.Thread(target=deliver, args=(on,)) for on in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * WINDOW)
    return out


def delivered(follower: Follower, on: int, xml: str) -> object:
    """The delivery, or None when the connection broke (the instance died under it)."""
    try:
        return follower.clients[on].send_xml(xml, user=follower.openid)
    except requests.ConnectionError:
        return None
