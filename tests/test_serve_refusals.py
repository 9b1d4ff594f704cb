"""Refusals through a real `python -m bot serve` process: bad input is a 4xx, never a 500."""

from __future__ import annotations

import time

import pytest
import requests

from bot.protocol import sign
from tests.conftest import TOKEN
from tests.servers import running

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_serve_refusals")]

PUSH = ("<xml><ToUserName>gh</ToUserName><FromUserName>oServe</FromUserName>"
        "<CreateTime>{t}</CreateTime><MsgType>text</MsgType><Content>菜单</Content>{extra}"
        "<MsgId>{i}</MsgId></xml>")


@pytest.fixture(scope="module")
def recording_server(tmp_path_factory):
    """`wxbot serve` with BOT_RECORD_DIR set: the recorder's hooks run on every push."""
    tmp = tmp_path_factory.mktemp("serve-refusals")
    env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp / "data"),
           "BOT_RECORD_DIR": str(tmp / "rec")}
    with running(["serve"], env, tmp / "serve.log") as server:
        yield server


def _query(timestamp: str | None = None, nonce: str = "n") -> dict:
    timestamp = timestamp or str(int(time.time()))
    return {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "echostr": "e"}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("timestamp", ["²", "①", "١٧٠٠٠٠٠٠٠٠"])
def test_serve_forbids_a_timestamp_of_non_ascii_digits(recording_server, method, timestamp):
    answer = requests.request(method, f"{recording_server.url}/wechat", timeout=5,
                              params=_query(timestamp), data=PUSH.format(t=1, extra="", i=1))
    assert answer.status_code == 403


@pytest.mark.parametrize(("extra", "i"), [("", "²"), ("<Extra>" + "<a>" * 9000 + "x"
                                                     + "</a>" * 9000 + "</Extra>", "3")])
def test_serve_refuses_odd_numbers_and_deep_nesting_while_recording(recording_server, extra, i):
    query = _query(nonce=f"deep{i}")
    body = PUSH.format(t=query["timestamp"], extra=extra, i=i).encode()
    answer = requests.post(f"{recording_server.url}/wechat", params=query, data=body, timeout=5)
    assert answer.status_code == 400
    ok = requests.post(f"{recording_server.url}/wechat", params=_query(nonce=f"after{i}"),
                       data=PUSH.format(t=int(time.time()), extra="", i=time.time_ns()), timeout=5)
    assert ok.status_code == 200 and "绑定社保卡" in ok.text  # and the server still answers
