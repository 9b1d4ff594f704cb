"""Resident ID numbers: check digits, birth dates, ages and masks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.ids import (
    age_on,
    birth_date,
    check_digit,
    is_valid_id,
    make_id,
    mask_card,
    mask_id,
    mask_phone,
    normalize_id,
)

TODAY = date(2026, 11, 22)
regions = st.text("0123456789", min_size=6, max_size=6)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
seqs = st.integers(min_value=0, max_value=999)


@pytest.mark.parametrize(
    "id_number",
    ["110105199001011232", "11010519491231002X", "440524188001010014", "110101200002290018"],
)
def test_known_valid_numbers(id_number: str) -> None:
    assert is_valid_id(id_number, TODAY)
    assert is_valid_id(id_number.lower(), TODAY)


@pytest.mark.parametrize(
    "bad",
    [
        "110105199001011233",  # wrong check digit
        "11010519900101123",  # 17 characters
        "1101051990010112321",  # 19 characters
        "110105199002301232",  # 30 February
        "110105203001011234",  # born in 2030
        "11010519900101123Y",  # check character not a digit or X
        "１１０１０５１９９００１０１１２３２",  # full-width digits: normalise first
        "",
    ],
)
def test_invalid_numbers(bad: str) -> None:
    assert not is_valid_id(bad, TODAY)


def test_normalize_id_strips_spaces_and_uppercases() -> None:
    assert normalize_id(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalize_id("１１０１０５１９９００１０１１２３２") == "110105199001011232"


def test_birth_date_and_age() -> None:
    assert birth_date("110105199001011232") == date(1990, 1, 1)
    assert age_on("110105199001011232", TODAY) == 36
    with pytest.raises(ValueError):
        birth_date("110105199002301232")


@given(regions, births, seqs)
def test_check_digit_round_trip(region: str, born: date, seq: int) -> None:
    id_number = make_id(region, born, seq)
    assert is_valid_id(id_number, TODAY)
    assert check_digit(id_number[:17]) == id_number[17]
    assert birth_date(id_number) == born


@given(regions, births, seqs, st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_detected(
    region: str, born: date, seq: int, pos: int, delta: int
) -> None:
    id_number = make_id(region, born, seq)
    digit = str((int(id_number[pos]) + delta) % 10)
    assert not is_valid_id(id_number[:pos] + digit + id_number[pos + 1 :], TODAY)


@given(births, st.dates(min_value=date(1900, 1, 1)), st.dates(min_value=date(1900, 1, 1)))
def test_age_is_monotone(born: date, d1: date, d2: date) -> None:
    early, late = sorted((d1, d2))
    assert age_on(born, early) <= age_on(born, late)


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2080, 12, 31)))
def test_eighteenth_birthday_counts(born: date) -> None:
    try:
        birthday = born.replace(year=born.year + 18)
    except ValueError:  # 29 February, 18 years on is not a leap year
        birthday = date(born.year + 18, 3, 1)
    assert age_on(born, birthday) == 18
    assert age_on(born, birthday - timedelta(days=1)) == 17


def test_29_february_ages_on_1_march_in_common_years() -> None:
    id_number = make_id("110101", date(2008, 2, 29), "001")
    assert age_on(id_number, date(2026, 2, 28)) == 17
    assert age_on(id_number, date(2026, 3, 1)) == 18
    assert age_on(id_number, date(2028, 2, 29)) == 20


def test_boundary_holders_of_the_seed() -> None:
    assert age_on(date(2008, 11, 22), TODAY) == 18
    assert age_on(date(2008, 11, 23), TODAY) == 17


def test_masks() -> None:
    assert mask_id("110105199001011232") == "1101**********1232"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_card("A12345678") == "A****5678"
    assert mask_phone("123") == "***"


@given(st.text(min_size=0, max_size=30))
def test_masks_never_show_more_than_eight_characters(s: str) -> None:
    for masked in (mask_id(s), mask_phone(s), mask_card(s)):
        assert len(masked) == len(s)
        assert sum(c != "*" for c in masked) <= 8
