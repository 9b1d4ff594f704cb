"""Issue 19.6: nothing a follower typed is readable in the bot's own files after the fact.

Real conversations (bind, reset with a typed new password, turns owed through a slow backend)
against a real `wxbot serve` whose mock backend is a server of its own (its files hold the seed
by design and live elsewhere). Then the bot is killed (kill -9: the SQLite WAL stays as it was)
and every byte of every file in BOT_DATA_DIR (-wal and -shm included) is searched for the seed
people's ID numbers, names, card numbers and phones and the typed passwords; on Redis every key
is read back by type and searched the same way.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from flask import Flask, request

from bot.sim.wire.client import PlatformClient
from tests.conftest import TOKEN, stores
from tests.people import PEOPLE, ZHANG
from tests.servers import running, serving

pytestmark = pytest.mark.xdist_group("test_store_at_rest")

WANG, LI = PEOPLE["王强"], PEOPLE["李娜"]
TYPED_PASSWORDS = ("654321", "246813", "975310")  # refused as a run, then chosen, confirmed
KEY = Fernet.generate_key().decode()


def needles(codes: set[str]) -> dict[str, list[re.Pattern[bytes]]]:
    """What must not be found, by kind: as UTF-8 and as a JSON \\u escape would write it; a
    number only where it stands alone (a code is not a piece of some timestamp)."""
    kinds: dict[str, set[str]] = {"id": set(), "name": set(), "card": set(), "phone": set(),
                                  "password": set(TYPED_PASSWORDS), "code": set(codes)}
    for person in PEOPLE.values():
        kinds["id"].add(person.id)
        kinds["name"].add(person.name)
        kinds["card"].update(filter(None, [person.card]))
        kinds["phone"].update(filter(None, [person.phone]))
    return {kind: [re.compile(rb"(?<![0-9])" + re.escape(form) + rb"(?![0-9])")
                   for v in values for form in {v.encode(), json.dumps(v)[1:-1].encode()}]
            for kind, values in kinds.items()}


def found_in(blobs: dict[str, bytes], codes: set[str]) -> dict[str, int]:
    """How many times each kind of personal value occurs, over every blob."""
    return {kind: sum(len(p.findall(blob)) for blob in blobs.values() for p in patterns)
            for kind, patterns in needles(codes).items()}


@pytest.fixture(scope="module")
def backend(tmp_path_factory) -> Iterator[str]:
    """The mock backend as its own server: its data dir is not the bot's."""
    tmp = tmp_path_factory.mktemp("backend")
    with running(["backend", "--data-dir", str(tmp / "data")], {}, tmp / "backend.log") as srv:
        yield f"{srv.url}/backend/v1"


@pytest.fixture
def sink() -> Iterator[tuple[str, list[dict]]]:
    """Where owed replies go (OUTBOUND_SEND): collected for the test to wait on."""
    got: list[dict] = []
    app = Flask("sink")

    @app.post("/")
    def take() -> str:
        got.append(request.get_json())
        return "ok"

    with serving(app) as url:
        yield url + "/", got


class Talk:
    """The platform in front of the bot, and the backend's SMS and faults beside it."""

    def __init__(self, wechat: PlatformClient, backend: str, owed: list[dict]) -> None:
        self.wechat, self.backend, self.owed = wechat, backend, owed
        self.codes: set[str] = set()  # every code typed

    def say(self, user: str, text: str) -> str:
        delivery = self.wechat.text(user, text)
        assert delivery.status == 200, delivery.error
        return delivery.text

    def slowly(self, user: str, text: str) -> str:
        """Said while the backend is slow: answered `success`, the reply owed and sent later."""
        before = len(self.owed)
        requests.post(f"{self.backend}/faults", json={"delay": 1.6, "times": 1}, timeout=5)
        assert self.say(user, text) == ""
        until = time.monotonic() + 15
        while len(self.owed) == before and time.monotonic() < until:
            time.sleep(0.05)
        assert len(self.owed) > before, "the owed reply never came"
        return self.owed[-1]["text"]["content"]

    def code(self, phone: str) -> str:
        sms = requests.get(f"{self.backend}/sms", params={"phone": phone}, timeout=5).json()
        self.codes.add(sms["messages"][-1]["code"])
        return sms["messages"][-1]["code"]


