"""`/metrics`: what the bot did, in Prometheus text, summed over gunicorn's workers, and
nothing personal in any label."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from prometheus_client import REGISTRY
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.parser import text_string_to_metric_families

from bot.cli import main
from tests.conftest import ROOT, TOKEN

FIXTURES = [ROOT / "fixtures" / "conversations" / name for name in
            ("bind_adult.yaml", "help_cancel_menu.yaml", "answers_questions.yaml")]
PERSONAL = {  # shapes of what must never be a label value
    "openid": re.compile(r"\bo(?=[a-z_-]*[0-9A-Z])[A-Za-z0-9_-]{10,}"),  # oZha…, not `of_…`
    "ID number": re.compile(r"\d{17}[\dXx]"),
    "phone": re.compile(r"1\d{10}"),
    "card number": re.compile(r"[A-Za-z]?\d{8,}"),
    "code": re.compile(r"(?<![\d.])\d{6}(?![\d.])"),
}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_counts_a_push_its_turn_and_reply_in_process(app, wechat):
    def now(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    def counted() -> tuple[float, ...]:
        return (now("wxbot_pushes_total", kind="text", event=""),
                now("wxbot_replies_total", result="in_time"),
                now("wxbot_understood_total", act="start"),
                now("wxbot_store_seconds_count", op="begin"),
                now("wxbot_store_seconds_count", op="save"))

    before = counted()
    assert "绑" in wechat.text("oMetricsUser0000000001", "绑定社保卡").text
    after = counted()
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1, 1, 1]
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert value(text, "wxbot_turns_total", flow="bind_card", outcome="done") >= 1


def worker_counts(folder: Path, metric: str) -> dict[str, float]:
    """Per process file (counter_<pid>.db): how many `metric` it counted, any labels."""
    counts = {}
    for path in folder.glob("counter_*.db"):
        store = MmapedDict(str(path), read_mode=True)
        try:
            counts[path.stem] = sum(v for key, v, _ in store.read_all_values() if metric in key)
        finally:
            store.close()
    return counts


def push(url: str, n: int) -> bool:
    """One push on a connection of its own (any worker takes it); answered at all — in the
    window or, on a loaded machine, `success` with the reply owed: both are counted."""
    from bot.sim.wire.client import PlatformClient

    with PlatformClient(url, TOKEN) as wechat:
        return wechat.text(f"oMetricsWorker{n:012d}", "你好").ok


def stale_counts(folder: Path, pushes: int) -> None:
    """A file a previous run's worker left: a start must not sum it into this run's."""
    folder.mkdir(parents=True)
    stale = MmapedDict(str(folder / "counter_999999.db"))
    stale.write_value(mmap_key("wxbot_pushes", "wxbot_pushes_total", ["kind", "event"],
                               ["text", ""], "old"), pushes, 0.0)
    stale.close()


def test_metrics_sum_both_workers_after_a_replay_and_name_no_one(served, tmp_path):
    stale_counts(tmp_path / "data" / "metrics", 1000)
    server = served("serve", "--workers", "2", BOT_SIMULATOR="1",
                    BOT_DATA_DIR=str(tmp_path / "data"))
    replayed = CliRunner().invoke(main, ["replay", *map(str, FIXTURES), "--url", server.url,
                                         "--token", TOKEN])
    assert replayed.exit_code == 0, replayed.output
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: push(server.url, n), range(40)))
    assert all(answers)
    text = requests.get(f"{server.url}/metrics", timeout=5).text
    per_worker = worker_counts(Path(server.env["BOT_DATA_DIR"]) / "metrics", "wxbot_pushes")
    pushes = sum(v for (name, _), v in samples(text).items() if name == "wxbot_pushes_total")
    assert sum(1 for n in per_worker.values() if n) >= 2, per_worker  # both workers served
    assert pushes == sum(per_worker.values()) >= 40 + len(FIXTURES)
    assert "counter_999999" not in per_worker and pushes < 1000
    assert value(text, "wxbot_turns_total", flow="bind_card", outcome="done") >= 1
    assert value(text, "wxbot_backend_seconds_count", call="send_code") >= 1
    for (name, labels), _ in samples(text).items():
        for label, found in labels:
            for what, shape in PERSONAL.items():
                assert not shape.search(found), f"{name}{{{label}={found!r}}} looks like {what}"


@pytest.mark.parametrize(("kind", "event"), [("oAbCdEfGhIjKlMnOpQrStUvWx", None),
                                             ("event", "110101199001011234")])
def test_metrics_push_labels_are_a_closed_set(kind, event):
    """A push's type and event are the sender's strings: anything unknown is `other`."""
    from bot import metrics

    labels = {"kind": "event" if event else "other", "event": "other" if event else ""}
    before = REGISTRY.get_sample_value("wxbot_pushes_total", labels) or 0.0
    metrics.push(kind, event)
    assert REGISTRY.get_sample_value("wxbot_pushes_total", labels) == before + 1
    said = {v for family in REGISTRY.collect() for s in family.samples for v in s.labels.values()}
    assert (event or kind) not in said  # the sender's string itself is nowhere


def test_metrics_count_api_sends_by_outcome_and_errcode():
    """One body refused for good (45015, outside 48 h), one sent: each counted, no openid."""
    from bot.outbound.courier import Courier
    from bot.store import MemoryStore

    class Refused(Exception):
        errcode, retryable = 45015, False

    def send(body: dict) -> None:
        if body["touser"] == "oLateFollower0001":
            raise Refused
        sent.set()

    def now(outcome: str, errcode: str) -> float:
        labels = {"outcome": outcome, "errcode": errcode}
        return REGISTRY.get_sample_value("wxbot_api_sends_total", labels) or 0.0

    sent, store = threading.Event(), MemoryStore()
    before = now("failed", "45015"), now("sent", "0")
    store.outbox.put("m:late:1", {"touser": "oLateFollower0001", "msgtype": "text",
                                  "text": {"content": "x"}})
    store.outbox.put("m:ok:2", {"touser": "oFollower0002", "msgtype": "text",
                                "text": {"content": "y"}})
    courier = Courier(store.outbox, send, poll=0.05).start()
    try:
        assert sent.wait(5)
        deadline = time.monotonic() + 5
        while now("failed", "45015") == before[0] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        courier.close()
        store.close()
    assert (now("failed", "45015") - before[0], now("sent", "0") - before[1]) == (1, 1)
