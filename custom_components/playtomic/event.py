"""The `booking` event entity of each rule: every announced attempt of the rule, as it ends.

It repeats the bus events (`playtomic_booking_succeeded` / `playtomic_booking_failed`, which stay
the documented interface) on the rule's device: the event type is the attempt's outcome, the
attributes are the bus event's data. It is fed by `results.async_report_result`, the seam every
booking path ends in, so it fires exactly when the bus event does (not for an attempt that found
the date already booked).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .engine.outcome import Outcome
from .entity import PlaytomicRuleEntity, add_rule_entities
from .results import signal_booking_event
from .runtime import PlaytomicConfigEntry

# Events come from the integration's own dispatcher signal; nothing is polled.
PARALLEL_UPDATES = 0

BOOKING = EventEntityDescription(
    key="booking",
    translation_key="booking",
    # One type per outcome, with the outcome's own name (a dry run is `dry_run`).
    event_types=[outcome.value for outcome in Outcome],
)


class PlaytomicBookingEvent(PlaytomicRuleEntity, EventEntity):
    """The rule's booking attempts as events."""

    @property
    def available(self) -> bool:
        """Available while the rule exists."""
        return self.rule is not None

    async def async_added_to_hass(self) -> None:
        """Also follow the booking events of the entry."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_booking_event(self.entry.entry_id), self._handle_booking_event
            )
        )

    @callback
    def _handle_booking_event(self, rule_id: str, event_type: str, data: dict[str, Any]) -> None:
        if rule_id != self.subentry_id:
            return
        self._trigger_event(event_type, data)
        self._write_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One `booking` event entity per booking rule."""
    add_rule_entities(entry, async_add_entities, PlaytomicBookingEvent, [BOOKING])
