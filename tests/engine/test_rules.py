"""BookingRule: parsing the subentry data format and the client's slot filter."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.engine import BookingRule, DailyDrop, Rolling, RuleError
from tests.const import RULE_DATA


def test_from_subentry_data_daily_drop() -> None:
    rule = BookingRule.from_subentry_data("sub-1", RULE_DATA)
    assert rule.rule_id == "sub-1"
    assert rule.name == "Weekday evenings"
    assert rule.zone == ZoneInfo("Europe/Madrid")
    assert rule.weekdays == frozenset({0, 1, 2, 3, 4})
    assert (rule.window_start, rule.window_end) == (time(18, 0), time(21, 30))
    assert rule.duration == 90
    assert rule.preferred_start is None
    assert rule.first_start == time(18, 0)
    assert rule.courts == ()
    assert rule.court_type == "any"
    assert rule.release == DailyDrop(14, time(8, 30))
    # Rules saved before the sport was stored are padel rules.
    assert "sport" not in RULE_DATA
    assert rule.sport_id == "PADEL"


def test_from_subentry_data_rolling_with_preferences() -> None:
    data = {
        **RULE_DATA,
        "weekdays": ["SAT", "sun"],
        "preferred_start": "19:30:00",
        "courts": ["r2", "r1"],
        "court_type": "indoor",
        "release_model": "rolling",
        "rolling_minutes": 2880,
        "sport": "tennis",
    }
    rule = BookingRule.from_subentry_data("sub-2", data)
    assert rule.sport_id == "TENNIS"
    assert rule.weekdays == frozenset({5, 6})
    assert rule.preferred_start == time(19, 30)
    assert rule.first_start == time(19, 30)
    assert rule.courts == ("r2", "r1")
    assert rule.court_type == "indoor"
    assert rule.release == Rolling(2880)
    flt = rule.slot_filter()
    assert flt.weekdays == frozenset({5, 6})
    assert flt.durations == frozenset({90})
    assert flt.courts == ("r2", "r1")
    assert flt.court_type == "indoor"
    assert flt.preferred_start == time(19, 30)
    assert (flt.window_start, flt.window_end) == (time(18, 0), time(21, 30))


@pytest.mark.parametrize(
    "change",
    [
        {"club_timezone": "Mars/Olympus"},
        {"weekdays": ["funday"]},
        {"weekdays": []},
        {"window_start": "22:00:00"},
        {"window_start": "not a time"},
        {"duration": 0},
        {"court_type": "roof"},
        {"release_model": "lottery"},
        {"release_model": "rolling", "rolling_minutes": 0},
        {"days_ahead": -1},
        {"tenant_id": None, "duration": "x"},
    ],
)
def test_from_subentry_data_rejects_unusable_rules(change: dict[str, object]) -> None:
    with pytest.raises(RuleError):
        BookingRule.from_subentry_data("bad", {**RULE_DATA, **change})


def test_missing_key_is_a_rule_error() -> None:
    data = dict(RULE_DATA)
    del data["window_end"]
    with pytest.raises(RuleError):
        BookingRule.from_subentry_data("bad", data)
