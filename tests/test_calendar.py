"""Calendar bookings: own matches at every club, from memory."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from tests.const import ALICE_ID, MIXED_ID, NORTE_ID, RIVERSIDE_ID
from tests.fake_playtomic import FakeClub, FakePlaytomic
from tests.helpers import setup_integration

CALENDAR = "calendar.playtomic_alice_bookings"


async def events_from_march_1(
    hass: HomeAssistant, *, days: int, calendar: str = CALENDAR
) -> dict[str, Any]:
    """The calendar.get_events response for `days` from 1 March."""
    response: dict[str, Any] = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": calendar,
            "start_date_time": "2026-03-01T00:00:00+00:00",
            "duration": {"days": days},
        },
        blocking=True,
        return_response=True,
    )
    return response


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
    # What differs between events comes first; the location is the club's address.
    assert state.attributes["message"] == "Pista 1 · Club Padel Norte · Padel"
    assert state.attributes["location"] == "Calle Falsa 123, 28001 Madrid"

    response = await events_from_march_1(hass, days=7)
    events = response[CALENDAR]["events"]
    assert len(events) == 1
    assert events[0]["summary"] == "Pista 1 · Club Padel Norte · Padel"
    # The fake club's policy: free cancellation up to 24 h before (club-local time).
    assert events[0]["description"] == (
        "36 EUR\nFree cancellation until 2026-03-02 18:00\n"
        f"https://app.playtomic.io/matches/{first.match_id}"
    )
    assert events[0]["location"] == "Calle Falsa 123, 28001 Madrid"

    response = await events_from_march_1(hass, days=30)
    summaries = [e["summary"] for e in response[CALENDAR]["events"]]
    assert summaries[1].endswith(" · Riverside Padel · Padel")
    # The club of a match is looked up for its cancellation policy: its address is known too.
    assert response[CALENDAR]["events"][1]["location"] == "Calle Falsa 123, 28001 London"

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


async def test_deleting_a_future_event_cancels_the_booking(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Delete on a coming booking's event cancels it on Playtomic; a started one stays."""
    norte = fake_playtomic.clubs[NORTE_ID]
    coming = fake_playtomic.book_directly(
        NORTE_ID, norte.courts[0].resource_id, datetime(2026, 3, 3, 17, 0, tzinfo=UTC), 90, ALICE_ID
    )
    started = fake_playtomic.book_directly(
        NORTE_ID, norte.courts[1].resource_id, datetime(2026, 3, 2, 8, 30, tzinfo=UTC), 90, ALICE_ID
    )
    await setup_integration(hass, mock_config_entry)
    client = await hass_ws_client(hass)

    await client.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": CALENDAR, "uid": started.match_id}
    )
    answer = await client.receive_json()
    assert not answer["success"]
    assert not [r for r in fake_playtomic.requests if r.path.endswith("/cancellation")]

    await client.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": CALENDAR, "uid": coming.match_id}
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    cancels = [r for r in fake_playtomic.requests if r.path.endswith("/cancellation")]
    assert len(cancels) == 1
    response = await events_from_march_1(hass, days=7)
    # Only the started match is left on the calendar.
    summaries = [event["summary"] for event in response[CALENDAR]["events"]]
    assert summaries == ["Pista 2 · Club Padel Norte · Padel"]


async def test_calendar_sport_in_the_users_language(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mixed_club: FakeClub,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The summary names the sport as the club step lists it, in the user's language."""
    hass.config.language = "es"
    tennis = next(c for c in mixed_club.courts if c.name == "Tenis 1")
    padel = fake_playtomic.clubs[NORTE_ID].courts[0]
    fake_playtomic.book_directly(
        NORTE_ID, padel.resource_id, datetime(2026, 3, 3, 17, 0, tzinfo=UTC), 90, ALICE_ID
    )
    fake_playtomic.book_directly(
        MIXED_ID, tennis.resource_id, datetime(2026, 3, 4, 17, 0, tzinfo=UTC), 60, ALICE_ID
    )
    await setup_integration(hass, mock_config_entry)
    # A Spanish install names its entity ids in Spanish.
    calendar = "calendar.playtomic_alice_reservas"
    response = await events_from_march_1(hass, days=7, calendar=calendar)
    summaries = [event["summary"] for event in response[calendar]["events"]]
    assert summaries == ["Pista 1 · Club Padel Norte · Pádel", "Tenis 1 · Raqueta Mixta · Tenis"]
