"""Reading booking rules from the entry (rule_entries.py), and the coordinator's request plan.

What a rule means (open dates, releases) is the engine's and is tested in tests/engine.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.book_now import async_book
from custom_components.playtomic.const import DOMAIN, SUBENTRY_BOOKING_RULE
from custom_components.playtomic.coordinator import MAX_CLUB_DAYS_PER_REFRESH
from custom_components.playtomic.engine import BookingRule
from custom_components.playtomic.engine.outcome import AttemptResult, Outcome
from custom_components.playtomic.notifications import details
from custom_components.playtomic.rule_data import rule_from_data
from custom_components.playtomic.rule_entries import (
    notify_targets,
    rule_of,
    rules_of,
    unusable_rules,
)
from custom_components.playtomic.sensor import zone_of
from tests.const import RIVERSIDE_ID, RULE_DATA
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_zone_fallback() -> None:
    """Local times of a match without a usable zone are shown in UTC."""
    assert zone_of("Not/AZone") == ZoneInfo("UTC")
    assert zone_of(None) == ZoneInfo("UTC")
    assert zone_of("Europe/Madrid") == ZoneInfo("Europe/Madrid")


def test_rules_of_reads_subentries_as_engine_rules(caplog: pytest.LogCaptureFixture) -> None:
    """One model: a rule is the engine's; sparse or broken data is unusable everywhere."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        subentries_data=[
            _subentry("good", RULE_DATA),
            _subentry("tennis", {**RULE_DATA, "sport": "tennis", "notify": []}),
            _subentry("sparse", {"tenant_id": "t"}),
            _subentry("bad_zone", {**RULE_DATA, "club_timezone": "Not/AZone"}),
            _subentry("other", RULE_DATA, subentry_type="other"),
        ],
    )
    rules = rules_of(entry)
    assert set(rules) == {"good", "tennis"}
    assert isinstance(rules["good"], BookingRule)
    # The name is the subentry's title, which Home Assistant's Rename changes.
    assert rules["good"] == replace(rule_from_data("good", RULE_DATA), name="Good")
    assert rules["tennis"].sport_id == "TENNIS"
    assert rule_of(entry, "good") == rules["good"]
    assert rule_of(entry, "sparse") is None
    assert rule_of(entry, "gone") is None
    assert rule_of(entry, "other") is None
    assert notify_targets(entry, "good") == ("mobile_app_alice_phone",)
    assert notify_targets(entry, "tennis") == ()
    assert notify_targets(entry, None) == ()
    assert "not usable" not in caplog.text
    assert unusable_rules(entry) == {"sparse": "Sparse", "bad_zone": "Bad zone"}
    unusable = [r.getMessage() for r in caplog.records if "not usable" in r.getMessage()]
    assert len(unusable) == 2
    assert any("Sparse" in message for message in unusable)


def _subentry(
    subentry_id: str, data: dict[str, Any], *, subentry_type: str = SUBENTRY_BOOKING_RULE
) -> ConfigSubentryData:
    return ConfigSubentryData(
        data=data,
        subentry_id=subentry_id,
        subentry_type=subentry_type,
        title=subentry_id.replace("_", " ").capitalize(),
        unique_id=None,
    )


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
        "a": rule_from_data("a", RULE_DATA),
        "b": rule_from_data("b", {**RULE_DATA, "tenant_id": RIVERSIDE_ID}),
        "c": rule_from_data("c", {**RULE_DATA, "window_start": "08:00:00"}),
        "t": rule_from_data("t", {**RULE_DATA, "sport": "TENNIS"}),
    }
    plan = coordinator.days_to_poll(rules, MONDAY)
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
