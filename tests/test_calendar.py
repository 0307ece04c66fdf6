"""Calendar bookings: own matches at every club, from memory."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from tests.const import ALICE_ID, NORTE_ID, RIVERSIDE_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

CALENDAR = "calendar.playtomic_alice_bookings"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    """A Monday morning."""
    freezer.move_to("2026-03-02T09:00:00+00:00")


async def test_calendar_events(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Matches at both clubs, with court, price and link; on while a match is played."""
    norte = fake_playtomic.clubs[NORTE_ID]
    river = fake_playtomic.clubs[RIVERSIDE_ID]
    first = fake_playtomic.book_directly(
        NORTE_ID, norte.courts[0].resource_id, datetime(2026, 3, 3, 17, 0, tzinfo=UTC), 90, ALICE_ID
    )
    fake_playtomic.book_directly(
        RIVERSIDE_ID,
        river.courts[0].resource_id,
        datetime(2026, 3, 10, 18, 0, tzinfo=UTC),
        60,
        ALICE_ID,
    )
    await setup_integration(hass, mock_config_entry)
    state = hass.states.get(CALENDAR)
    assert state.state == STATE_OFF
    assert state.attributes["message"] == "Padel · Club Padel Norte · Pista 1"
    assert state.attributes["location"] == "Club Padel Norte"

    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": CALENDAR,
            "start_date_time": "2026-03-01T00:00:00+00:00",
            "duration": {"days": 7},
        },
        blocking=True,
        return_response=True,
    )
    events = response[CALENDAR]["events"]
    assert len(events) == 1
    assert events[0]["summary"] == "Padel · Club Padel Norte · Pista 1"
    assert events[0]["description"] == (
        "36 EUR\nFree cancellation until 2026-03-02 18:00\n"
        f"https://app.playtomic.io/matches/{first.match_id}"
    )
    assert events[0]["location"] == "Club Padel Norte"

    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": CALENDAR,
            "start_date_time": "2026-03-01T00:00:00+00:00",
            "duration": {"days": 30},
        },
        blocking=True,
        return_response=True,
    )
    summaries = [e["summary"] for e in response[CALENDAR]["events"]]
    assert summaries[1].startswith("Padel · Riverside Padel · ")

    during = datetime(2026, 3, 3, 17, 30, tzinfo=UTC)
    freezer.move_to(during)
    async_fire_time_changed(hass, during)
    await hass.async_block_till_done()
    assert hass.states.get(CALENDAR).state == STATE_ON


async def test_calendar_empty(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """No matches, no event."""
    await setup_integration(hass, mock_config_entry)
    assert hass.states.get(CALENDAR).state == STATE_OFF
    assert "message" not in hass.states.get(CALENDAR).attributes
