"""Issue 19.7: the simulator's controls answer this machine's own pages and tools only.

A page on another site can reach loopback: a `text/plain` POST needs no CORS preflight, and
DNS rebinding makes evil.example's page read the answers. Against a real `wxbot serve` with the
simulator on, each forged request is refused and changes nothing; the honest clients still
work. Every state-changing route is walked in process too, so a new one cannot slip past.
"""

from __future__ import annotations

import pytest
import requests

from bot.backend.guard import host_name, is_loopback
from tests.people import ZHANG

pytestmark = pytest.mark.xdist_group("test_sim_cross_site")

EVIL = "http://evil.example"
# (method, path, JSON body) of controls that change state, or read what is secret
CONTROLS = [
    ("POST", "/backend/v1/reset", {}),
    ("POST", "/backend/v1/faults", {"delay": 9, "times": 1}),
    ("POST", "/backend/v1/clock", {"advance": 3600}),
    ("POST", "/sim/api/faults", {"errcode": -1, "times": 1}),
    ("POST", "/sim/api/clock", {"advance": 3600}),
    ("POST", "/sim/api/reset", {}),
    ("POST", "/sim/api/outage", {"down": True}),
    ("POST", "/sim/api/faults/clear", {}),
    ("GET", f"/backend/v1/sms?phone={ZHANG.phone}", None),
]
# how a hostile page dresses the request: its own Origin, a rebound Host, or a simple body
FORGERIES = [
    ({"Origin": EVIL, "Content-Type": "application/json"}, 403),
    ({"Host": "evil.example", "Content-Type": "application/json"}, 403),
    ({"Host": "evil.example:8080", "Origin": "http://evil.example:8080",
      "Content-Type": "application/json"}, 403),
    ({"Origin": "null", "Content-Type": "application/json"}, 403),
    ({"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, 403),
    ({"Content-Type": "text/plain"}, 415),
    ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ({}, 415),
]


@pytest.fixture(scope="module")
def sim_server(tmp_path_factory):
    from tests.conftest import TOKEN
    from tests.servers import running

    tmp = tmp_path_factory.mktemp("cross-site")
    env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp / "data"), "BOT_SIMULATOR": "1"}
    with running(["serve"], env, tmp / "serve.log") as server:
        yield server


def _clock(url: str) -> float:
    return requests.get(f"{url}/backend/v1/clock", timeout=5).json()["now"]


@pytest.mark.parametrize(("headers", "status"), FORGERIES)
@pytest.mark.parametrize(("method", "path", "body"), CONTROLS)
@pytest.mark.e2e
def test_sim_controls_refuse_a_cross_site_request(sim_server, method, path, body, headers,
                                                   status):
    if method == "GET" and status == 415:
        pytest.skip("a read changes nothing: only its Host and Origin matter")
    before = _clock(sim_server.url)
    data = None if body is None else requests.models.complexjson.dumps(body)
    answer = requests.request(method, sim_server.url + path, data=data, headers=headers,
                              timeout=5)
    assert answer.status_code == status, answer.text[:200]
    assert answer.json()["error"] in ("host_refused", "cross_origin", "json_required")
    assert "code" not in answer.text  # no SMS read
    assert _clock(sim_server.url) == pytest.approx(before, abs=5)  # the clock did not move


@pytest.mark.parametrize("origin", [None, "same"])
@pytest.mark.e2e
def test_sim_controls_still_answer_the_machines_own_clients(sim_server, origin):
    headers = {} if origin is None else {"Origin": sim_server.url}
    moved = requests.post(f"{sim_server.url}/backend/v1/clock", json={"advance": 60},
                          headers=headers, timeout=5)
    assert moved.status_code == 200
    for host in ("localhost", "127.0.0.1"):
        url = sim_server.url.replace("127.0.0.1", host)
        read = requests.get(f"{url}/backend/v1/sms", params={"phone": ZHANG.phone},
                            headers={} if origin is None else {"Origin": url}, timeout=5)
        assert read.status_code == 200, read.text


def test_sim_every_state_changing_route_wants_json(make_app):
    """Walk the URL map: a text/plain POST to any control is refused before its view runs."""
    app = make_app(BOT_SIMULATOR=True)
    client = app.test_client()
    changing = [(rule.rule, method) for rule in app.url_map.iter_rules()
                for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})
                if rule.rule.startswith(("/sim", "/backend/v1"))]
    assert len(changing) >= 20
    for rule, method in changing:
        path = rule.replace("<card_number>", ZHANG.card or "x").replace("<ref>", "R1")
        path = path.replace("<method>", "bind").replace("<path:_rest>", "nothing")
        path = path.replace("<any(approve, reject):decision>", "approve")
        answer = client.open(path, method=method, data="{}", content_type="text/plain")
        assert answer.status_code == 415, (method, path, answer.status_code)


def test_sim_configured_host_is_answered(make_app):
    app = make_app(BOT_SIMULATOR=True, BOT_SIMULATOR_HOSTS="devbox.lan, 10.0.0.5")
    client = app.test_client()
    for host, status in (("devbox.lan:8080", 200), ("10.0.0.5", 200), ("evil.example", 403)):
        assert client.get("/backend/v1/clock", headers={"Host": host}).status_code == status


@pytest.mark.parametrize(("host", "name", "loopback"), [
    ("127.0.0.1:8080", "127.0.0.1", True),
    ("[::1]:8080", "::1", True),
    ("LOCALHOST", "localhost", True),
    ("app.localhost:80", "app.localhost", True),
    ("127.9.9.9", "127.9.9.9", True),
    ("evil.example:8080", "evil.example", False),
    ("localhost.evil.example", "localhost.evil.example", False),
    ("0.0.0.0:8080", "0.0.0.0", False),
])
def test_guard_host_names(host, name, loopback):
    assert host_name(host) == name
    assert is_loopback(name) is loopback


def test_guard_covers_the_mock_backend_served_alone(tmp_path):
    """`wxbot backend` (BOT_BACKEND=http://…) serves the same controls: the same checks."""
    from bot.backend import make_backend
    from bot.backend.server import create_backend_app
    from bot.clock import Clock

    backend = make_backend({"BOT_BACKEND": "mock", "BOT_DATA_DIR": str(tmp_path)}, Clock())
    client = create_backend_app(backend, hosts=["backend.internal"]).test_client()
    try:
        assert client.post("/backend/v1/reset", data="{}", content_type="text/plain"
                           ).status_code == 415
        assert client.post("/backend/v1/reset", json={},
                           headers={"Origin": EVIL}).status_code == 403
        assert client.get("/backend/v1/sms", query_string={"phone": ZHANG.phone},
                          headers={"Host": "evil.example"}).status_code == 403
        for host in ("localhost", "backend.internal:8081"):
            assert client.post("/backend/v1/reset", json={},
                               headers={"Host": host}).status_code == 200
    finally:
        backend.close()
