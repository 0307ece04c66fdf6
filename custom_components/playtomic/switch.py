"""Switches of a booking rule: `auto_book` (book at release time) and `watch` (book a freed court).

Both are stored in the rule's subentry so they survive restarts. Updating a subentry does not
reload the entry (the integration has no update listener and reloads only when rules are added
or removed), so toggling never interrupts polling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .cancellation_watch import signal_watch
from .const import CONF_AUTO_BOOK, CONF_WATCH
from .engine import BookingRule
from .entity import PlaytomicRuleEntity, add_rule_entities
from .runtime import PlaytomicConfigEntry

# Writes go to the config entry store; one at a time keeps them ordered.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class RuleSwitchDescription(SwitchEntityDescription):
    """A rule switch: the subentry key it stores (`key`) and how the rule reads it."""

    value_fn: Callable[[BookingRule], bool]
    attr_fn: Callable[[PlaytomicConfigEntry, str], dict[str, Any] | None] = lambda _e, _r: None


def _watched_attrs(entry: PlaytomicConfigEntry, rule_id: str) -> dict[str, Any]:
    watch = entry.runtime_data.watch
    days = watch.watched().get(rule_id, []) if watch else []
    return {"watched_dates": [day.isoformat() for day in days]}


SWITCHES: tuple[RuleSwitchDescription, ...] = (
    RuleSwitchDescription(
        key=CONF_AUTO_BOOK, translation_key=CONF_AUTO_BOOK, value_fn=lambda rule: rule.auto_book
    ),
    RuleSwitchDescription(
        key=CONF_WATCH,
        translation_key=CONF_WATCH,
        value_fn=lambda rule: rule.watch,
        attr_fn=_watched_attrs,
    ),
)


class PlaytomicRuleSwitch(PlaytomicRuleEntity, SwitchEntity):
    """One on/off setting of a booking rule."""

    entity_description: RuleSwitchDescription

    @property
    def available(self) -> bool:
        """Available while the rule exists."""
        return self.rule is not None

    @property
    def is_on(self) -> bool | None:
        """The rule's current setting."""
        rule = self.rule
        return self.entity_description.value_fn(rule) if rule else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """What the setting currently does (the watch: the dates it watches)."""
        return self.entity_description.attr_fn(self.entry, self.subentry_id)

    async def async_added_to_hass(self) -> None:
        """Also follow the watched dates."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_watch(self.entry.entry_id), self._handle_update
            )
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the setting on."""
        self._store(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the setting off (the watch: no more rounds book for this rule)."""
        self._store(False)

    def _store(self, value: bool) -> None:
        subentry = self.entry.subentries[self.subentry_id]
        self.hass.config_entries.async_update_subentry(
            self.entry, subentry, data={**subentry.data, self.entity_description.key: value}
        )
        runtime = self.entry.runtime_data
        if runtime.scheduler is not None:
            # Auto-book off disarms the rule's release timer; on arms it again.
            runtime.scheduler.async_replan()
        # The rule's sensors depend on these switches; a coordinator tick repaints the rule.
        runtime.matches.async_update_listeners()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """The switches of every booking rule."""
    add_rule_entities(entry, async_add_entities, PlaytomicRuleSwitch, SWITCHES)
