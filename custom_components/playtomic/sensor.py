"""Sensors: per rule the next open slot, the last result and the next attempt; per account the
next own booking and token/API health."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.typing import StateType

from .api import Club, Match, Slot
from .api.links import match_link
from .const import DOMAIN, OUTCOMES
from .engine import Outcome, PlannedAttempt, next_attempt as plan_next_attempt
from .entity import PlaytomicAccountEntity, PlaytomicRuleEntity, RuleView, add_rule_entities
from .reminders import free_cancellation_deadline
from .results import trigger_of
from .runtime import PlaytomicConfigEntry
from .slot_view import slot_view

# Read-only entities: the coordinators do all the I/O.
PARALLEL_UPDATES = 0


def zone_of(name: str | None) -> ZoneInfo:
    """A zone to show local times in; UTC when the name is missing or unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def slot_attributes(slot: Slot, club: Club | None) -> dict[str, Any]:
    """What a user needs to recognise and book a slot."""
    return slot_view(slot, club.zone if club else zone_of(None))


def _next_open_slot_attrs(view: RuleView) -> dict[str, Any]:
    slots = view.slots
    if slots is None or slots.best is None:
        return {"alternatives": []}
    return {
        **slot_attributes(slots.best, slots.club),
        "alternatives": [slot_attributes(slot, slots.club) for slot in slots.alternatives],
    }


def _last_result_attrs(view: RuleView) -> dict[str, Any]:
    result = view.last_result
    if result is None:
        return {}
    return {
        "slot": result.local_start.isoformat() if result.local_start else None,
        "court": result.court_name,
        "match_id": result.match_id,
        # A success has no reason to show (an empty one reads "Unknown" in the frontend).
        **({"reason": result.reason.value} if result.reason else {}),
        "payment_method": result.payment_method,
        "price": result.price,
        # Says so even where only the attributes are shown: nothing was booked.
        "dry_run": result.outcome is Outcome.DRY_RUN,
        "attempts": result.attempts,
        "latency_ms": result.latency_ms,
        "requests": result.requests_used,
        "finished_at": result.finished_at.isoformat() if result.finished_at else None,
        # "watch" when a freed court was booked; "release" or "book_now" otherwise.
        "trigger": trigger_of(result),
    }


def _planned(view: RuleView) -> PlannedAttempt | None:
    """The rule's next release: the planner's answer for the same rule and own matches the
    scheduler arms from.

    Shown whether or not auto-book is on: with it off, an automation (the blueprint) can still
    trigger on it and call `playtomic.book` with `at`.
    """
    return plan_next_attempt(view.rule, now=view.now, own_matches=view.own_matches)


def next_attempt(view: RuleView) -> datetime | None:
    """The instant of the rule's next release."""
    attempt = _planned(view)
    return attempt.release_at if attempt else None


def _next_attempt_attrs(view: RuleView) -> dict[str, Any]:
    attempt = _planned(view)
    return {
        "rule_id": view.rule.rule_id,
        "target_date": attempt.target_date.isoformat() if attempt else None,
        "auto_book": view.rule.auto_book,
    }


@dataclass(frozen=True, kw_only=True)
class RuleSensorDescription(SensorEntityDescription):
    """A rule sensor: its value and attributes from the rule's current view."""

    value_fn: Callable[[RuleView], StateType | datetime]
    attr_fn: Callable[[RuleView], dict[str, Any]] = lambda _: {}
    needs_slots: bool = False
    # The translation key whose name new entity ids are made from, where the shown name changed:
    # a renamed sensor keeps its first name's id (the README's and automations') for new installs
    # in every language HA makes ids in (`<key>_id` in en.json/es.json holds that first name).
    object_id_key: str | None = None


RULE_SENSORS: tuple[RuleSensorDescription, ...] = (
    RuleSensorDescription(
        key="next_open_slot",
        translation_key="next_open_slot",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda view: view.slots.best.start if view.slots and view.slots.best else None,
        attr_fn=_next_open_slot_attrs,
        needs_slots=True,
    ),
    RuleSensorDescription(
        key="last_booking_result",
        translation_key="last_booking_result",
        device_class=SensorDeviceClass.ENUM,
        options=list(OUTCOMES),
        value_fn=lambda view: view.last_result.outcome.value if view.last_result else None,
        attr_fn=_last_result_attrs,
    ),
    RuleSensorDescription(
        # Shown as "Next release": the instant is the release whether or not auto-book fires at
        # it (the blueprint books at it with auto-book off). Key, translation key and entity id
        # keep the old name: automations and the README use them.
        key="next_booking_attempt",
        translation_key="next_booking_attempt",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=next_attempt,
        attr_fn=_next_attempt_attrs,
        object_id_key="next_booking_attempt_id",
    ),
)


