"""Loss reports in the mock backend: audit records, idempotency, the lapse on the clock, HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot.backend import BackendError, HttpBackend, MockBackend
from bot.backend.server import create_backend_app
from bot.clock import ManualClock
from flows.regions import regions
from tests.people import WU_LEI, ZHANG
from tests.servers import serving

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "backend.yaml"
DAY = 86400


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[MockBackend]:
    with MockBackend(tmp_path / "b.sqlite3", SEED, ManualClock(date(2026, 11, 22))) as b:
        yield b


@pytest.fixture
def api(mock: MockBackend) -> FlaskClient:
    return create_backend_app(mock, mock.clock).test_client()


def test_report_loss_marks_lost_and_audits_masked(mock: MockBackend) -> None:
    record = mock.report_loss(ZHANG.card, "oZhangWei0001")
    assert mock.card(ZHANG.card).status == "lost"
    assert record.ref.startswith("L20261122-") and record.action == "report"
    assert record.lapses_at == record.at + 7 * DAY  # the default region's days
    [audited] = mock.loss_history(ZHANG.card)
    assert audited == record and "ZhangWei" not in audited.by and audited.by.startswith("oZha")


def test_report_loss_same_key_reports_once(mock: MockBackend) -> None:
    first = mock.report_loss(ZHANG.card, "oZ", key="oZ:s1:4")
    assert mock.report_loss(ZHANG.card, "oZ", key="oZ:s1:4") == first  # redelivered message
    assert len(mock.loss_history(ZHANG.card)) == 1
    with pytest.raises(BackendError, match="card_lost"):
        mock.report_loss(ZHANG.card, "oZ", key="oZ:s1:5")  # a new message: already lost


@pytest.mark.parametrize(("card", "code"), [(WU_LEI.card, "card_lost"),
                                            ("D10000002", "card_frozen"), ("Z0", "card_unknown")])
def test_report_loss_refusals_change_nothing(mock: MockBackend, card: str, code: str) -> None:
    with pytest.raises(BackendError, match=code):
        mock.report_loss(card, "oX")
    assert mock.loss_history(card) == []


def test_lift_loss_active_again_and_audited(mock: MockBackend) -> None:
    mock.report_loss(ZHANG.card, "oZ")
    lifted = mock.lift_loss(ZHANG.card, "oZ", key="k")
    assert mock.card(ZHANG.card).status == "active" and lifted.action == "lift"
    assert mock.lift_loss(ZHANG.card, "oZ", key="k") == lifted
    assert [r.action for r in mock.loss_history(ZHANG.card)] == ["report", "lift"]
    with pytest.raises(BackendError, match="not_lost"):
        mock.lift_loss(ZHANG.card, "oZ")


def test_temporary_report_lapses_after_the_region_days(mock: MockBackend) -> None:
    record = mock.report_loss(ZHANG.card, "oZ")
    mock.clock.advance(7 * DAY - 1)
    assert mock.card(ZHANG.card).status == "lost"
    mock.clock.advance(1)
    assert mock.card_view(ZHANG.card)["status"] == "active"
    lapse = mock.loss_history(ZHANG.card)[-1]
    assert (lapse.action, lapse.by, lapse.at) == ("lapse", "clock", record.lapses_at)
    mock.bind(ZHANG.card, "oZ")  # binds again once the report ran out


def test_region_sets_the_lapse(tmp_path: Path) -> None:
    with MockBackend(tmp_path / "b.sqlite3", SEED, ManualClock(date(2026, 11, 22)),
                     "shanghai") as shanghai:
        record = shanghai.report_loss(ZHANG.card, "oZ")
        assert record.lapses_at - record.at == regions()["shanghai"].temporary_days * DAY == 5 * DAY


def test_counter_status_change_ends_the_running_report(mock: MockBackend) -> None:
    mock.report_loss(ZHANG.card, "oZ")
    mock.set_card_status(ZHANG.card, "active")
    mock.set_card_status(ZHANG.card, "lost")  # reported at a counter now: no lapse
    mock.clock.advance(30 * DAY)
    assert mock.card(ZHANG.card).status == "lost"


def test_reset_forgets_reports(mock: MockBackend) -> None:
    mock.report_loss(ZHANG.card, "oZ")
    mock.reset()
    assert mock.card(ZHANG.card).status == "active" and mock.loss_history(ZHANG.card) == []


def test_http_report_and_lift(api: FlaskClient) -> None:
    url = f"/backend/v1/cards/{ZHANG.card}"
    answer = api.post(f"{url}/report-loss", json={"openid": "oZhangWei0001", "key": "k1"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["card"]["status"] == "lost" and body["record"]["action"] == "report"
    assert body["record"]["at"] == "2026-11-22T10:00:00+08:00"
    assert body["record"]["lapses_at"] == "2026-11-29T10:00:00+08:00"
    again = api.post(f"{url}/report-loss", json={"openid": "oZhangWei0001", "key": "k1"})
    assert again.get_json()["record"] == body["record"]
    assert api.get(url).get_json()["status"] == "lost"
    refused = api.post(f"{url}/report-loss", json={"openid": "oZhangWei0001"})
    assert (refused.status_code, refused.get_json()["error"]) == (409, "card_lost")
    losses = api.get(f"{url}/losses").get_json()
    assert losses["running"]["ref"] == body["record"]["ref"] and len(losses["records"]) == 1
    lifted = api.post(f"{url}/lift-loss", json={"openid": "oZhangWei0001"}).get_json()
    assert lifted["card"]["status"] == "active" and lifted["record"]["lapses_at"] is None
    assert api.get(f"{url}/losses").get_json()["running"] is None


@pytest.mark.parametrize(("path", "body", "status"), [
    ("A12345678/report-loss", {}, 400),
    ("A12345678/report-loss", {"openid": 5}, 400),
    ("A12345678/report-loss", {"openid": "o", "extra": 1}, 400),
    ("A12345678/lift-loss", {"openid": "o", "key": ["k"]}, 400),
    ("Z0/report-loss", {"openid": "o"}, 404),
    ("A12345678/lift-loss", {"openid": "o"}, 409),
])
def test_http_loss_bad_calls(api: FlaskClient, path: str, body: dict, status: int) -> None:
    answer = api.post(f"/backend/v1/cards/{path}", json=body)
    assert answer.status_code == status and "error" in answer.get_json()
    assert api.get("/backend/v1/cards/A12345678").get_json()["status"] == "active"


def test_http_client_reports_like_the_mock(mock: MockBackend) -> None:
    with serving(create_backend_app(mock, mock.clock)) as base, \
            HttpBackend(f"{base}/backend/v1") as client:
        record = client.report_loss(ZHANG.card, "oZ", key="k")
        assert client.report_loss(ZHANG.card, "oZ", key="k") == record
        assert mock.loss_history(ZHANG.card) == [record]
        with pytest.raises(BackendError, match="card_unknown"):
            client.lift_loss("Z0", "oZ")
        assert client.lift_loss(ZHANG.card, "oZ").action == "lift"


def test_the_running_report_is_read_back_the_same_over_http(mock: MockBackend) -> None:
    with serving(create_backend_app(mock, mock.clock)) as base, \
            HttpBackend(f"{base}/backend/v1") as client:
        assert client.loss_report(ZHANG.card) is None and mock.loss_report(ZHANG.card) is None
        record = mock.report_loss(ZHANG.card, "oZ")
        assert client.loss_report(ZHANG.card.lower()) == mock.loss_report(ZHANG.card) == \
            record.__class__(record.ref, ZHANG.card, "report", record.at, record.lapses_at)
        assert client.loss_report(WU_LEI.card) is None  # lost at a counter: no report of ours
        assert client.loss_report("Z0") is None
        mock.clock.advance(7 * DAY)  # lapsed: none running any more
        assert client.loss_report(ZHANG.card) is None


def test_check_password_wrong_guesses_lock_with_wrong_codes(mock: MockBackend) -> None:
    mock.send_code(ZHANG.id, "loss")
    for _ in range(2):
        assert mock.check_code(ZHANG.id, "loss", "000000").reason == "wrong"
    assert mock.check_password(ZHANG.id, "000001", "loss").attempts_left == 2
    assert mock.check_password(ZHANG.id, "000002", "loss").attempts_left == 1
    locked = mock.check_password(ZHANG.id, "000003", "loss")
    assert (locked.ok, locked.reason, locked.retry_after) == (False, "locked", 1800)
    assert mock.check_password(ZHANG.id, ZHANG.password, "loss").reason == "locked"
    assert mock.send_code(ZHANG.id, "loss").reason == "locked"
    assert mock.check_password(ZHANG.id, ZHANG.password, "lift").ok  # another purpose
    mock.clock.advance(1800)
    assert mock.check_password(ZHANG.id, ZHANG.password, "loss").ok


def test_check_password_same_key_counts_once(mock: MockBackend) -> None:
    first = mock.check_password(ZHANG.id, "000001", "loss", key="oZ:s:3")
    assert mock.check_password(ZHANG.id, "000001", "loss", key="oZ:s:3") == first
    assert mock.check_password(ZHANG.id, "000002", "loss").attempts_left == 3


def test_check_password_over_rpc(mock: MockBackend) -> None:
    with serving(create_backend_app(mock, mock.clock)) as base, \
            HttpBackend(f"{base}/backend/v1") as client:
        assert client.check_password(ZHANG.id, ZHANG.password, "lift").ok
        assert client.check_password(ZHANG.id, "000000", "lift").reason == "wrong"
