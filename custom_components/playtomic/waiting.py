"""Waiting inside Home Assistant's event loop for a wall-clock instant.

One timer (`async_track_point_in_utc_time`), no sleep loop: the wait ends on the loop's next
tick after the instant, and HA's `freezer` in tests moves it like any other timer.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time


async def async_wait_until(
    hass: HomeAssistant, when: datetime, *, entry: ConfigEntry | None = None
) -> bool:
    """Wait until `when` (UTC). False when `entry` was unloaded first.

    The scheduler runs in an entry background task, which unloading cancels, so it needs no
    entry; an action call is not such a task and must learn that its account went away.
    """
    waiter: asyncio.Future[bool] = hass.loop.create_future()

    @callback
    def reached(_now: datetime) -> None:
        if not waiter.done():
            waiter.set_result(True)

    @callback
    def unloaded() -> None:
        if not waiter.done():
            waiter.set_result(False)

    unsub = async_track_point_in_utc_time(hass, reached, when)
    if entry is not None:
        entry.async_on_unload(unloaded)
    try:
        return await waiter
    finally:
        unsub()
