"""Booking-rule calendar logic and the coordinator's request plan, without the network."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.api import PlaytomicError
from custom_components.playtomic.booking import async_book
from custom_components.playtomic.coordinator import MAX_CLUB_DAYS_PER_REFRESH, error_code
from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.notifications import details
from custom_components.playtomic.rules import BookingRule, parse_time, zone_of
from tests.const import RIVERSIDE_ID, RULE_DATA
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_parse_time_and_zone() -> None:
    """Times come as strings or times; an unusable zone falls back to UTC."""
    assert parse_time(time(7, 5)) == time(7, 5)
    assert parse_time(None) is None
    assert parse_time("", "08:30:00") == time(8, 30)
    assert zone_of("Not/AZone") == ZoneInfo("UTC")
    assert zone_of(None) == ZoneInfo("UTC")


def test_rule_defaults_from_sparse_data() -> None:
    """Older or hand-edited subentry data still reads."""
    rule = BookingRule.from_data("r1", {"tenant_id": "t"})
    assert rule.name == "r1"
    assert rule.duration == 90
    assert rule.weekdays == frozenset(range(7))
    assert rule.window_start == time(18, 0)
    assert rule.sport_id == "PADEL"
    assert BookingRule.from_data("r2", {"tenant_id": "t", "sport": "tennis"}).sport_id == "TENNIS"


def test_open_days_and_releases() -> None:
    """Daily drop: released weekdays from today; the next release skips weekend dates."""
    rule = BookingRule.from_data("r1", RULE_DATA)
    days = rule.open_days(MONDAY)
    assert days[0] == date(2026, 3, 2)
    assert days[-1] == date(2026, 3, 16)
    assert all(day.weekday() < 5 for day in days)
    assert rule.open_days(MONDAY, horizon_minutes=2 * 1440) == [
        date(2026, 3, 2),
        date(2026, 3, 3),
        date(2026, 3, 4),
    ]
    # Evening over: today's window can no longer fit a 90-minute slot.
    late = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
    assert rule.open_days(late)[0] == date(2026, 3, 3)
    assert date(2026, 3, 3) not in rule.open_days(MONDAY, skip=[date(2026, 3, 3)])


def test_explicit_dates() -> None:
    """A one-off target wants exactly its date, released or not."""
    base = BookingRule.from_data(None, RULE_DATA)
    rule = BookingRule(**{**base.__dict__, "only_dates": (date(2026, 3, 20),)})
    assert rule.qualifies(date(2026, 3, 20))
    assert not rule.qualifies(date(2026, 3, 19))
    assert rule.open_days(MONDAY) == [date(2026, 3, 20)]
    assert rule.open_days(datetime(2026, 3, 21, tzinfo=UTC)) == []


def test_error_code_of_plain_error() -> None:
    """Anything that is not a known failure is an unknown error."""
    assert error_code(PlaytomicError("boom")) == "unknown_error"


def test_details_without_slot() -> None:
    """A result that knows only its date still reads."""
    result = AttemptResult(
        outcome=Outcome.NO_SLOT, rule_id=None, tenant_id="t", target_date=date(2026, 3, 3)
    )
    assert details({}, result) == "2026-03-03"


async def test_plan_is_capped_across_rules(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Several rules share the 7 club-days of a refresh, round robin, nearest first."""
    await setup_integration(hass, mock_config_entry)
    coordinator = mock_config_entry.runtime_data.availability
    rules = {
        "a": BookingRule.from_data("a", RULE_DATA),
        "b": BookingRule.from_data("b", {**RULE_DATA, "tenant_id": RIVERSIDE_ID}),
        "c": BookingRule.from_data("c", {**RULE_DATA, "window_start": "08:00:00"}),
        "t": BookingRule.from_data("t", {**RULE_DATA, "sport": "TENNIS"}),
    }
    plan = coordinator.plan(rules, MONDAY)
    listings = {
        (rules[r].tenant_id, rules[r].sport_id, d) for r, days in plan.items() for d in days
    }
    assert len(listings) == MAX_CLUB_DAYS_PER_REFRESH
    assert plan["a"][0] == plan["b"][0] == plan["t"][0] == date(2026, 3, 2)
    # Rule c asks for the same club-days as rule a: they cost nothing extra.
    assert set(plan["c"]) <= set(plan["a"])
    # Rule t wants the same club and days in another sport: a listing of its own each.
    assert (len(plan["a"]), len(plan["t"])) == (3, 2)


async def test_book_unknown_rule(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The booking path refuses a rule the entry does not have."""
    await setup_integration(hass, mock_config_entry)
    with pytest.raises(ServiceValidationError):
        await async_book(hass, mock_config_entry, rule_id="gone")
