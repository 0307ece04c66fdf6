"""What a loaded account entry keeps at run time (`entry.runtime_data`).

The top of the integration's runtime imports: it names every part of a loaded entry, and no part
imports it back except the HA-facing modules (platforms, actions, results) that read
`entry.runtime_data`. The coordinators and the watch take a plain `ConfigEntry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry

from .api import PlaytomicClient
from .api.selfcheck import ApiCheckReport
from .cancellation_watch import CancellationWatch
from .coordinator import AvailabilityCoordinator, MatchesCoordinator
from .engine import BookingEngine
from .health import ApiHealth
from .history import ResultHistory
from .scheduler import ReleaseScheduler


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
    # The last `check_api` report (diagnostics show it).
    api_check: ApiCheckReport | None = None
    # Notify services already reported missing, so the log is not flooded on every result.
    missing_notify: set[str] = field(default_factory=set)


type PlaytomicConfigEntry = ConfigEntry[PlaytomicRuntimeData]
