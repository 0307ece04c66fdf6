"""Calendar `bookings`: the account's own matches at every club."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import Match
from .api.links import match_link
from .entity import PlaytomicAccountEntity
from .runtime import PlaytomicConfigEntry

# Read-only: events come from the matches coordinator, no I/O here.
PARALLEL_UPDATES = 0

try:
    from homeassistant.components.calendar import CalendarEntityDescription
except ImportError:  # pragma: no cover - HA before calendar descriptions (2026.2)
    from homeassistant.helpers.entity import EntityDescription as CalendarEntityDescription  # type: ignore[assignment]

BOOKINGS = CalendarEntityDescription(key="bookings", translation_key="bookings")


def match_event(match: Match) -> CalendarEvent:
    """One own match as a calendar event."""
    club = match.tenant_name or "Playtomic"
    sport = (match.sport_id or "padel").capitalize()
    summary = " · ".join(part for part in (sport, club, match.resource_name) if part)
    lines = []
    if match.price:
        lines.append(str(match.price))
    lines.append(match_link(match.match_id))
    return CalendarEvent(
        start=dt_util.as_local(match.start),
        end=dt_util.as_local(match.end),
        summary=summary,
        location=club,
        description="\n".join(lines),
        uid=match.match_id,
    )


class PlaytomicBookingsCalendar(PlaytomicAccountEntity, CalendarEntity):
    """Own bookings, from memory."""

    def _events(self) -> list[CalendarEvent]:
        return [match_event(match) for match in self.coordinator.data or []]

    @property
    def event(self) -> CalendarEvent | None:
        """The match being played now, or the next one."""
        now = dt_util.now()
        return next((event for event in self._events() if event.end > now), None)

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Matches overlapping the range, soonest first."""
        return [
            event for event in self._events() if event.end > start_date and event.start < end_date
        ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One calendar per account."""
    async_add_entities([PlaytomicBookingsCalendar(entry, BOOKINGS)])
