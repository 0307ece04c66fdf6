"""Switch auto_book: stored in the rule's subentry, no reload, survives a restart."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.const import RULE_SUBENTRY_ID
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration

SWITCH = "switch.weekday_evenings_auto_book"
NEXT_ATTEMPT = "sensor.weekday_evenings_next_booking_attempt"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> None:
    """A Monday morning."""
    freezer.move_to("2026-03-02T09:00:00+00:00")


async def test_auto_book_toggle(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Off stores auto_book False in the subentry and disarms the release; on re-arms it.

    The next release stays visible (an automation may still book it with `at`).
    """
    await setup_integration(hass, mock_config_entry)
    runtime = mock_config_entry.runtime_data
    assert hass.states.get(SWITCH).state == STATE_ON
    attempt = hass.states.get(NEXT_ATTEMPT).state
    assert attempt != STATE_UNKNOWN

    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: SWITCH}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get(SWITCH).state == STATE_OFF
    assert mock_config_entry.subentries[RULE_SUBENTRY_ID].data["auto_book"] is False
    assert hass.states.get(NEXT_ATTEMPT).state == attempt
    assert hass.states.get(NEXT_ATTEMPT).attributes["auto_book"] is False
    assert runtime.scheduler is not None
    assert not runtime.scheduler.diagnostics()["state"].get(RULE_SUBENTRY_ID)
    # No reload: the same runtime objects keep running.
    assert mock_config_entry.runtime_data is runtime

    # The choice survives a restart.
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SWITCH).state == STATE_OFF

    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get(SWITCH).state == STATE_ON
    assert mock_config_entry.subentries[RULE_SUBENTRY_ID].data["auto_book"] is True
    assert hass.states.get(NEXT_ATTEMPT).state == attempt


async def test_auto_book_replans_the_scheduler(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """With the engine's scheduler wired in, toggling re-plans its timers."""
    await setup_integration(hass, mock_config_entry)
    replans: list[bool] = []

    class StubScheduler:
        def async_replan(self) -> None:
            replans.append(True)

    mock_config_entry.runtime_data.scheduler = StubScheduler()  # type: ignore[assignment]
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: SWITCH}, blocking=True)
    assert replans == [True]
