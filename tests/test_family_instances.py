"""The guardian's consent on two instances sharing Redis, one killed (-9) under the answer.

A minor binds on instance A; the request reaches the guardian's chat through the mock
platform's API. The guardian's 同意 goes to instance B while B's backend call is slowed, and B
is killed mid-turn; the platform delivers the push again to A. Counted: the card is bound
once (to the minor, consent via wechat), the minor hears the outcome once, the guardian gets
the request once and the answer to their 同意 once, and no code goes to the guardian's phone.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
import yaml

from flows.ids import make_id
from tests.followers import OWED_WAIT
from tests.instances import Fleet, eventually

pytestmark = pytest.mark.faults
TODAY = date.today()
GUARDIAN = {"id_number": make_id("110105", TODAY.replace(year=TODAY.year - 40), 11),
            "name": "林建国", "phone": "13711110001", "card": "G00000001"}
MINOR = {"id_number": make_id("110105", TODAY.replace(year=TODAY.year - 12) - timedelta(1), 12),
         "name": "林小雨", "phone": None, "card": "G00000002"}
M_OPENID, G_OPENID = "oFamilyMinor001", "oFamilyGuard001"
SLOW = 3.0  # s the guardian's first backend call takes on B: B dies during it
QUIET = 3.0  # s after the end in which a late duplicate would show


def seed(path: Path) -> None:
    people = [GUARDIAN, MINOR]
    path.write_text(yaml.safe_dump({
        "people": [{k: p[k] for k in ("id_number", "name", "phone")} for p in people],
        "cards": [{"card_number": p["card"], "holder": p["id_number"], "password": "147258",
                   "status": "active"} for p in people],
        "guardianships": [{"minor": MINOR["id_number"], "guardian": GUARDIAN["id_number"],
                           "relation": "father"}]}, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def fleet(redis_process, tmp_path: Path):
    fleet = Fleet(tmp_path, redis_process.url, [], platform=True)
    seed(tmp_path / "seed.yaml")  # written over the fleet's own, before anything starts
    try:
        yield fleet.start()
    except BaseException:
        print(fleet.tails())
        raise
    finally:
        fleet.stop()


def test_a_guardians_answer_survives_kill_9_one_bind_one_message_each(fleet):
    a, b = fleet.instances
    client_a = a.client()
    client_b = b.client(client_a.ids)
    assert "欢迎" in client_a.subscribe(G_OPENID).text  # he follows
    requests.post(f"{fleet.api}/rpc/bind", json={"card_number": GUARDIAN["card"],
                                                 "openid": G_OPENID}, timeout=10)
    for said in ("绑定社保卡", MINOR["id_number"], MINOR["name"], MINOR["card"]):
        assert client_a.text(M_OPENID, said).ok
    asked = client_a.text(M_OPENID, GUARDIAN["id_number"]).text
    assert "监护人在其本人微信中确认" in asked, asked
    got = eventually(lambda: len(fleet.outbound(G_OPENID)), 1, OWED_WAIT, every=0.5)
    assert got == 1 and "林** 正在把社保卡" in fleet.outbound(G_OPENID)[0]

    fleet.post("faults", {"delay": SLOW, "times": 1})
    xml = client_b.build("text", G_OPENID, Content="同意")
    on_b = threading.Thread(target=lambda: _deliver(client_b, xml), daemon=True)
    on_b.start()
    time.sleep(SLOW / 3)  # B is inside the guardian's turn, waiting for the backend
    b.kill()
    on_b.join(10)
    retry = client_a.send_xml(xml, user=G_OPENID)  # the platform delivers it again, to A
    assert retry.ok, retry.error
    bound = eventually(lambda: fleet.card(MINOR["card"])["bound_openid"], M_OPENID, OWED_WAIT,
                       every=0.5)
    assert bound == M_OPENID, fleet.tails()
    told = eventually(lambda: len(fleet.outbound(M_OPENID)), 1, OWED_WAIT, every=0.5)
    assert told == 1
    after = client_a.text(M_OPENID, "嗯").text  # the minor's next message
    assert "监护人已同意" in after, after
    answered = retry.text or eventually(lambda: len(fleet.outbound(G_OPENID)), 2, OWED_WAIT,
                                        every=0.5)
    time.sleep(QUIET)
    minor_texts, guardian_texts = fleet.outbound(M_OPENID), fleet.outbound(G_OPENID)
    assert len([t for t in minor_texts if "已绑定到本微信" in t]) == 1, minor_texts
    assert len([t for t in guardian_texts if "【监护人确认】" in t]) == 1, guardian_texts
    said_agreed = [t for t in guardian_texts if "已同意" in t]
    assert len(said_agreed) == (0 if isinstance(answered, str) else 1), guardian_texts
    card = fleet.card(MINOR["card"])
    assert card["guardian_consent"]["via"] == "wechat"
    assert fleet.sms(GUARDIAN["phone"]) == []  # no code: his answer was the proof
    client_a.close()
    client_b.close()


def _deliver(client, xml: str) -> None:
    try:
        client.send_xml(xml, user=G_OPENID)
    except requests.RequestException:  # B died under it
        pass
