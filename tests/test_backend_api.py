"""The mock backend's HTTP contract (docs/architecture.md): exact shapes, 404s, 4xx, no 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.backend import MockBackend
from bot.backend.rpc import METHODS
from bot.backend.server import create_backend_app
from bot.clock import ManualClock
from tests.people import FENG_JUN, LI_NA, LIU_YANG, SUN_LI, WU_LEI, ZHANG

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "backend.yaml"


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[MockBackend]:
    with MockBackend(tmp_path / "backend.sqlite3", SEED, ManualClock(date(2026, 11, 22))) as b:
        yield b


@pytest.fixture
def api(mock: MockBackend) -> FlaskClient:
    return create_backend_app(mock, mock.clock).test_client()


def test_card_view_shape(api: FlaskClient, mock: MockBackend) -> None:
    assert api.get("/backend/v1/cards/A12345678").get_json() == {
        "card_number": ZHANG.card,
        "status": "active",
        "holder_id_masked": "1101**********1232",
        "bound_openid": None,
        "guardian_consent": None,
    }
    mock.bind(SUN_LI.card, "oSun", guardian=LIU_YANG.id)
    consent = api.get("/backend/v1/cards/C10000002").get_json()["guardian_consent"]
    assert consent == {
        "guardian_id_masked": "5101**********0333",
        "relation": "guardian",
        "at": "2026-11-22T10:00:00+08:00",
        "via": "sms",  # a code to the guardian's phone: the default way of consent
    }
    missing = api.get("/backend/v1/cards/Z1")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_verify_password(api: FlaskClient) -> None:
    url = "/backend/v1/cards/A12345678/verify-password"
    assert api.post(url, json={"password": ZHANG.password}).get_json() == {"ok": True}
    assert api.post(url, json={"password": "000000"}).get_json() == {"ok": False}
    for bad in [{}, {"password": 147258}, [1]]:
        assert api.post(url, json=bad).status_code == 400
    assert api.post(url, data="{not json", content_type="application/json").status_code == 400
    unknown = "/backend/v1/cards/Z1/verify-password"
    assert api.post(unknown, json={"password": "1"}).status_code == 404


def test_sms_outbox(api: FlaskClient, mock: MockBackend) -> None:
    assert api.get("/backend/v1/sms?phone=13800138000").get_json() == {"messages": []}
    mock.send_code(ZHANG.id, "bind")
    mock.clock.advance(60)
    mock.send_code(ZHANG.id, "reset")
    messages = api.get("/backend/v1/sms?phone=13800138000").get_json()["messages"]
    assert [(m["purpose"], m["sent_at"]) for m in messages] == [
        ("bind", "2026-11-22T10:00:00+08:00"),
        ("reset", "2026-11-22T10:01:00+08:00"),
    ]
    assert all(set(m) == {"phone", "code", "purpose", "sent_at"} for m in messages)
    assert api.get("/backend/v1/sms").status_code == 400


def test_reviews(api: FlaskClient, mock: MockBackend) -> None:
    ref = mock.open_review(FENG_JUN.id, "oFeng", "no_phone").ref
    [review] = api.get("/backend/v1/reviews").get_json()["reviews"]
    assert review == {
        "ref": "R20261122-0001",
        "id_number_masked": "1101**********0916",
        "openid": "oFeng",
        "reason": "no_phone",
        "status": "pending",
        "created_at": "2026-11-22T10:00:00+08:00",
    }
    assert api.get("/backend/v1/reviews?openid=other").get_json() == {"reviews": []}
    done = api.post(f"/backend/v1/reviews/{ref}/approve", json={}).get_json()["review"]
    assert done["status"] == "approved"
    assert api.post(f"/backend/v1/reviews/{ref}/reject", json={}).status_code == 409
    assert api.post("/backend/v1/reviews/R1/approve", json={}).status_code == 404
    assert api.post(f"/backend/v1/reviews/{ref}/maybe", json={}).status_code == 404


def test_reset_with_and_without_another_seed(
    api: FlaskClient, mock: MockBackend, tmp_path: Path
) -> None:
    mock.bind(ZHANG.card, "oAlice")
    json_type = "application/json"  # no body, but JSON: every change must be
    assert api.post("/backend/v1/reset", content_type=json_type).get_json() == {"ok": True}
    assert mock.binding("oAlice") is None
    other = tmp_path / "other.yaml"
    other.write_text("people: [{id_number: '11010519491231002X', name: 王五}]\n", "utf-8")
    assert api.post("/backend/v1/reset", json={"seed": str(other)}).status_code == 400  # a path
    assert api.post("/backend/v1/reset", data=other.read_bytes(),
                    content_type="application/yaml").status_code == 200
    assert mock.person(ZHANG.id) is None and mock.person("11010519491231002X").name == "王五"
    for bad in [{"seed": str(tmp_path / "absent.yaml")}, {"seed": 3}, {"seed": {"people": 1}}]:
        response = api.post("/backend/v1/reset", json=bad)
        assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    bad_id = {"seed": {"people": [{"id_number": "110105199001011233", "name": "x"}]}}
    assert api.post("/backend/v1/reset", json=bad_id).status_code == 400
    assert mock.person("11010519491231002X") is not None  # a refused seed changes nothing


def test_rpc_errors(api: FlaskClient) -> None:
    rpc = "/backend/v1/rpc/"
    assert api.post(rpc + "nope", json={}).status_code == 404
    assert api.post(rpc + "person", json={}).status_code == 400
    assert api.post(rpc + "person", json={"id_number": ZHANG.id, "x": 1}).status_code == 400
    wrong_purpose = {"id_number": ZHANG.id, "purpose": "x"}
    assert api.post(rpc + "send_code", json=wrong_purpose).status_code == 400
    refused = api.post(rpc + "bind", json={"card_number": WU_LEI.card, "openid": "o"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "card_lost"
    surrogate = '{"id_number": "\\ud800"}'  # valid JSON, not storable text
    as_json = {"content_type": "application/json"}
    assert api.post(rpc + "person", data=surrogate, **as_json).status_code == 400
    assert api.post("/backend/v1/reset", json={"seed": "a\0b"}).status_code == 400
    person = api.post(rpc + "person", json={"id_number": ZHANG.id}).get_json()
    assert person == {"result": {"id_number": ZHANG.id, "name": "张伟", "phone": ZHANG.phone}}


def test_clock_endpoint(api: FlaskClient, mock: MockBackend) -> None:
    assert api.get("/backend/v1/clock").get_json()["today"] == "2026-11-22"
    moved = api.post("/backend/v1/clock", json={"today": "2027-01-01", "advance": 30})
    assert moved.get_json()["today"] == "2027-01-01" and mock.clock.today() == date(2027, 1, 1)
    bads = [{"advance": -1}, {"advance": "1"}, {"today": "x"}, {"advance": True}, {"today": 1}]
    for bad in [*bads, {"advance": 10**400}, {"advance": float("nan")}]:
        assert api.post("/backend/v1/clock", json=bad).status_code == 400
    frozen = create_backend_app(mock).test_client()  # no --manual-clock: time cannot move
    assert frozen.post("/backend/v1/clock", json={"advance": 1}).status_code == 404


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
texts = (
    st.sampled_from([ZHANG.id, ZHANG.card, ZHANG.password, LI_NA.id, ""])
    | st.text(max_size=40)
    | st.text(st.characters(categories=["Cs"]) | st.characters(categories=["Nd"]), max_size=8)
)  # Cs: lone surrogates, which JSON can carry and SQLite cannot store
KINDS = {
    "str": texts,
    "str?": st.none() | texts,
    "bool": st.booleans(),
    "purpose": st.sampled_from(["bind", "reset", "unbind"]) | st.text(max_size=3),
    "via?": st.sampled_from([None, "wechat", "sms"]) | st.text(max_size=6),
}


def well_typed(method: str) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments of the right names and mostly the right types, so calls reach the backend."""
    params = METHODS[method][0]
    required = {n: KINDS[k] for n, k in params.items() if not k.endswith("?")}
    optional = {n: KINDS[k] for n, k in params.items() if k.endswith("?")}
    return st.fixed_dictionaries(required, optional=optional)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(method=st.sampled_from(sorted(METHODS)), data=st.data())
def test_rpc_never_answers_500(api: FlaskClient, method: str, data: st.DataObject) -> None:
    body = data.draw(well_typed(method) | well_typed(method) | json_values)
    raw = json.dumps(body)  # ASCII escapes, so lone surrogates reach the server
    assert api.post(f"/backend/v1/rpc/{method}", data=raw,
                    content_type="application/json").status_code in (200, 400, 409)
