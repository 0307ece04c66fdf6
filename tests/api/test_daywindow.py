"""The one definition of which times of day fit a rule (api/daywindow.py)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from custom_components.playtomic.api.daywindow import DayWindow


@pytest.mark.parametrize(
    ("start", "end", "valid"),
    [
        (time(18), time(21, 30), True),
        (time(22), time(0), True),  # 00:00 is midnight, the end of the day
        (time(0), time(0), True),  # the whole day
        (time(18), time(18), False),
        (time(21), time(18), False),
    ],
)
def test_valid(start: time, end: time, valid: bool) -> None:
    assert DayWindow.valid(start, end) is valid
    if not valid:
        with pytest.raises(ValueError):
            DayWindow(start, end)


def test_holds_a_slot_ending_at_midnight() -> None:
    window = DayWindow(time(22), time(0))
    assert window.holds(datetime(2026, 3, 2, 23), datetime(2026, 3, 3, 0))
    assert not window.holds(datetime(2026, 3, 2, 23, 30), datetime(2026, 3, 3, 0, 30))
    assert not window.holds(datetime(2026, 3, 2, 21, 30), datetime(2026, 3, 2, 22, 30))
    evening = DayWindow(time(18), time(21, 30))
    assert evening.holds(datetime(2026, 3, 2, 20), datetime(2026, 3, 2, 21, 30))
    assert not evening.holds(datetime(2026, 3, 2, 20, 30), datetime(2026, 3, 2, 22))


def test_starts_ends_and_length() -> None:
    window = DayWindow(time(22), time(0))
    assert window.starts_in(time(23, 59))
    assert not window.starts_in(time(21, 59))
    assert window.end_on(date(2026, 3, 2)) == (date(2026, 3, 3), time(0))
    assert DayWindow(time(18), time(21)).end_on(date(2026, 3, 2)) == (date(2026, 3, 2), time(21))
    assert window.longer_than(120)
    assert not window.longer_than(121)
    assert window.starts(60, 30) == [time(22), time(22, 30), time(23)]
    assert window.starts(60, 45, preferred=time(22, 50)) == [time(22), time(22, 45), time(22, 50)]
    assert window.starts(60, 30, preferred=time(23, 30)) == [time(22), time(22, 30), time(23)]
