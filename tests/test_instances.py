"""Two bot instances behind one platform, sharing Redis and an external backend, as processes.

What the platform and the backend see, counted: pushes answered, backend calls per step (a
second turn for one delivery would call the backend again), cards bound, SMS codes sent.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from importlib.util import find_spec

import pytest
import requests

from bot.backend.server import create_backend_app
from bot.config import DEFAULTS, ConfigError, validate
from tests.followers import WINDOW, Follower, both_at_once, delivered
from tests.instances import Fleet, eventually, people, settled

PEOPLE = 300  # seeded adults for the module's fleet; every test takes its own
CROWD = 200  # followers at once
CROWD_BUDGET = 90.0  # s for the whole crowd to finish, on 2 shared cores
READING = 1.0  # s a follower takes to read a reply and type the next answer (people take more)
EFFECTS = ("send_code", "bind")  # what one bind flow does to the world: once each

HAS_DEADLINE = "BOT_REPLY_DEADLINE" in DEFAULTS  # turns as leases inside the 5-second window
HAS_OUTBOUND = (find_spec("bot.platform") is not None
                and find_spec("bot.sim.mockplatform") is not None)
HAS_BACKEND_FAULTS = any(rule.rule == "/backend/v1/faults"
                         for rule in create_backend_app(None).url_map.iter_rules())


def _accepts_cluster_url() -> bool:
    """Whether the config takes a Redis Cluster store (any other refusal shows in the test)."""
    try:
        validate({**DEFAULTS, "WECHAT_TOKEN": "t", "BOT_STORE": "redis+cluster://127.0.0.1:7000"})
    except ConfigError as exc:
        return "BOT_STORE" not in str(exc)
    return True


pytestmark = [pytest.mark.skipif(find_spec("gunicorn") is None,
                                 reason="gunicorn is not installed (pip install -e '.[test]')"),
              pytest.mark.e2e, pytest.mark.xdist_group("processes-fleet")]


@pytest.fixture(scope="module")
def running_fleet(redis_dbs, tmp_path_factory) -> Iterator[Fleet]:
    fleet = Fleet(tmp_path_factory.mktemp("fleet"), redis_dbs.fresh(), people(PEOPLE),
                  platform=HAS_OUTBOUND)
    try:
        yield fleet.start()
    finally:
        fleet.stop()


@pytest.fixture
def fleet(running_fleet: Fleet) -> Iterator[Fleet]:
    """The module's fleet; its logs are printed when the test fails (pytest shows them then)."""
    yield running_fleet
    print(running_fleet.tails())
    for instance in running_fleet.instances:  # a test that killed one leaves the fleet whole
        if instance.proc is None or instance.proc.poll() is not None:
            instance.start()


def _times(cost: Counter[str], n: int) -> Counter[str]:
    return Counter({method: calls * n for method, calls in cost.items()})


@pytest.fixture(scope="module")
def one_flow(running_fleet: Fleet) -> Counter[str]:
    """Backend calls of one bind flow, each push delivered once: what every flow must cost."""
    (person,) = running_fleet.take(1)
    follower = Follower(running_fleet, person, "oReference0001")
    before = running_fleet.backend_calls()
    for said, asked in follower.steps():
        assert asked in follower.say(said(), on=0)
    follower.close()
    cost = running_fleet.backend_calls() - before
    assert [cost[m] for m in EFFECTS] == [1] * len(EFFECTS), cost  # a code sent, a card bound
    return cost


def test_fleet_alternates_a_followers_pushes_and_binds_the_card_once(fleet, one_flow):
    (person,) = fleet.take(1)
    follower = Follower(fleet, person, "oAlternate0001")
    # The access log is written after each answer: the previous test's last line may still come.
    answered = [settled(i.answered) for i in fleet.instances]
    calls = fleet.backend_calls()
    for n, (said, asked) in enumerate(follower.steps()):
        assert asked in follower.say(said(), on=n % 2), f"step {n} on instance {n % 2}"
    follower.close()
    counted = eventually(lambda: [i.answered() - a for i, a in
                                  zip(fleet.instances, answered, strict=True)], [3, 2])
    assert counted == [3, 2]
    assert fleet.card(person["card"])["bound_openid"] == "oAlternate0001"
    assert len(fleet.sms(person["phone"])) == 1
    assert fleet.backend_calls() - calls == one_flow


