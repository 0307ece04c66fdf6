"""Buttons: `book_now` books the rule's best open slot right away; the account's diagnostic
`check_api` runs the read-only API self-check (its report is in diagnostics)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api_check import async_check_api
from .book_now import async_book
from .engine.outcome import Outcome
from .engine.reasons import Reason
from .entity import PlaytomicAccountEntity, PlaytomicRuleEntity, add_rule_entities
from .failures import reason_error, translating
from .runtime import PlaytomicConfigEntry

# A press books a court: never two at once.
PARALLEL_UPDATES = 1

BOOK_NOW = ButtonEntityDescription(key="book_now", translation_key="book_now")
CHECK_API = ButtonEntityDescription(
    key="check_api", translation_key="check_api", entity_category=EntityCategory.DIAGNOSTIC
)


class PlaytomicCheckApiButton(PlaytomicAccountEntity, ButtonEntity):
    """Runs the API self-check; a shape mismatch raises a Repairs issue."""

    @property
    def available(self) -> bool:
        """Pressable even while the polls fail: that is when the check helps most."""
        return True

    async def async_press(self) -> None:
        """Read each endpoint once (never a booking request)."""
        await translating(async_check_api(self.hass, self.entry), "Check the API")


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
    """One button per booking rule, and the account's self-check."""
    async_add_entities([PlaytomicCheckApiButton(entry, CHECK_API)])
    add_rule_entities(entry, async_add_entities, PlaytomicBookNowButton, [BOOK_NOW])
