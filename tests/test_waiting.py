"""The one wall-clock wait (waiting.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.playtomic.waiting import async_wait_until
from tests.fake_playtomic import FakePlaytomic
from tests.helpers import setup_integration


def listeners(entry: MockConfigEntry) -> tuple[int, int]:
    """How many unload and state-change callbacks the entry holds (HA keeps them privately)."""
    return len(entry._on_unload or ()), len(entry._on_state_change or ())


async def test_finished_waits_leave_no_callbacks_on_the_entry(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    """Regression: every wait added an unload callback to the entry and never removed it."""
    await setup_integration(hass, mock_config_entry)
    before = listeners(mock_config_entry)
    for _ in range(3):
        when = dt_util.utcnow() + timedelta(seconds=1)
        wait = asyncio.create_task(async_wait_until(hass, when, entry=mock_config_entry))
        await asyncio.sleep(0)
        assert listeners(mock_config_entry) != before  # it watches the entry while waiting
        async_fire_time_changed(hass, when + timedelta(seconds=1))
        assert await wait
    assert listeners(mock_config_entry) == before


async def test_a_past_instant_returns_at_once_without_a_timer(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, mock_config_entry)
    before = listeners(mock_config_entry)
    past = dt_util.utcnow() - timedelta(seconds=1)
    assert await async_wait_until(hass, past, entry=mock_config_entry)
    assert listeners(mock_config_entry) == before
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert not await async_wait_until(hass, past, entry=mock_config_entry)


async def test_unload_ends_a_wait_with_false(
    hass: HomeAssistant, fake_playtomic: FakePlaytomic, mock_config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, mock_config_entry)
    wait = asyncio.create_task(
        async_wait_until(hass, dt_util.utcnow() + timedelta(hours=1), entry=mock_config_entry)
    )
    await asyncio.sleep(0)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert await wait is False
