"""The hand-over to a person, bot side: the reply, the events, the per-follower routing."""

from __future__ import annotations

from datetime import datetime

import pytest
from wechatpy.crypto import WeChatCrypto

from bot.clock import ManualClock
from bot.config import ConfigError
from bot.handover import (
    AFTER_HOURS,
    BACK,
    JOINED,
    NOBODY_ONLINE,
    RELEASE,
    TRANSFER,
    TRANSFER_BLIND,
    HandOver,
    Notes,
    OnlineAgents,
    ServiceHours,
    make_handover,
    parse_hours,
)
from bot.protocol import Codec, Inbound, Transfer, kf_event, parse_xml, render, to_message
from bot.store.kv import open_kv
from flows.ids import SHANGHAI
from tests.mockplatform import live

ALICE = "oAlice00000000000000000000"


def push(xml_fields: str) -> object:
    return to_message(parse_xml(f"<xml><ToUserName>gh_x</ToUserName><FromUserName>{ALICE}"
                                f"</FromUserName><CreateTime>1700000000</CreateTime>"
                                f"{xml_fields}</xml>"))


def at(hour: int, minute: int = 0) -> ManualClock:
    return ManualClock(datetime(2026, 12, 7, hour, minute, tzinfo=SHANGHAI))


def handover(tmp_path, clock, hours=None, fetch=None) -> HandOver:  # noqa: ANN001
    kv = open_kv(f"sqlite:///{tmp_path / 'kv.sqlite3'}", clock)
    return HandOver(kv, clock, OnlineAgents(fetch, kv, 30), ServiceHours(hours),
                    Notes(kv, clock), remind_every=300)


@pytest.mark.parametrize(("account", "directed"), [(None, False), ("kf1@test", True)])
def test_transfer_reply_renders_the_platform_shapes(account, directed) -> None:
    question = push("<MsgType>text</MsgType><Content>转人工</Content><MsgId>1</MsgId>")
    fields = parse_xml(render(Transfer(account), question, now=1700000001))
    assert fields["MsgType"] == "transfer_customer_service"
    assert (fields["ToUserName"], fields["FromUserName"]) == (ALICE, "gh_x")
    assert fields.get("TransInfo") == ({"KfAccount": account} if directed else None)


@pytest.mark.parametrize(("fields", "event", "account", "before"), [
    ("<Event>kf_create_session</Event><KfAccount>kf1@t</KfAccount>", "kf_create_session",
     "kf1@t", ""),
    ("<Event>kf_close_session</Event><KfAccount>kf1@t</KfAccount>", "kf_close_session",
     "kf1@t", ""),
    ("<Event>kf_switch_session</Event><FromKfAccount>kf1@t</FromKfAccount>"
     "<ToKfAccount>kf2@t</ToKfAccount>", "kf_switch_session", "kf2@t", "kf1@t"),
])
def test_kf_event_names_the_agent(fields, event, account, before) -> None:
    found = kf_event(push(f"<MsgType>event</MsgType>{fields}"))
    assert (found.openid, found.event, found.account, found.from_account) == (
        ALICE, event, account, before)


def test_kf_event_is_none_for_other_pushes() -> None:
    assert kf_event(push("<MsgType>text</MsgType><Content>hi</Content><MsgId>2</MsgId>")) is None


def test_handover_routes_like_the_platform(tmp_path) -> None:
    clock = at(10)
    people = handover(tmp_path, clock)
    assert people.before_message(ALICE) == "serve"
    assert people.request(ALICE).kind == TRANSFER_BLIND  # no API to ask who is online
    assert people.before_message(ALICE) == "transfer"  # still queued: transfer again
    assert people.on_event(ALICE, "kf_create_session", "kf1@t") == JOINED
    assert people.status(ALICE).agent == "kf1@t"
    assert people.before_message(ALICE) == "back"  # reached the bot: the idle return
    assert people.before_message(ALICE) == "serve"


