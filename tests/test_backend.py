"""The Backend interface, one suite run twice: the in-process mock and HttpBackend.

The HTTP side talks to a real `wxbot backend` server in a subprocess, started with
`--manual-clock` so code expiry, the resend limit and the lockout are tested there too.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.backend import BackendError, HttpBackend, MockBackend, SimulatedBackend
from bot.backend.client import CONNECT_TIMEOUT, READ_TIMEOUT
from bot.backend.codes import DAILY_CAP, MAX_FAILURES
from bot.backend.spent import STALE_KEEP
from bot.clock import ManualClock
from tests.people import FENG_JUN, HE_JING, LI_NA, MA_CHAO, WANG_XM, WU_LEI, ZHANG, ZHENG_JIE

pytestmark = pytest.mark.xdist_group("test_backend")

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "backend.yaml"
TODAY = date(2026, 11, 22)


@dataclass
class Env:
    backend: SimulatedBackend
    advance: Any  # (seconds) -> None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `wxbot backend` subprocess on a free loopback port; yields its base URL."""
    tmp = tmp_path_factory.mktemp("backend-server")
    command = "from bot.backend.server import backend_command; backend_command()"
    args = ["--port", "0", "--data-dir", str(tmp), "--seed", str(SEED), "--manual-clock"]
    with (tmp / "stderr.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", command, *args], stdout=subprocess.PIPE, stderr=log
        )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        assert line.startswith("mock backend on "), (tmp / "stderr.log").read_text()
        yield line.split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture(params=["mock", pytest.param("http", marks=pytest.mark.e2e)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    """A freshly seeded backend on 2026-11-22 at 10:00, and a way to move its time."""
    if request.param == "mock":
        clock = ManualClock(TODAY)
        with MockBackend(tmp_path / "backend.sqlite3", SEED, clock) as mock:
            yield Env(mock, clock.advance)
        return
    with HttpBackend(request.getfixturevalue("server")) as http:
        http.reset()

        def advance(seconds: float) -> None:
            http.request("POST", "clock", json={"advance": seconds})

        http.request("POST", "clock", json={"today": TODAY.isoformat()})
        yield Env(http, advance)


def last_code(backend: SimulatedBackend, phone: str) -> str:
    return backend.sms_outbox(phone)[-1]["code"]


def test_people_and_names(env: Env) -> None:
    b = env.backend
    assert b.person(ZHANG.id).name == "张伟"
    assert b.person(FENG_JUN.id).phone is None
    assert b.person("110105199001011233") is None
    assert b.name_matches(ZHANG.id, "张伟") and b.name_matches(ZHANG.id, " 张 伟")
    assert not b.name_matches(ZHANG.id, "张三") and not b.name_matches(HE_JING.id, "张伟")


def test_cards_and_guardians(env: Env) -> None:
    b = env.backend
    card = b.card(ZHANG.card)
    assert (card.holder, card.status, card.bound_openid) == (ZHANG.id, "active", None)
    assert b.card(WU_LEI.card).status == "lost" and b.card(ZHENG_JIE.card).status == "frozen"
    assert b.card("Z00000000") is None
    assert [c.card_number for c in b.cards_of(ZHANG.id)] == [ZHANG.card]
    assert b.cards_of(HE_JING.id) == []
    assert b.guardian_relation(WANG_XM.id, LI_NA.id) == "mother"
    assert b.guardian_relation(WANG_XM.id, ZHANG.id) is None


def test_send_code_delivers_six_digits_to_the_outbox(env: Env) -> None:
    sent = env.backend.send_code(ZHANG.id, "bind")
    assert sent.ok and sent.phone_masked == "138****8000"
    [message] = env.backend.sms_outbox(ZHANG.phone)
    assert set(message) == {"phone", "code", "purpose", "sent_at"}
    assert message["purpose"] == "bind" and message["sent_at"] == "2026-11-22T10:00:00+08:00"
    assert len(message["code"]) == 6 and message["code"].isdigit()


def test_send_code_refusals(env: Env) -> None:
    b = env.backend
    assert b.send_code(FENG_JUN.id, "reset").reason == "no_phone"
    assert b.send_code(WANG_XM.id, "bind").reason == "no_phone"
    assert b.send_code("110105199001011233", "bind").reason == "unknown"
    assert b.send_code(ZHANG.id, "bind").ok
    again = b.send_code(ZHANG.id, "bind")  # one code per phone and purpose a minute
    assert (again.ok, again.reason, again.retry_after) == (False, "too_soon", 60)
    assert again.phone_masked == "138****8000"
    assert b.send_code(ZHANG.id, "reset").ok  # another purpose: a code really goes out
    env.advance(45)
    assert b.send_code(ZHANG.id, "bind").retry_after == 15
    env.advance(15)
    assert b.send_code(ZHANG.id, "bind").ok
    assert [m["purpose"] for m in b.sms_outbox("13800138000")] == ["bind", "reset", "bind"]


def test_a_phone_gets_at_most_the_daily_cap_of_codes(env: Env) -> None:
    b = env.backend
    purposes = ["bind", "reset", "unbind", "consent"]
    for n in range(DAILY_CAP):
        assert b.send_code(ZHANG.id, purposes[n % 4]).ok, n
        env.advance(61)
    capped = b.send_code(ZHANG.id, "reset")  # 10:10:10 on 2026-11-22, Shanghai
    assert (capped.ok, capped.reason, capped.phone_masked) == (False, "capped", "138****8000")
    assert capped.retry_after == 14 * 3600 - DAILY_CAP * 61  # until midnight in Shanghai
    assert len(b.sms_outbox("13800138000")) == DAILY_CAP  # nothing was sent
    assert b.send_code(LI_NA.id, "bind").ok  # the cap is per phone
    env.advance(capped.retry_after)  # the backend's clock: a new day
    assert b.send_code(ZHANG.id, "reset").ok


def test_a_correct_code_is_used_once(env: Env) -> None:
    b = env.backend
    assert b.check_code(ZHANG.id, "bind", "123456").reason == "none_sent"
    b.send_code(ZHANG.id, "bind")
    code = last_code(b, ZHANG.phone)
    assert not b.check_code(ZHANG.id, "reset", code).ok  # codes are per purpose
    assert b.check_code(ZHANG.id, "bind", code).ok
    assert b.check_code(ZHANG.id, "bind", code).reason == "stale"  # used: not a guess


def test_a_code_replaced_by_a_resend_is_stale_and_costs_no_try(env: Env) -> None:
    b = env.backend
    b.send_code(ZHANG.id, "bind")
    first = last_code(b, ZHANG.phone)
    env.advance(61)
    b.send_code(ZHANG.id, "bind")
    latest = last_code(b, ZHANG.phone)
    for _ in range(MAX_FAILURES + 1):  # never locks: each is a code that was really sent
        assert b.check_code(ZHANG.id, "bind", first).reason == "stale"
    wrong = f"{(int(latest) + 1) % 10**6:06d}"
    assert b.check_code(ZHANG.id, "bind", wrong).attempts_left == MAX_FAILURES - 1
    assert b.check_code(ZHANG.id, "bind", first).reason == "stale"
    assert b.check_code(ZHANG.id, "reset", first).reason == "none_sent"  # per purpose
    assert b.check_code(ZHANG.id, "bind", latest).ok
    env.advance(STALE_KEEP)
    b.send_code(ZHANG.id, "bind")
    check = b.check_code(ZHANG.id, "bind", first)  # forgotten: now an ordinary wrong code
    assert check.reason == "wrong" or first == last_code(b, ZHANG.phone)


def test_codes_expire_after_five_minutes(env: Env) -> None:
    b = env.backend
    b.send_code(ZHANG.id, "bind")
    code = last_code(b, ZHANG.phone)
    env.advance(300)
    assert b.check_code(ZHANG.id, "bind", code).reason == "expired"
    env.advance(1)
    b.send_code(ZHANG.id, "bind")
    assert b.check_code(ZHANG.id, "bind", last_code(b, ZHANG.phone)).ok


def test_five_wrong_codes_lock_that_id_for_that_purpose(env: Env) -> None:
    b = env.backend
    b.send_code(ZHANG.id, "bind")
    code = last_code(b, ZHANG.phone)
    wrong = "000000" if code != "000000" else "111111"
    lefts = [b.check_code(ZHANG.id, "bind", wrong).attempts_left for _ in range(3)]
    assert lefts == [4, 3, 2]
    env.advance(60)
    b.send_code(ZHANG.id, "bind")  # a new code does not buy new guesses
    wrong = "000000" if last_code(b, ZHANG.phone) != "000000" else "111111"
    assert b.check_code(ZHANG.id, "bind", wrong).attempts_left == 1
    locked = b.check_code(ZHANG.id, "bind", wrong)
    assert (locked.ok, locked.reason, locked.retry_after) == (False, "locked", 1800)
    env.advance(600)
    assert b.check_code(ZHANG.id, "bind", last_code(b, ZHANG.phone)).retry_after == 1200
    assert b.send_code(ZHANG.id, "bind").reason == "locked"
    assert b.send_code(ZHANG.id, "reset").ok  # another purpose is not locked
    env.advance(1200)
    assert b.send_code(ZHANG.id, "bind").ok
    assert b.check_code(ZHANG.id, "bind", last_code(b, ZHANG.phone)).ok


def test_a_guardians_consent_and_own_binding_share_one_lockout(env: Env) -> None:
    b = env.backend
    b.send_code(LI_NA.id, "consent")
    wrong = "000000" if last_code(b, "13900000001") != "000000" else "111111"
    for _ in range(MAX_FAILURES):
        checked = b.check_code(LI_NA.id, "consent", wrong)
    assert checked.reason == "locked"
    assert b.send_code(LI_NA.id, "bind").reason == "locked"  # no five more guesses as "bind"
    assert b.send_code(LI_NA.id, "reset").ok


def test_binding_an_adult_card(env: Env) -> None:
    b = env.backend
    card = b.bind(ZHANG.card, "oAlice")
    assert card.bound_openid == "oAlice" and b.binding("oAlice") == card
    assert b.bind(ZHANG.card, "oAlice") == card  # a retried request is harmless
    assert b.card_view(ZHANG.card)["bound_openid"] == "oAlice"
    assert b.card_view(ZHANG.card)["guardian_consent"] is None
    assert b.unbind("oAlice").bound_openid is None
    assert b.binding("oAlice") is None and b.unbind("oAlice") is None


@pytest.mark.parametrize(
    ("card_number", "openid", "code"),
    [
        (MA_CHAO.card, "oAlice", "card_bound"),  # seeded as bound to oSeedBound0001
        (LI_NA.card, "oSeedBound0001", "account_bound"),
        (WU_LEI.card, "oAlice", "card_lost"),
        (ZHENG_JIE.card, "oAlice", "card_frozen"),
        ("Z99999999", "oAlice", "card_unknown"),
    ],
)
def test_binding_refusals(env: Env, card_number: str, openid: str, code: str) -> None:
    with pytest.raises(BackendError) as refused:
        env.backend.bind(card_number, openid)
    assert refused.value.code == code


def test_a_guardians_consent_is_recorded_with_the_binding(env: Env) -> None:
    b = env.backend
    with pytest.raises(BackendError, match="not_guardian"):
        b.bind(WANG_XM.card, "oMum", guardian=ZHANG.id)
    b.bind(WANG_XM.card, "oMum", guardian=LI_NA.id)
    assert b.card_view(WANG_XM.card)["guardian_consent"] == {
        "guardian_id_masked": "3101**********0463",
        "relation": "mother",
        "at": "2026-11-22T10:00:00+08:00",
        "via": "sms",
    }
    b.unbind("oMum")
    assert b.card_view(WANG_XM.card)["guardian_consent"] is None
    assert b.card_view("nope") is None
    b.bind(WANG_XM.card, "oMum", guardian=LI_NA.id, via="wechat")  # her 同意 in her own chat
    assert b.card_view(WANG_XM.card)["guardian_consent"]["via"] == "wechat"


def test_family_members_are_added_once_listed_and_removed(env: Env) -> None:
    b = env.backend
    assert b.family_of(LI_NA.id) == []
    assert b.add_family(LI_NA.id, WANG_XM.id) is True
    assert b.add_family(LI_NA.id, WANG_XM.id) is False  # a repeat adds nothing
    assert [m.name for m in b.family_of(LI_NA.id)] == ["王小明"]
    assert b.remove_family(LI_NA.id, WANG_XM.id) is True
    assert b.remove_family(LI_NA.id, WANG_XM.id) is False
    assert b.family_of(LI_NA.id) == []


def test_passwords(env: Env) -> None:
    b = env.backend
    assert b.password_is(ZHANG.id, ZHANG.password) and b.verify_password(ZHANG.card, ZHANG.password)
    assert not b.password_is(ZHANG.id, "147259") and not b.verify_password(ZHANG.card, "")
    assert not b.verify_password("Z99999999", ZHANG.password) and not b.password_is(HE_JING.id, "x")
    b.set_password(ZHANG.id, "369258")
    assert b.verify_password(ZHANG.card, "369258") and not b.password_is(ZHANG.id, ZHANG.password)
    for bad, code in [("12345", "bad_password"), ("abcdef", "bad_password")]:
        with pytest.raises(BackendError, match=code):
            b.set_password(ZHANG.id, bad)
    with pytest.raises(BackendError, match="no_card"):
        b.set_password(HE_JING.id, "369258")


def test_a_review_decision_reaches_every_observer_once_after_it_is_made(env: Env) -> None:
    b, seen = env.backend, []

    def broken(*_: object) -> None:
        raise RuntimeError("notice service down")

    b.on_decision.extend([broken, lambda *args: seen.append(args)])
    first = b.open_review(FENG_JUN.id, "oFeng", "no_phone")
    second = b.open_review(ZHANG.id, "oZhang", "no_code")
    assert seen == []  # opening is no decision
    assert b.decide_review(first.ref, True).status == "approved"  # despite the broken one
    b.decide_review(second.ref, False)
    assert seen == [("oFeng", first.ref, "approved"), ("oZhang", second.ref, "rejected")]
    assert not any(FENG_JUN.id in str(args) or ZHANG.id in str(args) for args in seen)
    with pytest.raises(BackendError):
        b.decide_review(first.ref, False)  # decided already: no second notice
    assert len(seen) == 2


def test_offline_reviews(env: Env) -> None:
    b = env.backend
    first = b.open_review(FENG_JUN.id, "oFeng", "no_phone")
    assert (first.ref, first.status, first.id_number) == ("R20261122-0001", "pending", FENG_JUN.id)
    assert b.open_review(FENG_JUN.id, "oFeng", "no_phone") == first  # asking again: same ticket
    second = b.open_review(ZHANG.id, "oZhang", "no_code")
    assert second.ref == "R20261122-0002"
    env.advance(86400)
    assert b.open_review(HE_JING.id, "oHe", "no_card").ref == "R20261123-0001"
    assert [r.ref for r in b.reviews("oZhang")] == ["R20261122-0002"]
    assert len(b.reviews()) == 3
    assert b.decide_review(first.ref, True).status == "approved"
    assert b.decide_review(second.ref, False).status == "rejected"
    assert [r.status for r in b.reviews()] == ["approved", "rejected", "pending"]
    for ref, code in [(first.ref, "review_decided"), ("R20200101-0001", "review_unknown")]:
        with pytest.raises(BackendError, match=code):
            b.decide_review(ref, True)


def test_reset_restores_the_seed(env: Env) -> None:
    b = env.backend
    b.bind(ZHANG.card, "oAlice")
    b.set_password(ZHANG.id, "369258")
    b.send_code(ZHANG.id, "bind")
    b.open_review(FENG_JUN.id, "oFeng", "no_phone")
    b.reset()
    assert b.binding("oAlice") is None and b.verify_password(ZHANG.card, ZHANG.password)
    assert b.sms_outbox(ZHANG.phone) == [] and b.reviews() == []
    assert b.card(MA_CHAO.card).bound_openid == "oSeedBound0001"


def test_reset_to_another_seed_is_for_that_reset_only(env: Env, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "people: [{id_number: '11010519491231002X', name: 王五, phone: '13700000000'}]\n"
        "cards: [{card_number: X1, holder: '11010519491231002X', password: '111111'}]\n",
        encoding="utf-8",
    )
    env.backend.reset(other)
    assert env.backend.person(ZHANG.id) is None
    assert env.backend.verify_password("X1", "111111")
    env.backend.reset()
    assert env.backend.person(ZHANG.id) is not None and env.backend.card("X1") is None


def test_a_backend_that_never_answers_is_a_timeout_after_the_read_timeout() -> None:
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen()  # accepts connections (the kernel does), never answers
        url = f"http://127.0.0.1:{hung.getsockname()[1]}/backend/v1"
        with HttpBackend(url, timeout=0.5) as http:
            started = time.monotonic()
            with pytest.raises(BackendError, match="timeout"):  # it may have been done
                http.person(ZHANG.id)
            assert 0.5 <= time.monotonic() - started < 3
    assert HttpBackend("http://x").timeout == (CONNECT_TIMEOUT, READ_TIMEOUT)
