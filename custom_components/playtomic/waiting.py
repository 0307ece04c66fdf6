"""Waiting inside Home Assistant's event loop for a wall-clock instant.

One timer (`async_track_point_in_utc_time`), no sleep loop: the wait ends on the loop's next
tick after the instant, and HA's `freezer` in tests moves it like any other timer.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util


async def async_wait_until(
    hass: HomeAssistant, when: datetime, *, entry: ConfigEntry | None = None
) -> bool:
    """Wait until `when` (UTC). False when `entry` was unloaded first.

    The scheduler runs in an entry background task, which unloading cancels, so it needs no
    entry; an action call is not such a task and must learn that its account went away. The
    entry is watched through a state-change listener that the wait removes when it ends (an
    `async_on_unload` callback cannot be removed: one per wait piled up on the entry).
    """
    if when <= dt_util.utcnow():
        # Nothing to wait for (a restart late in a lead time): no timer, no loop tick.
        return entry is None or entry.state is ConfigEntryState.LOADED
    waiter: asyncio.Future[bool] = hass.loop.create_future()

    @callback
    def reached(_now: datetime) -> None:
        if not waiter.done():
            waiter.set_result(True)

    @callback
    def state_changed() -> None:
        # Unloading moves the entry to UNLOAD_IN_PROGRESS first: any state but LOADED ends it.
        if entry is not None and entry.state is not ConfigEntryState.LOADED and not waiter.done():
            waiter.set_result(False)

    unsubs = [async_track_point_in_utc_time(hass, reached, when)]
    if entry is not None:
        unsubs.append(entry.async_on_state_change(state_changed))
    try:
        return await waiter
    finally:
        for unsub in unsubs:
            unsub()