def converse(talk: Talk) -> set[str]:
    """Bind, reset (with owed turns at the name, the code and the new password), look."""
    assert requests.post(f"{talk.backend}/reset", json={}, timeout=10).ok  # the seed again
    assert "姓名" in talk.say("oRestBind", "绑定社保卡") + talk.say("oRestBind", ZHANG.id)
    assert "卡号" in talk.slowly("oRestBind", ZHANG.name)
    assert "验证码已发送" in talk.slowly("oRestBind", ZHANG.card)
    assert "绑定成功" in talk.say("oRestBind", talk.code(ZHANG.phone))
    assert "正常" in talk.say("oRestBind", "我的社保卡")
    talk.say("oRestReset", "忘记密码")
    talk.say("oRestReset", WANG.id)
    assert "验证码已发送" in talk.say("oRestReset", WANG.name)
    assert "新的" in talk.slowly("oRestReset", talk.code(WANG.phone))
    for password in TYPED_PASSWORDS[:2]:
        talk.say("oRestReset", password)
    assert "重置" in talk.slowly("oRestReset", TYPED_PASSWORDS[1])
    talk.say("oRestHalf", "忘记密码")  # left in the middle: its slots are still held
    talk.say("oRestHalf", LI.id)
    talk.say("oRestHalf", LI.name)
    return talk.codes


def _bot_env(backend: str, sink_url: str, **extra: str) -> dict[str, str]:
    return {"BOT_BACKEND": backend, "OUTBOUND_SEND": sink_url, "BOT_REPLY_DEADLINE": "1",
            **extra}


def test_store_files_hold_nothing_typed_after_conversations_on_sqlite(served, backend, sink):
    server = served(**_bot_env(backend, sink[0], BOT_STORE_KEY=KEY))
    with PlatformClient(server.url, TOKEN) as wechat:
        codes = converse(Talk(wechat, backend, sink[1]))
    server.kill()  # kill -9: the WAL keeps every frame it had
    data_dir = Path(server.env["BOT_DATA_DIR"])
    files = {p.name: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}
    assert any(name.endswith("-wal") for name in files), sorted(files)
    counts = found_in(files, codes)
    assert counts == dict.fromkeys(counts, 0), f"found {counts}"
    assert (data_dir.stat().st_mode & 0o777) == 0o700


def test_store_keys_hold_nothing_typed_after_conversations_on_redis(served, backend, sink,
                                                                    redis_db_url):
    import redis

    url = redis_db_url
    db = redis.Redis.from_url(url)
    server = served(**_bot_env(backend, sink[0], BOT_STORE_KEY=KEY, BOT_STORE=url))
    with PlatformClient(server.url, TOKEN) as wechat:
        codes = converse(Talk(wechat, backend, sink[1]))
    server.kill()
    blobs = {key.decode(): _read(db, key) for key in db.scan_iter(count=500)}
    assert len(blobs) > 5
    counts = found_in(blobs, codes)
    assert counts == dict.fromkeys(counts, 0), f"found {counts}"


def _read(db, key: bytes) -> bytes:  # noqa: ANN001 - a redis.Redis
    """Every byte a key holds, whatever its type."""
    kind = db.type(key).decode()
    if kind == "string":
        return db.get(key) or b""
    if kind == "hash":
        return b"\n".join(k + b"=" + v for k, v in db.hgetall(key).items())
    if kind == "list":
        return b"\n".join(db.lrange(key, 0, -1))
    if kind == "set":
        return b"\n".join(db.smembers(key))
    if kind == "zset":
        return b"\n".join(db.zrange(key, 0, -1))
    if kind == "stream":
        return b"\n".join(k + b"=" + v for _id, fields in db.xrange(key)
                          for k, v in fields.items())
    return b""


@pytest.mark.parametrize(("key", "said"), [
    (None, "BOT_STORE_KEY is not set"),
    (KEY, "encrypted with BOT_STORE_KEY"),
], ids=["no-key", "key"])  # the key is new each run: an id with it differs between xdist workers
def test_store_says_at_start_what_it_keeps_and_how(make_app, caplog, key, said):
    caplog.set_level(logging.INFO, logger="bot.app")
    make_app(BOT_STORE_KEY=key)
    assert said in caplog.text


