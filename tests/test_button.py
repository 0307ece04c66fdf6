"""Button book_now: books the rule's best open slot through the booking path."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.const import ALICE_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import record_notify, setup_integration

BUTTON = "button.weekday_evenings_book_now"


async def test_book_now_books_best_slot(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to("2026-03-02T09:00:00+00:00")
    calls = record_notify(hass)
    await setup_integration(hass, mock_config_entry)
    best = hass.states.get("sensor.weekday_evenings_next_open_slot")
    assert best is not None

    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: BUTTON}, blocking=True)
    await hass.async_block_till_done()

    own = [m for m in fake_playtomic.matches if m.owner_id == ALICE_ID]
    assert len(own) == 1
    assert own[0].start.isoformat() == best.state
    result = hass.states.get("sensor.weekday_evenings_last_booking_result")
    assert result.state == "booked"
    assert result.attributes["match_id"] == own[0].match_id
    assert calls[0]["title"] == "Court booked: Weekday evenings"
    upcoming = hass.states.get("sensor.playtomic_alice_upcoming_booking")
    assert upcoming.state == best.state
    # The booked day leaves the rule's open slots.
    assert hass.states.get("sensor.weekday_evenings_next_open_slot").state != best.state


async def test_book_now_failure_raises(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An API failure is reported and shown to the user who pressed."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.edge_block("POST", "^/v1/payment_intents$")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: BUTTON}, blocking=True)
    assert err.value.translation_key == "reason_edge_blocked"
    assert hass.states.get("sensor.weekday_evenings_last_booking_result").state == "failed"
    assert not [m for m in fake_playtomic.matches if m.owner_id == ALICE_ID]


async def test_book_now_no_slot_is_not_an_error(
    hass: HomeAssistant,
    fake_playtomic: FakePlaytomic,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nothing free is an outcome, not an error: the sensor says no_slot."""
    freezer.move_to("2026-03-02T09:00:00+00:00")
    await setup_integration(hass, mock_config_entry)
    fake_playtomic.respond("GET", "^/v1/availability$", status=200, json=[], count=None)
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: BUTTON}, blocking=True)
    state = hass.states.get("sensor.weekday_evenings_last_booking_result")
    assert state.state == "no_slot"
    assert state.attributes["reason"] == "no_matching_slot"
