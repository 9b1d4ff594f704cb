"""Notices in one process: short and impersonal, owed once, deferred only when they must be."""

from __future__ import annotations

import threading
import time

import pytest

from bot.outbound.courier import SendError
from bot.outbound.deferred import MUTEX_WAIT, Deferred
from bot.outbound.notices import FIELD_MAX, Notices, field
from bot.parts import bot_of
from bot.store.kv import MemoryKV, open_kv
from flows.catalog import Catalog
from tests.conftest import Chat, stores
from tests.people import FENG_JUN

pytestmark = pytest.mark.xdist_group("window")

WITHIN = 5.0  # seconds: the contract's promise from decision to the applicant


class Refusing:
    """OUTBOUND_SEND that refuses with a platform errcode, or records what it was given."""

    def __init__(self, errcode: int | None = None) -> None:
        self.errcode, self.sent = errcode, []

    def __call__(self, body: dict) -> None:
        if self.errcode is not None:
            exc = SendError(f"refused {self.errcode}", retryable=False)
            exc.errcode = self.errcode  # type: ignore[attr-defined]
            raise exc
        self.sent.append(body)


@pytest.fixture
def bot_sending_to(make_app, platform_for):
    """`bot_sending_to(sink)`: (the app's parts, 冯军 chatting with it) for a sink of sends."""

    def make(sink: Refusing):  # noqa: ANN202
        app = make_app(OUTBOUND_SEND=sink)
        bot = bot_of(app)
        return bot, Chat(platform_for(app), "oFengJun000001", bot.backend)

    return make


def open_review(fengjun: Chat) -> str:
    fengjun.say("忘记密码")
    fengjun.say(FENG_JUN.id)
    fengjun.say(FENG_JUN.name)
    opened = fengjun.say("我一直没有登记手机号，现在想重置服务密码。")
    return opened.split("受理编号 ")[1].split("。")[0]


def wait_for(predicate, within: float = WITHIN) -> bool:  # noqa: ANN001
    until = time.monotonic() + within
    while time.monotonic() < until:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_notices_template_fields_fit_the_2023_rules(lang, clock):
    notices = Notices(None, Catalog(lang), clock, Deferred(MemoryKV(clock)), "tpl")  # type: ignore[arg-type]
    body = notices.body("oX", "R20261122-0001", "approved")
    values = [v["value"] for v in body["data"].values()]
    assert body["template_id"] == "tpl" and not {"first", "remark"} & set(body["data"])
    assert all(0 < len(v) <= FIELD_MAX and "\n" not in v for v in values)
    assert values[1] == "R20261122-0001"


def test_notices_field_folds_lines_and_cuts_at_the_limit():
    assert field("一\n二  三" + "长" * 30) == {"value": ("一 二 三" + "长" * 30)[:FIELD_MAX]}


@pytest.mark.parametrize("errcode", [45015, 45047])
def test_notices_refused_until_the_next_message_are_said_first_then_once(bot_sending_to,
                                                                          errcode):
    sink = Refusing(errcode)
    bot, fengjun = bot_sending_to(sink)
    ref = open_review(fengjun)
    bot.backend.decide_review(ref, approve=False)
    assert wait_for(lambda: bot.store.outbox.counts().get("sent", 0) >= 1)  # acked: deferred
    first, second = fengjun.say("你好"), fengjun.say("你好")
    assert first.startswith("审核结果") and ref in first and "未通过" in first
    assert "审核结果" not in second and sink.sent == []


def test_notices_other_refusals_are_not_deferred(bot_sending_to):
    bot, fengjun = bot_sending_to(Refusing(40003))
    ref = open_review(fengjun)
    bot.backend.decide_review(ref, approve=True)
    assert wait_for(lambda: bot.store.outbox.counts().get("failed", 0) == 1)
    assert "审核结果" not in fengjun.say("你好")


def test_notices_a_decision_is_owed_once_whoever_hears_it(bot_sending_to):
    sink = Refusing()
    bot, fengjun = bot_sending_to(sink)
    ref = open_review(fengjun)
    started = time.monotonic()
    bot.backend.decide_review(ref, approve=True)
    assert wait_for(lambda: len(sink.sent) == 1)
    assert time.monotonic() - started < WITHIN
    bot.backend.on_decision[-1]("oFengJun000001", ref, "approved")  # heard again: no more
    time.sleep(0.5)
    assert len(sink.sent) == 1 and "wxbot_notice" not in sink.sent[0]
    assert sink.sent[0]["text"]["content"].count(ref) == 1
    assert FENG_JUN.id not in str(sink.sent) and FENG_JUN.name not in str(sink.sent)