def test_store_warns_of_a_data_dir_others_can_read_and_leaves_it(make_app, tmp_path, caplog):
    open_dir = tmp_path / "shared"
    open_dir.mkdir(mode=0o755)
    open_dir.chmod(0o755)
    make_app(BOT_DATA_DIR=str(open_dir))
    assert "mode 0755" in caplog.text and "chmod 700" in caplog.text
    assert (open_dir.stat().st_mode & 0o777) == 0o755


def test_store_key_must_be_a_fernet_key(make_app):
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="BOT_STORE_KEY"):
        make_app(BOT_STORE_KEY="not-a-key")


@pytest.fixture
def sealed_store(store_url):
    """A store behind the seal, and the store beneath it (to look at what is at rest)."""
    from bot.clock import ManualClock
    from bot.store import open_store
    from bot.store.sealed import sealed
    from bot.store.sealer import Sealer

    clock = ManualClock()
    inner = open_store(store_url, clock)
    yield sealed(inner, Sealer(KEY)), inner, clock
    inner.close()


@stores("memory", "sqlite")
def test_store_seal_keeps_meaning_and_hides_slots(sealed_store):
    store, inner, clock = sealed_store
    session = {"flow": "bind_card", "state": "ask_name", "at": clock.now(),
               "slots": {"id": ZHANG.id, "name": ZHANG.name}}
    assert store.begin("oSeal", "m:oSeal:1") is None
    store.save("oSeal", session, "m:oSeal:1", f"<xml>{ZHANG.name}</xml>", 900)
    assert store.session("oSeal") == session and store.reply("oSeal", "m:oSeal:1").startswith(
        "<xml>")
    at_rest = json.dumps([inner.session("oSeal"), inner.reply("oSeal", "m:oSeal:1")],
                         ensure_ascii=False)
    assert ZHANG.id not in at_rest and ZHANG.name not in at_rest
    assert inner.session("oSeal")["flow"] == "bind_card"  # what the store reads stays clear
    clock.advance(901)
    store.prune()
    assert store.session("oSeal") == {"at": session["at"], "expired": True, "flow": "bind_card"}


@stores("memory", "sqlite")
def test_store_seal_opens_outbox_bodies_for_the_courier_only(sealed_store):
    store, inner, _clock = sealed_store
    body = {"touser": "oSeal", "msgtype": "text", "text": {"content": ZHANG.id}}
    assert store.outbox.put("send:1", body)
    (entry,) = store.outbox.claim("c1", 10, 0.0)
    assert entry.body == body
    store.outbox.retry(entry, 0.0)
    (again,) = inner.outbox.claim("c2", 10, 30.0)
    assert ZHANG.id not in json.dumps(again.body) and again.body["touser"] == "oSeal"


def test_store_demo_key_is_made_once_and_kept_private(tmp_path):
    from bot.store.sealer import Sealer, demo_key

    key = demo_key(tmp_path / "demo")
    assert demo_key(tmp_path / "demo") == key  # read back, never replaced
    assert ((tmp_path / "demo" / "store.key").stat().st_mode & 0o777) == 0o600
    assert Sealer(key).open(Sealer(key).seal({"id": ZHANG.id})) == {"id": ZHANG.id}


@stores("memory", "sqlite")
def test_store_seal_keeps_each_followers_order_and_an_unsure_retry(sealed_store):
    """Sealed bodies keep `touser` in clear, so the outbox still holds a follower's later send
    back while an earlier one is pending, and a send whose outcome is unknown can be retried."""
    store, inner, clock = sealed_store
    for n in (1, 2):
        store.outbox.put(f"say:m{n}", {"touser": "oSeal", "msgtype": "text",
                                       "text": {"content": f"第{n}条 {ZHANG.id}"}})
    (first,) = store.outbox.claim("c1", 10, 30)  # the second waits behind the first
    assert first.body["text"]["content"].startswith("第1条")
    store.outbox.retry(first, 0, unsure=True)
    clock.advance(1)
    (again,) = store.outbox.claim("c1", 10, 30)
    assert again.key == "say:m1" and again.unsure
    store.outbox.ack(again)
    (second,) = store.outbox.claim("c1", 10, 30)
    assert second.body["text"]["content"].startswith("第2条")
