"""The booking rules of an account entry: its `booking_rule` subentries, read as engine rules.

What a rule means (when a date opens, which dates are open, which slots fit) is the engine's
alone (`engine.rules`, `engine.planner`), so the sensors, the polling, "book now" and the
release scheduler cannot disagree. This module only knows where Home Assistant keeps the rules,
and the one field the engine has no use for: the notify targets.
"""

from __future__ import annotations

from dataclasses import replace

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.exceptions import ServiceValidationError

from .const import CONF_NOTIFY, DOMAIN, LOGGER, SUBENTRY_BOOKING_RULE
from .engine import BookingRule, RuleError
from .rule_data import rule_from_data


def rule_subentries(entry: ConfigEntry) -> dict[str, ConfigSubentry]:
    """Every booking-rule subentry of an entry, usable or not, by subentry id."""
    return {
        subentry_id: subentry
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_BOOKING_RULE
    }


def _rule_subentry(entry: ConfigEntry, subentry_id: str | None) -> ConfigSubentry | None:
    return rule_subentries(entry).get(subentry_id) if subentry_id else None


def rule_of(entry: ConfigEntry, subentry_id: str | None) -> BookingRule | None:
    """One rule as currently stored, or None when it is gone or unusable.

    A rule the engine cannot use is left out everywhere (not polled, not armed, its entities
    unavailable); `unusable_rules` says why, once per setup rather than on every poll.
    """
    subentry = _rule_subentry(entry, subentry_id)
    if subentry is None:
        return None
    try:
        rule = rule_from_data(subentry.subentry_id, subentry.data)
    except RuleError:
        return None
    # Home Assistant's Rename changes the title only; the name people see is the title.
    return replace(rule, name=subentry.title) if subentry.title else rule


def required_rule(entry: ConfigEntry, subentry_id: str | None) -> BookingRule:
    """The rule an action or button names; a translated validation error when it is gone or
    unusable (nothing is attempted for it)."""
    rule = rule_of(entry, subentry_id)
    if rule is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="rule_not_found",
            translation_placeholders={"rule": str(subentry_id)},
        )
    return rule


def rules_of(entry: ConfigEntry) -> dict[str, BookingRule]:
    """Every usable booking rule of an entry, by subentry id."""
    return {
        subentry_id: rule
        for subentry_id in rule_subentries(entry)
        if (rule := rule_of(entry, subentry_id)) is not None
    }


def unusable_rules(entry: ConfigEntry) -> dict[str, str]:
    """Title of each rule whose stored data the engine refuses, by subentry id (logged why)."""
    unusable: dict[str, str] = {}
    for subentry_id, subentry in rule_subentries(entry).items():
        try:
            rule_from_data(subentry_id, subentry.data)
        except RuleError as err:
            LOGGER.warning("Booking rule %s is not usable: %s", subentry.title, err)
            unusable[subentry_id] = subentry.title
    return unusable


def notify_targets(entry: ConfigEntry, subentry_id: str | None) -> tuple[str, ...]:
    """The notify services (names without "notify.") told about the rule's attempts."""
    subentry = _rule_subentry(entry, subentry_id)
    return tuple(subentry.data.get(CONF_NOTIFY) or ()) if subentry else ()
