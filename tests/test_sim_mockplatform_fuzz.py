"""Whatever a client posts to the mock platform API, it answers as the platform does: HTTP 200
and JSON, an errcode when it refuses; never a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import create_app
from bot.parts import bot_of
from bot.sim.mockplatform import DEMO_APP_ID, DEMO_APP_SECRET
from bot.sim.wire.client import PlatformClient

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=4),
    max_leaves=12)
SHAPED = st.fixed_dictionaries({
    "touser": st.sampled_from(["oFuzz1", "", "nobody"]) | st.text(max_size=8),
    "msgtype": st.sampled_from(["text", "news", "image", "nope"]),
    "template_id": st.sampled_from(["tpl", ""]),
    "button": st.lists(st.dictionaries(
        st.sampled_from(["type", "name", "key", "url", "sub_button"]), JSON, max_size=5),
        max_size=4),
}, optional={"text": JSON, "news": JSON, "data": JSON})
ENDPOINTS = ["message/custom/send", "message/template/send", "menu/create"]


def test_mock_platform_api_never_answers_500(tmp_path):
    app = create_app({"WECHAT_TOKEN": "t", "BOT_SIMULATOR": True, "WECHAT_APP_ID": DEMO_APP_ID,
                      "WECHAT_APP_SECRET": DEMO_APP_SECRET, "BOT_DATA_DIR": str(tmp_path),
                      "WECHAT_TEMPLATE_REVIEW": "tpl", "BOT_SIM_CUSTOM_QUOTA": 10_000})
    with PlatformClient(app, "t") as wechat:
        wechat.text("oFuzz1", "hi")  # a follower with an open window, so sends get through
    client = app.test_client()
    token = client.get("/cgi-bin/token", query_string={
        "grant_type": "client_credential", "appid": DEMO_APP_ID,
        "secret": DEMO_APP_SECRET}).get_json()["access_token"]

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(endpoint=st.sampled_from(ENDPOINTS), body=SHAPED | JSON,
           raw=st.none() | st.binary(max_size=40))
    def post(endpoint: str, body: object, raw: bytes | None) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        answer = client.post(f"/cgi-bin/{endpoint}", query_string={"access_token": token},
                             data=data)
        assert answer.status_code == 200, answer.get_data(as_text=True)[-300:]
        assert isinstance(answer.get_json()["errcode"], int)

    try:
        post()
    finally:
        bot_of(app).close()