def test_handover_stop_waiting_only_leaves_a_queue(tmp_path) -> None:
    """取消 or a menu button while queued: the follower is the bot's again; never while an
    agent has them (the platform sends their messages to the agent, not to the bot)."""
    people = handover(tmp_path, at(10))
    assert people.stop_waiting(ALICE) is False  # not waiting: nothing to leave
    people.request(ALICE)
    assert people.stop_waiting(ALICE) is True
    assert people.before_message(ALICE) == "serve"
    people.request(ALICE)
    people.on_event(ALICE, "kf_create_session", "kf1@t")
    assert people.stop_waiting(ALICE) is False
    assert people.status(ALICE).agent == "kf1@t"


def test_handover_close_event_gives_the_follower_back(tmp_path) -> None:
    people = handover(tmp_path, at(10))
    people.request(ALICE)
    people.on_event(ALICE, "kf_create_session", "kf1@t")
    assert people.on_event(ALICE, "kf_close_session", "kf1@t") == BACK
    assert people.before_message(ALICE) == "serve"


def test_handover_lets_go_of_a_follower_taken_after_they_left_the_queue(tmp_path) -> None:
    """The platform has no call that takes anyone out of its queue: 取消 leaves the bot's
    wait only. An agent taking them later is answered by ending that session, quietly."""
    people = handover(tmp_path, at(10))
    people.request(ALICE)
    assert people.stop_waiting(ALICE) is True
    assert people.on_event(ALICE, "kf_create_session", "kf1@t") == RELEASE
    assert people.before_message(ALICE) == "serve"  # whatever reaches the bot is served
    assert people.on_event(ALICE, "kf_close_session", "kf1@t") == ""  # they never met them
    assert people.before_message(ALICE) == "serve"
    assert people.on_event(ALICE, "kf_create_session", "kf1@t") == JOINED  # once only


def test_handover_the_take_run_again_still_lets_go(tmp_path) -> None:
    """The platform's retry of the create event, or the rescue running its turn again after
    a failed save: the one who left the queue is let go again, never told an agent joined."""
    people = handover(tmp_path, at(10))
    people.request(ALICE)
    people.stop_waiting(ALICE)
    assert [people.on_event(ALICE, "kf_create_session", "kf1@t") for _ in range(2)] == [
        RELEASE, RELEASE]
    assert people.on_event(ALICE, "kf_switch_session", "kf2@t") == RELEASE  # the close names
    assert people.status(ALICE).agent == "kf2@t"  # the colleague who has them now


def test_handover_a_message_left_after_hours_is_answered_by_whoever_takes_them(tmp_path) -> None:
    people = handover(tmp_path, at(16, 59), hours="09:00-17:00")
    people.request(ALICE)
    people.stop_waiting(ALICE)  # left the queue
    people.clock.advance(120)  # 17:01: closed
    assert people.request(ALICE).kind == AFTER_HOURS
    people.leave(ALICE, "明天请回电")
    assert people.on_event(ALICE, "kf_create_session", "kf1@t") == JOINED


def test_handover_asking_again_after_leaving_the_queue_is_wanted(tmp_path) -> None:
    people = handover(tmp_path, at(10))
    people.request(ALICE)
    people.stop_waiting(ALICE)
    people.request(ALICE)  # 转人工 again: the agent who takes them is welcome
    assert people.on_event(ALICE, "kf_create_session", "kf1@t") == JOINED
    assert people.status(ALICE).agent == "kf1@t"


def test_handover_where_they_stand_at_most_every_few_minutes(tmp_path) -> None:
    clock = at(10)
    people = handover(tmp_path, clock)
    people.request(ALICE)
    assert people.where_they_stand_due(ALICE) is False  # the transfer itself just told them
    clock.advance(301)
    assert [people.where_they_stand_due(ALICE) for _ in range(2)] == [True, False]


