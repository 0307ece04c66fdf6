"""BookingRule: parsing the subentry data format and the client's slot filter."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.api import Club, Court
from custom_components.playtomic.engine import BookingRule, DailyDrop, Rolling, RuleError
from custom_components.playtomic.engine.candidates import build_candidates
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
        {"court_size": "triples"},
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


def test_stored_rules_from_before_court_preferences_keep_their_meaning() -> None:
    """No `only_courts`/`court_size` in stored data: only the listed courts, any size."""
    old = BookingRule.from_subentry_data("old", {**RULE_DATA, "courts": ["r2"]})
    assert (old.only_courts, old.court_size) == (True, "any")
    assert (old.slot_filter().only_courts, old.slot_filter().court_size) == (True, "any")
    new = BookingRule.from_subentry_data(
        "new", {**RULE_DATA, "courts": ["r2"], "only_courts": False, "court_size": "doubles"}
    )
    assert (new.only_courts, new.court_size) == (False, "doubles")
    assert (new.slot_filter().only_courts, new.slot_filter().court_size) == (False, "doubles")


def test_release_candidates_follow_court_preference_and_size() -> None:
    """A burst tries the preferred court first, then the others of the right size."""
    zone = ZoneInfo("Europe/Madrid")
    club = Club(
        tenant_id="t",
        name="Club",
        zone=zone,
        courts=(
            Court("d1", "Doubles 1", durations=(90,)),
            Court("d2", "Doubles 2", durations=(90,)),
            Court("s1", "Singles 1", size="single", durations=(90,)),
        ),
    )
    data = {**RULE_DATA, "window_start": "18:00:00", "window_end": "19:30:00", "courts": ["d2"]}
    preference = BookingRule.from_subentry_data(
        "p", {**data, "only_courts": False, "court_size": "doubles"}
    )
    day = date(2026, 3, 2)
    assert [s.resource_id for s in build_candidates(preference, club, day)] == ["d2", "d1"]
    only = BookingRule.from_subentry_data("o", {**data, "only_courts": True})
    assert [s.resource_id for s in build_candidates(only, club, day)] == ["d2"]
    singles = BookingRule.from_subentry_data("s", {**data, "courts": [], "court_size": "singles"})
    assert [s.resource_id for s in build_candidates(singles, club, day)] == ["s1"]
