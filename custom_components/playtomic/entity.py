"""Base entities: one service device per account, one device per booking rule under it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .api import Match
from .api.links import club_app_link
from .const import DOMAIN
from .coordinator import MatchesCoordinator, RuleSlots
from .engine import AttemptResult, BookingRule
from .results import signal_result
from .rule_entries import rule_of, rule_subentries
from .runtime import PlaytomicConfigEntry

MANUFACTURER = "Playtomic"
# The model id of every rule device (the model is the club's name): the blueprint's device
# selector (blueprints/automation/playtomic/book_at_release.yaml) offers only these devices.
RULE_DEVICE_MODEL_ID = "booking_rule"


def account_device_id(entry: PlaytomicConfigEntry) -> tuple[str, str]:
    """Device identifier of the account."""
    return (DOMAIN, str(entry.unique_id))


def rule_device_id(entry: PlaytomicConfigEntry, subentry_id: str) -> tuple[str, str]:
    """Device identifier of a booking rule."""
    return (DOMAIN, f"{entry.unique_id}_{subentry_id}")


def account_device_info(entry: PlaytomicConfigEntry) -> DeviceInfo:
    """The account's service device (named without the domain part of the e-mail)."""
    return DeviceInfo(
        entry_type=DeviceEntryType.SERVICE,
        identifiers={account_device_id(entry)},
        manufacturer=MANUFACTURER,
        model="Account",
        name=f"Playtomic {entry.title.split('@', 1)[0]}",
    )


# HA 2026.8 replaced `via_device` (identifiers) with `via_device_id` (registry id) and warns
# on the old key; HA 2026.2 only knows the old one. Use whichever this version declares.
_HAS_VIA_DEVICE_ID = "via_device_id" in DeviceInfo.__annotations__


def rule_device_info(entry: PlaytomicConfigEntry, subentry_id: str) -> DeviceInfo:
    """The device of one booking rule, under the account device."""
    subentry = entry.subentries[subentry_id]
    tenant_id = subentry.data.get("tenant_id")
    info: dict[str, Any] = {
        "entry_type": DeviceEntryType.SERVICE,
        "identifiers": {rule_device_id(entry, subentry_id)},
        "manufacturer": MANUFACTURER,
        "model": str(subentry.data.get("club_name") or "Booking rule"),
        "model_id": RULE_DEVICE_MODEL_ID,
        "name": subentry.title,
        "configuration_url": club_app_link(tenant_id) if tenant_id else None,
    }
    if _HAS_VIA_DEVICE_ID:
        info["via_device_id"] = entry.runtime_data.account_device_id
    else:  # pragma: no cover - HA before 2026.8
        info["via_device"] = account_device_id(entry)
    return cast(DeviceInfo, info)


class PlaytomicAccountEntity(CoordinatorEntity[MatchesCoordinator]):
    """An entity of the account, fed by the matches coordinator."""

    _attr_has_entity_name = True

    def __init__(self, entry: PlaytomicConfigEntry, description: EntityDescription) -> None:
        """Unique id: the account's user id and the key, never the e-mail."""
        super().__init__(entry.runtime_data.matches)
        self.entity_description = description
        self.entry = entry
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = account_device_info(entry)


@dataclass(frozen=True, kw_only=True)
class RuleView:
    """Everything a rule entity may show, gathered at state-write time."""

    rule: BookingRule
    slots: RuleSlots | None
    slots_available: bool
    last_result: AttemptResult | None
    own_matches: tuple[Match, ...]
    now: datetime


class PlaytomicRuleEntity(Entity):
    """An entity of one booking rule, updated by both coordinators and by booking results."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: PlaytomicConfigEntry, subentry_id: str, description: EntityDescription
    ) -> None:
        """Unique id: account, rule and key."""
        self.entity_description = description
        self.entry = entry
        self.subentry_id = subentry_id
        self._attr_unique_id = f"{entry.unique_id}_{subentry_id}_{description.key}"
        self._attr_device_info = rule_device_info(entry, subentry_id)

    @property
    def rule(self) -> BookingRule | None:
        """The rule as currently stored (the auto-book switch changes it without a reload); None
        once it is gone or when the engine cannot use it (its entities are then unavailable)."""
        return rule_of(self.entry, self.subentry_id)

    # The view of the state write in progress (see _write_state), else None.
    _writing_view: RuleView | None = None

    def view(self) -> RuleView | None:
        """The current data of the rule, or None once the rule is gone or unusable.

        During a state write every property (availability, value, attributes) reads the one view
        computed for that write, so the rule is parsed and planned once per write.
        """
        if self._writing_view is not None:
            return self._writing_view
        return self._compute_view()

    @callback
    def _write_state(self) -> None:
        """Write the state (and run `_after_write`) from one view of the rule."""
        self._writing_view = self._compute_view()
        try:
            self.async_write_ha_state()
            self._after_write()
        finally:
            self._writing_view = None

    @callback
    def _after_write(self) -> None:
        """Runs right after a state write, with that write's view still current."""

    def _compute_view(self) -> RuleView | None:
        rule = self.rule
        if rule is None:
            return None
        runtime = self.entry.runtime_data
        availability = runtime.availability
        data = availability.data
        return RuleView(
            rule=rule,
            slots=data.rules.get(self.subentry_id) if data else None,
            slots_available=availability.last_update_success and data is not None,
            last_result=runtime.history.last_by_rule.get(self.subentry_id),
            own_matches=tuple(runtime.matches.data or ()),
            now=dt_util.utcnow(),
        )

    async def async_added_to_hass(self) -> None:
        """Follow both coordinators and the entry's booking results."""
        await super().async_added_to_hass()
        runtime = self.entry.runtime_data
        self.async_on_remove(runtime.availability.async_add_listener(self._handle_update))
        self.async_on_remove(runtime.matches.async_add_listener(self._handle_update))
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_result(self.entry.entry_id), self._handle_result
            )
        )

    @callback
    def _handle_update(self) -> None:
        self._write_state()

    @callback
    def _handle_result(self, result: AttemptResult) -> None:
        if result.rule_id == self.subentry_id:
            self._write_state()


def add_rule_entities[D: EntityDescription](
    entry: PlaytomicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity: Callable[[PlaytomicConfigEntry, str, D], Entity],
    descriptions: Sequence[D],
) -> None:
    """Add one entity per description for every booking rule, under the rule's subentry."""
    for subentry_id in rule_subentries(entry):
        async_add_entities(
            [entity(entry, subentry_id, description) for description in descriptions],
            config_subentry_id=subentry_id,
        )