def test_fleet_takes_one_turn_for_a_push_delivered_to_both_instances(fleet, one_flow):
    persons = fleet.take(10)
    followers = [Follower(fleet, p, f"oTwice{n:04d}") for n, p in enumerate(persons)]
    calls, problems = fleet.backend_calls(), []

    def walk(follower: Follower) -> None:
        for n, (said, asked) in enumerate(follower.steps()):
            both = both_at_once(follower, said())
            if not all(d is not None and d.ok for d in both):
                problems.append(f"{follower.openid} step {n}: {[d and d.error for d in both]}")
                return
            replies = {d.text for d in both if d.text} or {follower.owed()}  # a late turn
            if len(replies) != 1 or asked not in next(iter(replies)):
                problems.append(f"{follower.openid} step {n}: expected one reply asking "
                                f"{asked!r}, got {replies}")
                return

    threads = [threading.Thread(target=walk, args=(f,)) for f in followers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10 * WINDOW)
    for follower in followers:
        follower.close()
    assert problems == []
    assert fleet.backend_calls() - calls == _times(one_flow, len(followers))  # no second turn
    assert [fleet.card(p["card"])["bound_openid"] for p in persons] == [f.openid for f in followers]
    assert [len(fleet.sms(p["phone"])) for p in persons] == [1] * len(persons)


def test_fleet_answers_200_followers_at_once_each_in_time(fleet, one_flow):
    persons = fleet.take(CROWD)
    followers = [Follower(fleet, p, f"oCrowd{n:04d}") for n, p in enumerate(persons)]
    calls, gate, problems = fleet.backend_calls(), threading.Barrier(CROWD), []

    def walk(n: int, follower: Follower) -> None:
        gate.wait()
        for step, (said, asked) in enumerate(follower.steps()):
            if step:
                time.sleep(READING)
            try:
                reply = follower.say(said(), on=(n + step) % 2)
            except (AssertionError, requests.RequestException) as exc:
                problems.append(f"{follower.openid} step {step}: {exc}")
                return
            if asked not in reply:
                problems.append(f"{follower.openid} step {step}: {reply[:60]!r}")
                return

    threads = [threading.Thread(target=walk, args=(n, f)) for n, f in enumerate(followers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, started + CROWD_BUDGET - time.monotonic()))
    wall = time.monotonic() - started
    for follower in followers:
        follower.close()
    timings = [t for f in followers for t in f.timings]
    assert wall < CROWD_BUDGET and problems == [], problems[:10]
    assert len(timings) == CROWD * 5  # every push answered
    late = sorted(t for t in timings if t >= WINDOW)
    assert late == [], f"{len(late)} of {len(timings)} answered after {WINDOW:g} s: {late[-5:]}"
    assert fleet.backend_calls() - calls == _times(one_flow, CROWD)
    bound = [fleet.card(p["card"])["bound_openid"] for p in persons]
    assert bound == [f.openid for f in followers]
    if HAS_OUTBOUND:  # each reply owed through the API was sent, and only once
        owed = [f.owed_replies for f in followers]
        assert [len(fleet.outbound(f.openid)) for f in followers] == owed