class PlaytomicRuleSensor(PlaytomicRuleEntity, SensorEntity):
    """A sensor of one booking rule."""

    entity_description: RuleSensorDescription
    _unsub_timer: CALLBACK_TYPE | None = None

    @property
    def suggested_object_id(self) -> str | None:
        """The name a new entity id is made from (HA prefixes the device name), in the language
        HA makes entity ids in; an entity already in the registry keeps its id regardless."""
        key = self.entity_description.object_id_key
        if key is not None and self.platform_data:
            translations = self.platform_data.object_id_platform_translations
            name = translations.get(f"component.{DOMAIN}.entity.sensor.{key}.name")
            if name:
                return name
        return super().suggested_object_id

    @property
    def available(self) -> bool:
        """Slot data goes stale with the availability poll; the rest is always known."""
        view = self.view()
        if view is None:
            return False
        return view.slots_available or not self.entity_description.needs_slots

    @property
    def native_value(self) -> StateType | datetime:
        """The rule's value for this sensor."""
        view = self.view()
        return self.entity_description.value_fn(view) if view else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details of the value."""
        view = self.view()
        return self.entity_description.attr_fn(view) if view else None

    async def async_added_to_hass(self) -> None:
        """Also wake up when the shown instant passes (next attempt moves on by itself)."""
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel_timer)
        self._arm_timer()

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    @callback
    def _arm_timer(self) -> None:
        self._cancel_timer()
        if self.entity_description.key != "next_booking_attempt":
            return
        value = self.native_value
        if isinstance(value, datetime):
            self._unsub_timer = async_track_point_in_utc_time(self.hass, self._passed, value)

    @callback
    def _passed(self, _now: datetime) -> None:
        self._unsub_timer = None
        self._write_state()

    @callback
    def _after_write(self) -> None:
        self._arm_timer()


def _next_match(matches: list[Match] | None) -> Match | None:
    return matches[0] if matches else None


def _upcoming_attrs(entry: PlaytomicConfigEntry, matches: list[Match] | None) -> dict[str, Any]:
    match = _next_match(matches)
    if match is None:
        return {}
    zone = zone_of(match.timezone_name)
    deadline = free_cancellation_deadline(entry, match)
    return {
        "club": match.tenant_name,
        "court": match.resource_name,
        "local_start": match.start.astimezone(zone).isoformat(),
        "duration": match.duration,
        "price": str(match.price) if match.price else None,
        "match_id": match.match_id,
        "url": match_link(match.match_id),
        # Club-local; None when the club states no cancellation policy.
        "free_cancellation_until": deadline.astimezone(zone).isoformat() if deadline else None,
    }


@dataclass(frozen=True, kw_only=True)
class AccountSensorDescription(SensorEntityDescription):
    """An account sensor, computed from the typed entry (its matches, client and health)."""

    value_fn: Callable[[PlaytomicConfigEntry], StateType | datetime]
    attr_fn: Callable[[PlaytomicConfigEntry], dict[str, Any] | None] = lambda _: None
    always_available: bool = False


def _token_expires(entry: PlaytomicConfigEntry) -> datetime | None:
    tokens = entry.runtime_data.client.tokens
    return tokens.access_expires if tokens else None


def _token_attrs(entry: PlaytomicConfigEntry) -> dict[str, Any]:
    tokens = entry.runtime_data.client.tokens
    refresh = tokens.refresh_expires if tokens else None
    return {"refresh_expires": refresh.isoformat() if refresh else None}


def _last_error_attrs(entry: PlaytomicConfigEntry) -> dict[str, Any]:
    health = entry.runtime_data.health
    return {"at": health.at.isoformat() if health.at else None}


ACCOUNT_SENSORS: tuple[AccountSensorDescription, ...] = (
    AccountSensorDescription(
        key="upcoming_booking",
        translation_key="upcoming_booking",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda entry: (
            m.start if (m := _next_match(entry.runtime_data.matches.data)) else None
        ),
        attr_fn=lambda entry: _upcoming_attrs(entry, entry.runtime_data.matches.data),
    ),
    AccountSensorDescription(
        key="token_expires",
        translation_key="token_expires",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_token_expires,
        attr_fn=_token_attrs,
        always_available=True,
    ),
    AccountSensorDescription(
        key="last_api_error",
        translation_key="last_api_error",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda entry: entry.runtime_data.health.error,
        attr_fn=_last_error_attrs,
        always_available=True,
    ),
)


class PlaytomicAccountSensor(PlaytomicAccountEntity, SensorEntity):
    """A sensor of the account."""

    entity_description: AccountSensorDescription

    @property
    def available(self) -> bool:
        """Health sensors stay readable exactly when the API is failing."""
        return self.entity_description.always_available or super().available

    @property
    def native_value(self) -> StateType | datetime:
        """The account's value for this sensor."""
        return self.entity_description.value_fn(self.entry)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details of the value."""
        return self.entity_description.attr_fn(self.entry)

    async def async_added_to_hass(self) -> None:
        """Health also changes when the availability poll fails."""
        await super().async_added_to_hass()
        if self.entity_description.always_available:
            self.async_on_remove(
                self.entry.runtime_data.availability.async_add_listener(
                    self._handle_coordinator_update
                )
            )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Account sensors, then each rule's sensors under its subentry."""
    async_add_entities(
        PlaytomicAccountSensor(entry, description) for description in ACCOUNT_SENSORS
    )
    add_rule_entities(entry, async_add_entities, PlaytomicRuleSensor, RULE_SENSORS)
