"""What a loaded account entry keeps at run time (`entry.runtime_data`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .engine.outcome import AttemptResult
from .engine.reasons import Reason

if TYPE_CHECKING:
    from .api import PlaytomicClient
    from .coordinator import AvailabilityCoordinator, MatchesCoordinator
    from .engine import BookingEngine
    from .scheduler import ReleaseScheduler
    from .watch import CancellationWatch

HISTORY_VERSION = 1
HISTORY_LIMIT = 50


def history_key(entry_id: str) -> str:
    """Storage key of an entry's booking history."""
    return f"{DOMAIN}.history.{entry_id}"


class ResultHistory:
    """The last results per rule and a bounded log of every attempt, kept across restarts."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind the store; nothing is read until `async_load`."""
        self._store: Store[dict[str, Any]] = Store(hass, HISTORY_VERSION, history_key(entry_id))
        self.results: list[AttemptResult] = []
        self.last_by_rule: dict[str, AttemptResult] = {}

    async def async_load(self) -> None:
        """Restore the log; unreadable records are skipped rather than failing setup."""
        stored = await self._store.async_load() or {}
        for item in stored.get("results", []):
            try:
                result = AttemptResult.from_dict(item)
            except (KeyError, TypeError, ValueError):
                continue
            self._remember(result)

    def _remember(self, result: AttemptResult) -> None:
        self.results.append(result)
        del self.results[:-HISTORY_LIMIT]
        if result.rule_id:
            self.last_by_rule[result.rule_id] = result

    async def async_add(self, result: AttemptResult) -> None:
        """Record a result and persist the log."""
        self._remember(result)
        await self._store.async_save({"results": [item.as_dict() for item in self.results]})

    async def async_remove(self) -> None:
        """Delete the stored log (the entry is being removed)."""
        await self._store.async_remove()


@dataclass
class ApiHealth:
    """The last API error seen by any part of the entry (diagnostic sensor)."""

    error: Reason | None = None
    at: datetime | None = None


@dataclass
class PlaytomicRuntimeData:
    """Runtime objects of one Playtomic account."""

    client: PlaytomicClient
    engine: BookingEngine
    matches: MatchesCoordinator
    availability: AvailabilityCoordinator
    history: ResultHistory
    health: ApiHealth = field(default_factory=ApiHealth)
    # Registry id of the account device (rule devices hang under it).
    account_device_id: str | None = None
    # The engine's release scheduler, once it is wired in (see docs/architecture.md).
    scheduler: ReleaseScheduler | None = None
    # The cancellation watch (watched dates, bookings of freed courts).
    watch: CancellationWatch | None = None
    # One lock per rule (or explicit target) so two callers never book the same goal twice.
    booking_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    # Notify services already reported missing, so the log is not flooded on every result.
    missing_notify: set[str] = field(default_factory=set)

    @callback
    def lock_for(self, key: str) -> asyncio.Lock:
        """The booking lock of a rule or target."""
        return self.booking_locks.setdefault(key, asyncio.Lock())


type PlaytomicConfigEntry = ConfigEntry[PlaytomicRuntimeData]
