"""Calendar `bookings`: the account's own matches at every club."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.calendar.const import CalendarEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import Club, Match
from .api.links import match_link
from .cancelling import async_cancel_match, match_not_cancelable
from .entity import PlaytomicAccountEntity
from .notifications import async_texts, local_text, sport_text, text_template
from .reminders import free_cancellation_deadline
from .runtime import PlaytomicConfigEntry
from .sensor import zone_of

# Events come from the matches coordinator; a delete cancels one match at a time.
PARALLEL_UPDATES = 1

try:
    from homeassistant.components.calendar import CalendarEntityDescription
except ImportError:  # pragma: no cover - HA before calendar descriptions (2026.2)
    from homeassistant.helpers.entity import EntityDescription as CalendarEntityDescription  # type: ignore[assignment]

BOOKINGS = CalendarEntityDescription(key="bookings", translation_key="bookings")


def match_event(
    match: Match,
    free_until: str | None = None,
    club: Club | None = None,
    sport: str | None = None,
) -> CalendarEvent:
    """One own match as a calendar event; `free_until` is the free-cancellation line, `sport`
    the sport's translated name.

    The summary starts with what differs between events (court, then club); the location is
    the club's address when the club is known, so map apps can find it.
    """
    club_name = match.tenant_name or (club.name if club else None) or "Playtomic"
    summary = " · ".join(part for part in (match.resource_name, club_name, sport) if part)
    lines = []
    if match.price:
        lines.append(str(match.price))
    if free_until:
        lines.append(free_until)
    # On a line of its own: calendar apps turn a bare address into a link.
    lines.append(match_link(match.match_id))
    return CalendarEvent(
        start=dt_util.as_local(match.start),
        end=dt_util.as_local(match.end),
        summary=summary,
        location=(club.address if club else None) or club_name,
        description="\n".join(lines),
        uid=match.match_id,
    )


class PlaytomicBookingsCalendar(PlaytomicAccountEntity, CalendarEntity):
    """Own bookings, from memory. Deleting a coming booking's event cancels the booking."""

    _attr_supported_features = CalendarEntityFeature.DELETE_EVENT
    _free_template = "{deadline}"
    _texts: dict[str, str] = {}

    async def async_added_to_hass(self) -> None:
        """Load the translated texts (free-cancellation line, sport names) once."""
        await super().async_added_to_hass()
        self._texts = await async_texts(self.hass)
        self._free_template = text_template(self._texts, "calendar_free_cancellation")

    def _free_until(self, match: Match) -> str | None:
        deadline = free_cancellation_deadline(self.entry, match)
        if deadline is None:
            return None
        zone = zone_of(match.timezone_name)
        return self._free_template.replace("{deadline}", local_text(deadline, zone))

    def _events(self) -> list[CalendarEvent]:
        clubs = self.entry.runtime_data.availability
        return [
            match_event(
                match,
                self._free_until(match),
                clubs.cached_club(match.tenant_id) if match.tenant_id else None,
                sport_text(self._texts, match.sport_id),
            )
            for match in self.coordinator.data or []
        ]

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

    async def async_delete_event(
        self,
        uid: str,
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Cancel the booking behind the event; one that has started stays."""
        match = next((m for m in self.coordinator.data or [] if m.match_id == uid), None)
        if match is None or match.start <= dt_util.utcnow():
            raise match_not_cancelable(uid)
        await async_cancel_match(self.hass, self.entry, uid)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One calendar per account."""
    async_add_entities([PlaytomicBookingsCalendar(entry, BOOKINGS)])
