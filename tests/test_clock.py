"""Both clocks move forward the same way, so a replay's `wait` needs no isinstance check."""

from datetime import date

import pytest

from bot.clock import Clock, ManualClock


@pytest.mark.parametrize("clock", [Clock(), ManualClock(date(2026, 11, 22))], ids=["wall", "hand"])
def test_clock_advance_moves_now_and_today(clock: Clock) -> None:
    before, day = clock.now(), clock.today()
    clock.advance(2 * 86400)
    assert 2 * 86400 <= clock.now() - before < 2 * 86400 + 60  # the wall clock also ticks meanwhile
    assert (clock.today() - day).days in (2, 3)


def test_clock_manual_stands_still_until_advanced() -> None:
    clock = ManualClock(date(2026, 11, 22))
    assert clock.now() == clock.now()
    clock.advance(90)
    assert clock.now() == ManualClock(date(2026, 11, 22)).now() + 90
