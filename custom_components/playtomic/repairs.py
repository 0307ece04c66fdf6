"""Repairs issues: situations only the user can resolve.

The entry id is part of every issue id (and of its data) because `ir.async_create_issue` has no
`config_entry_id` argument on every supported Home Assistant version.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .api.selfcheck import ApiCheckReport
from .const import DOMAIN

ISSUE_EDGE_BLOCKED = "edge_blocked"
ISSUE_PAYMENT_NOT_POSSIBLE = "payment_not_possible"
ISSUE_AUTH_FAILED = "auth_failed"
ISSUE_UNUSABLE_RULE = "unusable_rule"
ISSUE_API_SHAPE_MISMATCH = "api_shape_mismatch"


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


def _raise_rule_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    rule_id: str | None,
    *,
    severity: ir.IssueSeverity,
    placeholders: dict[str, str],
) -> None:
    """An issue of one rule; its data names the entry, so removing the entry drops it."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry.entry_id, rule_id),
        data={"entry_id": entry.entry_id, "rule_id": rule_id},
        is_fixable=False,
        severity=severity,
        translation_key=kind,
        translation_placeholders=placeholders,
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
def async_sync_api_check_issue(
    hass: HomeAssistant, entry: ConfigEntry, report: ApiCheckReport
) -> None:
    """A `check_api` run found answers of another shape: explain which; a clean run clears it."""
    mismatches = report.mismatches
    if not mismatches:
        ir.async_delete_issue(hass, DOMAIN, issue_id(ISSUE_API_SHAPE_MISMATCH, entry.entry_id))
        return
    _raise_rule_issue(
        hass,
        entry,
        ISSUE_API_SHAPE_MISMATCH,
        None,
        severity=ir.IssueSeverity.WARNING,
        placeholders={
            "account": entry.title,
            "endpoints": ", ".join(f"{m.endpoint} ({m.detail})" for m in mismatches),
        },
    )


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
    _raise_rule_issue(
        hass,
        entry,
        ISSUE_PAYMENT_NOT_POSSIBLE,
        rule_id,
        severity=ir.IssueSeverity.WARNING,
        placeholders={"rule": rule_name, "club": club, "link": link},
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
def async_sync_unusable_rule_issues(
    hass: HomeAssistant, entry: ConfigEntry, unusable: dict[str, str]
) -> None:
    """One issue per rule the engine cannot use (subentry id -> title); none for the others.

    Editing or deleting the rule reloads the entry, which calls this again and clears the issue.
    """
    wanted = {issue_id(ISSUE_UNUSABLE_RULE, entry.entry_id, rule_id) for rule_id in unusable}
    for rule_id, title in unusable.items():
        _raise_rule_issue(
            hass,
            entry,
            ISSUE_UNUSABLE_RULE,
            rule_id,
            severity=ir.IssueSeverity.ERROR,
            placeholders={"rule": title, "account": entry.title},
        )
    prefix = issue_id(ISSUE_UNUSABLE_RULE, entry.entry_id) + "_"
    for domain, issue in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue.startswith(prefix) and issue not in wanted:
            ir.async_delete_issue(hass, DOMAIN, issue)


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Drop every issue of a removed entry."""
    registry = ir.async_get(hass)
    for (domain, issue), item in list(registry.issues.items()):
        if domain == DOMAIN and (item.data or {}).get("entry_id") == entry.entry_id:
            ir.async_delete_issue(hass, DOMAIN, issue)
