"""Racing booking paths: one lock per (tenant, sport, club-local day), own bookings read inside it.

Every path that books (a rule's release or book now, the one-off `book` action, the Book now
button) holds the same lock for a club-day, so racing calls give one booking and, for the rest,
the existing booking with the reason `already_booked`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.playtomic.const import DOMAIN
from tests.const import ALICE_ID, NORTE_ID, RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import disable_backoff, setup_integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Madrid: the evening is open
DAY = date(2026, 3, 2)
MADRID = ZoneInfo("Europe/Madrid")
BUTTON = "button.weekday_evenings_book_now"
RACES = 4  # racing one-off calls


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    freezer.move_to(NOW)
    disable_backoff(monkeypatch)


def _own_on(fake: FakePlaytomic, day: date) -> list[Any]:
    return [
        m
        for m in fake.matches
        if m.owner_id == ALICE_ID
        and m.status == "CONFIRMED"
        and m.tenant_id == NORTE_ID
        and m.start.astimezone(MADRID).date() == day
    ]


def _days_booked_twice(fake: FakePlaytomic) -> list[date]:
    days = Counter(
        m.start.astimezone(MADRID).date()
        for m in fake.matches
        if m.owner_id == ALICE_ID and m.status == "CONFIRMED"
    )
    return [day for day, count in days.items() if count > 1]


def _one_off(entry: MockConfigEntry, day: date) -> dict[str, Any]:
    return {
        "config_entry_id": entry.entry_id,
        "tenant_id": NORTE_ID,
        "date": day.isoformat(),
        "window_start": "18:00:00",
        "window_end": "21:30:00",
        "duration": 90,
    }


async def _book(hass: HomeAssistant, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(DOMAIN, "book", data, blocking=True, return_response=True)


async def test_rule_booking_and_one_off_booking_racing_book_once(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """`book` with the rule and `book` with the same club, day and window, at the same moment."""
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.clear_requests()

    by_rule, one_off = await asyncio.gather(
        _book(hass, {"config_entry_id": mock_config_entry.entry_id, "rule": RULE_SUBENTRY_ID}),
        _book(hass, _one_off(mock_config_entry, DAY)),
    )

    booked = _own_on(fake_playtomic, DAY)
    assert len(booked) == 1
    assert one_off["match_id"] == booked[0].match_id
    # The rule without a date books its next open date not yet booked: if the one-off took
    # Monday first, that is Tuesday. Never a second court on one day.
    assert _days_booked_twice(fake_playtomic) == []
    if by_rule["match_id"] == booked[0].match_id:
        assert by_rule["reason"] is None or one_off["reason"] is None


async def test_book_now_button_and_one_off_booking_racing_book_once(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """The Book now button pressed while an automation books the same club-day."""
    await setup_integration(hass, mock_config_entry)

    press = hass.services.async_call("button", "press", {ATTR_ENTITY_ID: BUTTON}, blocking=True)
    _, one_off = await asyncio.gather(press, _book(hass, _one_off(mock_config_entry, DAY)))

    booked = _own_on(fake_playtomic, DAY)
    assert len(booked) == 1
    assert one_off["match_id"] == booked[0].match_id
    assert _days_booked_twice(fake_playtomic) == []


async def test_many_racing_one_off_bookings_book_once(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Several automations at once, for the same club-day."""
    await setup_integration(hass, mock_config_entry)
    results = await asyncio.gather(
        *(_book(hass, _one_off(mock_config_entry, DAY)) for _ in range(RACES))
    )

    booked = _own_on(fake_playtomic, DAY)
    assert len(booked) == 1
    assert {r["match_id"] for r in results} == {booked[0].match_id}
    assert [r["reason"] for r in results].count(None) == 1
    assert [r["reason"] for r in results].count("already_booked") == RACES - 1
