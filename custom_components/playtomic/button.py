"""Button `book_now`: book the rule's best open slot right away."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .booking import async_book
from .const import SUBENTRY_BOOKING_RULE
from .engine.outcome import Outcome
from .engine.reasons import Reason
from .entity import PlaytomicRuleEntity
from .failures import reason_error, translating
from .runtime import PlaytomicConfigEntry

# A press books a court: never two at once.
PARALLEL_UPDATES = 1

BOOK_NOW = ButtonEntityDescription(key="book_now", translation_key="book_now")


class PlaytomicBookNowButton(PlaytomicRuleEntity, ButtonEntity):
    """Books now; the outcome shows in `last_booking_result`, the event and the notification."""

    @property
    def available(self) -> bool:
        """Available while the rule exists."""
        return self.rule is not None

    async def async_press(self) -> None:
        """Run the booking path for this rule; an API failure also shows as an error."""
        result = await translating(
            async_book(self.hass, self.entry, rule_id=self.subentry_id), "Book now"
        )
        if result.outcome is Outcome.FAILED:
            raise reason_error(result.reason or Reason.UNKNOWN_ERROR)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One button per booking rule."""
    for subentry_id, subentry in entry.subentries.items():
        if subentry.subentry_type == SUBENTRY_BOOKING_RULE:
            async_add_entities(
                [PlaytomicBookNowButton(entry, subentry_id, BOOK_NOW)],
                config_subentry_id=subentry_id,
            )
