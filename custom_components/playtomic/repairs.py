"""Repairs issues: situations only the user can resolve.

The entry id is part of every issue id (and of its data) because `ir.async_create_issue` has no
`config_entry_id` argument on every supported Home Assistant version.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

ISSUE_EDGE_BLOCKED = "edge_blocked"
ISSUE_PAYMENT_NOT_POSSIBLE = "payment_not_possible"
ISSUE_AUTH_FAILED = "auth_failed"


def issue_id(kind: str, entry_id: str, rule_id: str | None = None) -> str:
    """The id of an issue of one entry (and rule)."""
    return f"{kind}_{entry_id}_{rule_id}" if rule_id else f"{kind}_{entry_id}"


def _raise_entry_issue(hass: HomeAssistant, entry: ConfigEntry, kind: str) -> None:
    """An account-wide issue the user must see (its text names the account)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry.entry_id),
        data={"entry_id": entry.entry_id},
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=kind,
        translation_placeholders={"account": entry.title},
    )


@callback
def async_raise_edge_blocked_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Playtomic's firewall refused us: requests pause, and the user should know why."""
    _raise_entry_issue(hass, entry, ISSUE_EDGE_BLOCKED)


@callback
def async_delete_edge_blocked_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Requests pass again."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(ISSUE_EDGE_BLOCKED, entry.entry_id))


@callback
def async_raise_auth_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """A booking failed because the login was refused: the reauth flow asks for the password."""
    _raise_entry_issue(hass, entry, ISSUE_AUTH_FAILED)


@callback
def async_delete_auth_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The account logs in again."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(ISSUE_AUTH_FAILED, entry.entry_id))


@callback
def async_raise_payment_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    rule_id: str | None,
    *,
    rule_name: str,
    club: str,
    link: str,
) -> None:
    """The club offers no payment method the options allow: the user must change something."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(ISSUE_PAYMENT_NOT_POSSIBLE, entry.entry_id, rule_id),
        data={"entry_id": entry.entry_id, "rule_id": rule_id},
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_PAYMENT_NOT_POSSIBLE,
        translation_placeholders={"rule": rule_name, "club": club, "link": link},
    )


@callback
def async_delete_payment_issue(
    hass: HomeAssistant, entry: ConfigEntry, rule_id: str | None
) -> None:
    """The rule booked since: the payment problem is gone."""
    ir.async_delete_issue(
        hass, DOMAIN, issue_id(ISSUE_PAYMENT_NOT_POSSIBLE, entry.entry_id, rule_id)
    )


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Drop every issue of a removed entry."""
    registry = ir.async_get(hass)
    for (domain, issue), item in list(registry.issues.items()):
        if domain == DOMAIN and (item.data or {}).get("entry_id") == entry.entry_id:
            ir.async_delete_issue(hass, DOMAIN, issue)
