"""Switch `auto_book`: whether the engine books a rule's slots at release time."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_AUTO_BOOK, SUBENTRY_BOOKING_RULE
from .entity import PlaytomicRuleEntity
from .runtime import PlaytomicConfigEntry

# Writes go to the config entry store; one at a time keeps them ordered.
PARALLEL_UPDATES = 1

AUTO_BOOK = SwitchEntityDescription(key=CONF_AUTO_BOOK, translation_key=CONF_AUTO_BOOK)


class PlaytomicAutoBookSwitch(PlaytomicRuleEntity, SwitchEntity):
    """Auto-book on or off, stored in the rule's subentry so it survives restarts.

    Updating a subentry does not reload the entry (the integration has no update listener and
    reloads only when rules are added or removed), so toggling never interrupts polling.
    """

    @property
    def available(self) -> bool:
        """Available while the rule exists."""
        return self.rule is not None

    @property
    def is_on(self) -> bool | None:
        """Whether auto-book is on."""
        rule = self.rule
        return rule.auto_book if rule else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Book this rule's slots at release time."""
        self._store(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop booking this rule automatically."""
        self._store(False)

    def _store(self, value: bool) -> None:
        subentry = self.entry.subentries[self.subentry_id]
        self.hass.config_entries.async_update_subentry(
            self.entry, subentry, data={**subentry.data, CONF_AUTO_BOOK: value}
        )
        runtime = self.entry.runtime_data
        if runtime.scheduler is not None:
            # Auto-book off disarms the rule's release timer; on arms it again.
            runtime.scheduler.async_replan()
        # The next-attempt sensor depends on this switch; a coordinator tick repaints the rule.
        runtime.matches.async_update_listeners()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One switch per booking rule."""
    for subentry_id, subentry in entry.subentries.items():
        if subentry.subentry_type == SUBENTRY_BOOKING_RULE:
            async_add_entities(
                [PlaytomicAutoBookSwitch(entry, subentry_id, AUTO_BOOK)],
                config_subentry_id=subentry_id,
            )