def test_fleet_carries_on_when_an_instance_is_killed_between_messages(fleet, one_flow):
    persons = fleet.take(5)
    followers = [Follower(fleet, p, f"oBetween{n:04d}") for n, p in enumerate(persons)]
    calls = fleet.backend_calls()
    for follower in followers:  # everyone's conversation began on instance A
        steps = follower.steps()
        for said, asked in (next(steps), next(steps)):
            assert asked in follower.say(said(), on=0)
    fleet.instances[0].kill()
    for follower in followers:  # the balancer sends the rest to B: nothing was lost with A
        follower.timings.clear()
        for said, asked in list(follower.steps())[2:]:
            assert asked in follower.say(said(), on=1)
        assert max(follower.timings) < WINDOW, follower.timings
        follower.close()
    assert fleet.backend_calls() - calls == _times(one_flow, len(followers))
    assert [fleet.card(p["card"])["bound_openid"] for p in persons] == [f.openid for f in followers]


SLOW = 3.0  # s the backend's latency fault adds to the killed turn's call (under the deadline)
MID_TURN = 1.0  # s into that call when the instance is killed


@pytest.mark.skipif(not (HAS_DEADLINE and HAS_OUTBOUND and HAS_BACKEND_FAULTS),
                    reason="needs turns as leases under BOT_REPLY_DEADLINE, replies owed through "
                    "the API, and POST /backend/v1/faults (issue 13 points 2-4)")
def test_fleet_carries_on_when_an_instance_is_killed_mid_turn(fleet, one_flow):
    persons = fleet.take(4)
    followers = [Follower(fleet, p, f"oKilled{n:04d}") for n, p in enumerate(persons)]
    for follower in followers:  # everyone's conversation began on instance A
        steps = follower.steps()
        for said, asked in (next(steps), next(steps)):
            assert asked in follower.say(said(), on=0)
    victim, calls = followers[0], fleet.backend_calls()
    fleet.post("faults", {"delay": SLOW, "times": 1})  # the victim's name check will be slow
    xml = victim.clients[0].build("text", victim.openid, Content=victim.person["name"])
    outcome: list = []
    push = threading.Thread(target=lambda: outcome.append(delivered(victim, 0, xml)))
    first = time.monotonic()
    push.start()
    push.join(MID_TURN)
    assert push.is_alive(), "the slow turn ended before the kill"
    fleet.instances[0].kill()
    push.join(WINDOW)
    assert outcome == [None]  # no answer: the platform sends the push again, to B
    time.sleep(max(0.0, first + WINDOW - time.monotonic()))  # on its schedule, 5 s after

    started = time.monotonic()
    retry = delivered(victim, 1, xml)
    assert retry is not None and retry.ok and time.monotonic() - started < WINDOW
    assert "卡号" in (retry.text or victim.owed())
    for follower in followers:  # everyone carries on on B, each push in the window
        follower.timings.clear()
        for said, asked in list(follower.steps())[3 if follower is victim else 2:]:
            assert asked in follower.say(said(), on=1)
        assert max(follower.timings) < WINDOW, follower.timings
        follower.close()
    grown = fleet.backend_calls() - calls  # a read may be repeated; an effect may not
    assert [grown[m] for m in EFFECTS] == [len(followers)] * len(EFFECTS), grown
    assert [fleet.card(p["card"])["bound_openid"] for p in persons] == [f.openid for f in followers]


@pytest.mark.skipif(not _accepts_cluster_url(),
                    reason="the store does not take BOT_STORE=redis+cluster:// yet (issue 13.3)")
def test_fleet_binds_a_card_on_a_redis_cluster(redis_cluster_url, tmp_path):
    fleet = Fleet(tmp_path, redis_cluster_url, people(1))
    try:
        fleet.start()
        (person,) = fleet.take(1)
        follower = Follower(fleet, person, "oCluster0001")
        for n, (said, asked) in enumerate(follower.steps()):
            assert asked in follower.say(said(), on=n % 2), f"step {n} on instance {n % 2}"
        follower.close()
        assert fleet.card(person["card"])["bound_openid"] == "oCluster0001"
        assert len(fleet.sms(person["phone"])) == 1
    finally:
        fleet.stop()
        print(fleet.tails())
