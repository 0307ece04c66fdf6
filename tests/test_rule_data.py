"""Reading a stored `booking_rule` subentry into the engine's typed rule (rule_data.py).

The engine only takes typed rules; a stored entry from before keeps its meaning, and whatever the
rule form writes reads back as the rule the user filled in.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.engine import BookingRule, DailyDrop, Rolling, RuleError
from custom_components.playtomic.rule_data import rule_from_data
from custom_components.playtomic.rule_schema import rule_data
from tests.const import NORTE_ID, RULE_DATA

MADRID = ZoneInfo("Europe/Madrid")

# A rule as stored before the sport, court preference and size, watch and reminder keys existed,
# with the release time unset (it reads as the default drop time).
OLD_FORMAT: dict[str, Any] = {
    "tenant_id": NORTE_ID,
    "club_name": "Club Padel Norte",
    "club_timezone": "Europe/Madrid",
    "name": "Weekday evenings",
    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
    "window_start": "18:00:00",
    "window_end": "21:30:00",
    "duration": 90,
    "preferred_start": None,
    "courts": ["r2"],
    "court_type": "any",
    "release_model": "daily_drop",
    "days_ahead": 14,
    "rolling_minutes": 20160,
    "auto_book": True,
    "notify": ["mobile_app_alice_phone"],
}


def test_a_stored_rule_from_before_loads_with_the_same_meaning() -> None:
    """Missing keys mean what they meant when the entry was stored (const STORED_*/DEFAULT_*)."""
    assert rule_from_data("old", OLD_FORMAT) == BookingRule(
        rule_id="old",
        name="Weekday evenings",
        tenant_id=NORTE_ID,
        zone=MADRID,
        weekdays=frozenset(range(5)),
        window_start=time(18, 0),
        window_end=time(21, 30),
        duration=90,
        release=DailyDrop(14, time(8, 30)),
        courts=("r2",),
        court_type="any",
        # Its courts list always meant "only these courts", of any size.
        only_courts=True,
        court_size="any",
        club_name="Club Padel Norte",
        auto_book=True,
        sport_id="PADEL",
        watch=True,
        watch_open_dates=False,
        watch_cutoff=timedelta(hours=2),
        reminder=None,
    )


def test_what_the_rule_form_writes_reads_back_as_the_rule_filled_in() -> None:
    form = {
        "name": " Weekend tennis ",
        "weekdays": ["sun", "sat"],
        "window_start": "09:00",
        "window_end": "00:00",
        "duration": "60",
        "preferred_start": "10:30:00",
        "courts": ["c2", "c1", "c2"],
        "only_courts": False,
        "court_size": "singles",
        "court_type": "indoor",
        "release_model": "rolling",
        "days_ahead": 7,
        "release_time": "07:00:00",
        "rolling_minutes": 2880,
        "auto_book": False,
        "notify": [" notify.mobile_app_bob ", "mobile_app_bob"],
        "watch": False,
        "watch_open_dates": True,
        "watch_cutoff_hours": 5,
        "reminder_hours": 24,
    }
    data = rule_data(form, tenant_id="t", club_name="Mixta", club_timezone="Europe/Madrid")
    # The notify targets are the one field the engine has no use for: stored without the prefix.
    assert data["notify"] == ["mobile_app_bob"]
    data["sport"] = "tennis"
    assert rule_from_data("r", data) == BookingRule(
        rule_id="r",
        name="Weekend tennis",
        tenant_id="t",
        zone=MADRID,
        weekdays=frozenset({5, 6}),
        window_start=time(9, 0),
        # 00:00 is midnight (api/daywindow.py).
        window_end=time(0, 0),
        duration=60,
        release=Rolling(2880),
        preferred_start=time(10, 30),
        courts=("c2", "c1"),
        court_type="indoor",
        only_courts=False,
        court_size="singles",
        club_name="Mixta",
        auto_book=False,
        sport_id="TENNIS",
        watch=False,
        watch_open_dates=True,
        watch_cutoff=timedelta(hours=5),
        reminder=timedelta(hours=24),
    )


def test_hours_options() -> None:
    assert rule_from_data("r", {**RULE_DATA, "watch_cutoff_hours": 0}).watch_cutoff == timedelta(0)
    # 0 hours (or unset) is no reminder.
    assert rule_from_data("r", {**RULE_DATA, "reminder_hours": 0}).reminder is None
    assert rule_from_data("r", {**RULE_DATA, "reminder_hours": 1.5}).reminder == timedelta(
        minutes=90
    )


@pytest.mark.parametrize(
    "change",
    [
        {"club_timezone": "Mars/Olympus"},
        {"club_timezone": None},
        {"weekdays": ["funday"]},
        {"weekdays": []},
        {"weekdays": None},
        {"window_start": "22:00:00"},
        {"window_start": "not a time"},
        {"duration": 0},
        {"duration": "x"},
        {"court_type": "roof"},
        {"court_size": "triples"},
        {"release_model": "lottery"},
        {"release_model": "rolling", "rolling_minutes": 0},
        {"release_model": "rolling", "rolling_minutes": None},
        {"days_ahead": -1},
        {"watch_cutoff_hours": -1},
        {"watch_cutoff_hours": 1000},
        {"reminder_hours": "soon"},
        {"reminder_hours": float("inf")},
        {"reminder_hours": True},
    ],
)
def test_unusable_stored_data_is_a_rule_error(change: dict[str, object]) -> None:
    with pytest.raises(RuleError):
        rule_from_data("bad", {**RULE_DATA, **change})


@pytest.mark.parametrize(
    "key", ["tenant_id", "club_timezone", "weekdays", "window_end", "duration"]
)
def test_a_missing_required_key_is_a_rule_error(key: str) -> None:
    data = dict(RULE_DATA)
    del data[key]
    with pytest.raises(RuleError):
        rule_from_data("bad", data)