def test_notices_without_a_follower_owe_nothing(clock):
    from bot.store import MemoryStore

    store = MemoryStore(clock)
    notices = Notices(store.outbox, Catalog(), clock, Deferred(MemoryKV(clock)))
    notices.decided(None, "R20261122-0001", "approved")
    assert store.outbox.counts().get("owed", 0) == 0
    store.close()


@pytest.fixture
def kv(store_url, clock):
    made = open_kv(store_url, clock)
    yield made
    made.close()


@stores("memory", "sqlite")
def test_deferred_said_forgets_only_what_was_said(kv):
    deferred = Deferred(kv)
    deferred.add("oA", "R1", "approved")
    held = deferred._read("oA")  # noqa: SLF001 - what a turn is about to say
    deferred.add("oA", "R2", "rejected")  # decided meanwhile
    deferred.said("oA", held)
    assert deferred._read("oA") == [("R2", "rejected")]  # noqa: SLF001
    deferred.said("oA", [("R2", "rejected")])
    assert kv.get(Deferred.key("oA")) is None  # the list itself went


@stores("memory", "sqlite")
def test_deferred_a_busy_mutex_costs_mutex_wait_at_most(kv):
    deferred = Deferred(kv)
    assert kv.add("notice:mutex:oB", "someone", 60)
    started = time.monotonic()
    assert deferred.add("oB", "R1", "approved") is False
    waited = time.monotonic() - started
    assert MUTEX_WAIT <= waited < MUTEX_WAIT + 2.0


@stores("memory", "sqlite")
def test_deferred_adds_at_once_lose_none(kv):
    deferred, barrier = Deferred(kv), threading.Barrier(4)

    def add(n: int) -> None:
        barrier.wait()
        assert deferred.add("oC", f"R{n}", "approved")

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ref for ref, _ in deferred._read("oC")) == ["R0", "R1", "R2", "R3"]  # noqa: SLF001


@pytest.mark.parametrize(("xml_kind", "said"), [
    ("<MsgType>text</MsgType><Content>你好</Content><MsgId>1</MsgId>", True),
    ("<MsgType>event</MsgType><Event>CLICK</Event><EventKey>PROGRESS</EventKey>", True),
    ("<MsgType>event</MsgType><Event>subscribe</Event>", True),
    ("<MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><Status>success</Status>",
     False),
    ("<MsgType>event</MsgType><Event>VIEW</Event><EventKey>https://x</EventKey>", False),
    ("<MsgType>event</MsgType><Event>unsubscribe</Event>", False),
])
@stores("memory", "sqlite")
def test_deferred_due_only_when_the_follower_themselves_acts(kv, xml_kind, said):
    from wechatpy import parse_message

    deferred = Deferred(kv)
    deferred.add("oD", "R1", "approved")
    msg = parse_message(f"<xml><ToUserName>gh_1</ToUserName><FromUserName>oD</FromUserName>"
                        f"<CreateTime>1</CreateTime>{xml_kind}</xml>")
    assert deferred.due(msg) == ([("R1", "approved")] if said else [])


@pytest.mark.parametrize(("body", "kept"), [
    ({"touser": "oA", "msgtype": "text", "text": {"content": "请输入您的身份证号"}}, True),
    ({"touser": "oA", "msgtype": "text", "text": {"content": "x"}, "wxbot_notice": {}}, False),
    ({"touser": "oA", "msgtype": "news", "news": {"articles": []}}, False),
])
def test_deferred_keeps_a_failed_conversation_reply_for_the_next_turn(body, kept):
    deferred = Deferred(MemoryKV(), reply_ttl=0.3)
    deferred.keep(body, "45015")
    held = deferred._read("oA")
    assert [n[1:3] for n in held] == ([("reply", "请输入您的身份证号")] if kept else [])
    if kept:
        time.sleep(0.4)  # past the conversation's lifetime: no longer worth saying
        deferred.said("oA", [])
        assert deferred._read("oA") == []