def test_handover_after_hours_takes_a_message_for_the_console(tmp_path) -> None:
    people = handover(tmp_path, at(20, 30), hours="09:00-12:00,13:30-17:00")
    decision = people.request(ALICE)
    assert (decision.kind, decision.transfers, decision.says) == (
        AFTER_HOURS, False, "human.after_hours")
    assert people.before_message(ALICE) == "note"
    people.leave(ALICE, "我的卡丢了，明天能补吗？")
    assert people.before_message(ALICE) == "serve"
    assert [(n.openid, n.text) for n in people.notes.all()] == [(ALICE, "我的卡丢了，明天能补吗？")]


@pytest.mark.parametrize("setting", ["9-17", "17:00-09:00", "09:00-25:00", "09:00"])
def test_service_hours_refuse_what_cannot_work(setting) -> None:
    with pytest.raises(ValueError, match="BOT_SERVICE_HOURS"):
        parse_hours(setting)


def test_make_handover_names_a_bad_setting(tmp_path) -> None:
    kv = open_kv("memory://")
    cfg = {"BOT_SERVICE_HOURS": "nine to five", "BOT_KF_ONLINE_CACHE": 30,
           "BOT_KF_REMIND_EVERY": 300}
    with pytest.raises(ConfigError, match="BOT_SERVICE_HOURS"):
        make_handover(cfg, kv, ManualClock(), None)


def test_handover_asks_the_mock_platform_who_is_online_once_per_cache(tmp_path) -> None:
    clock = at(10)
    with live(tmp_path, clock) as served:
        people = make_handover(served.bot.config, open_kv(served.bot.config["BOT_STORE"], clock),
                               clock, served.bot.platform)
        assert people.request(ALICE).kind == TRANSFER  # the mock starts with one agent online
        assert people.request("oCarol").kind == TRANSFER
        assert served.counter("calls:kf") == 1  # the second asked the cache
        clock.advance(31)
        assert people.request("oDave").kind == TRANSFER and served.counter("calls:kf") == 2
        # the page's switch forgets the cached list: the next "人工" knows at once (a blind
        # tester switched the only agent off and was told "正在为您转接" for half a minute)
        served.http.post(f"{served.url}/sim/api/agents/online",
                         json={"account": "kf1@wxbot", "online": False}, timeout=10)
        assert people.request("oBob").kind == NOBODY_ONLINE
        assert served.counter("calls:kf") == 3
        assert people.before_message("oBob") == "note"


def test_handover_transfers_blind_when_the_api_is_missing(tmp_path) -> None:
    clock = at(10)
    with live(tmp_path, clock, BOT_SIM_PROFILE="sandbox") as served:
        people = make_handover(served.bot.config, open_kv("memory://", clock), clock,
                               served.bot.platform)
        decision = people.request(ALICE)
        assert (decision.kind, decision.transfers, decision.says) == (
            TRANSFER_BLIND, True, "human.transferring_blind")


def test_transfer_reply_is_sealed_in_safe_mode_like_any_reply() -> None:
    key, appid = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx0123456789abcdef"
    codec = Codec("t0ken", key, appid)
    question = push("<MsgType>text</MsgType><Content>人工客服</Content><MsgId>3</MsgId>")
    inbound = Inbound(question, {}, encrypted=True, nonce="123")
    sealed = codec.encode(render(Transfer("kf1@test"), question), inbound)
    assert "transfer_customer_service" not in sealed
    opened = WeChatCrypto("t0ken", key, appid).decrypt_message(
        sealed, parse_xml(sealed)["MsgSignature"], parse_xml(sealed)["TimeStamp"], "123")
    assert parse_xml(opened)["TransInfo"] == {"KfAccount": "kf1@test"}


@pytest.mark.parametrize(("errcode", "kind"), [(40001, TRANSFER), (-1, TRANSFER_BLIND)])
def test_handover_online_check_survives_a_stale_token_not_a_busy_platform(tmp_path, errcode,
                                                                          kind) -> None:
    clock = at(10)
    with live(tmp_path, clock) as served:
        served.bot.platform.token()  # a token in hand, so the fault meets the kf call itself
        served.fault("kf", errcode)
        people = make_handover(served.bot.config, open_kv("memory://", clock), clock,
                               served.bot.platform)
        assert people.request(ALICE).kind == kind  # -1 is not retried inside the turn
