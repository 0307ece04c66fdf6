"""The seam every booking path ends in: one attempt's result becomes state, event and message.

`async_report_result` is what the "book now" path, the `book` action and the release-time
engine call once an attempt has ended.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .api.links import club_app_link, match_link, slot_app_link
from .const import DEFAULT_SPORT, DOMAIN, EVENT_BOOKING_FAILED, EVENT_BOOKING_SUCCEEDED
from .engine import BookingRule, starts_watch
from .engine.outcome import AttemptResult, Outcome
from .notifications import Note, async_notify_result
from .repairs import (
    async_delete_payment_issue,
    async_raise_auth_issue,
    async_raise_edge_blocked_issue,
    async_raise_payment_issue,
)
from .rule_entries import notify_targets, rule_of
from .runtime import PlaytomicConfigEntry


def signal_result(entry_id: str) -> str:
    """Dispatcher signal sent with every new result of an entry."""
    return f"{DOMAIN}_result_{entry_id}"


def signal_booking_event(entry_id: str) -> str:
    """Dispatcher signal sent with `(rule_id, event_type, data)` whenever a booking event is fired
    on the bus: the rules' `event` entities repeat it (same type as the outcome, same data)."""
    return f"{DOMAIN}_booking_event_{entry_id}"


def result_link(result: AttemptResult) -> str:
    """Where a tap on the notification leads: the match, the slot to book by hand, or the club."""
    if result.outcome is Outcome.BOOKED and result.match_id:
        return match_link(result.match_id)
    if result.checkout_url:
        return result.checkout_url
    if result.resource_id and result.local_start:
        return slot_app_link(result.tenant_id, result.resource_id, result.local_start)
    return club_app_link(result.tenant_id)


def trigger_of(result: AttemptResult) -> str:
    """What started the attempt: "release" (the scheduler, or a missed one), "watch" (a freed
    court) or "book_now" (the button or the `book` action)."""
    if result.trigger is not None:
        return result.trigger
    return "release" if result.release_at is not None else "book_now"


def result_notes(
    entry: PlaytomicConfigEntry, result: AttemptResult, rule: BookingRule | None
) -> list[Note]:
    """What the notification adds to the outcome: the watch going on after a release without a
    court, and a booking that can no longer be cancelled for free."""
    runtime = entry.runtime_data
    notes: list[Note] = []
    watch = runtime.watch
    if (
        rule is not None
        and watch is not None
        and starts_watch(result)
        and result.target_date in watch.watched().get(rule.rule_id, [])
    ):
        notes.append(("notify_watch_goes_on", {}))
    if result.outcome is Outcome.BOOKED and result.start is not None:
        club = runtime.availability.cached_club(result.tenant_id)
        deadline = (
            club.free_cancellation_deadline(result.start, rule.sport_id if rule else DEFAULT_SPORT)
            if club
            else None
        )
        if deadline is not None and deadline <= (result.finished_at or dt_util.utcnow()):
            notes.append(("notify_inside_free_cancellation", {}))
    return notes


def event_data(
    entry: PlaytomicConfigEntry, result: AttemptResult, *, rule_name: str | None, link: str
) -> dict[str, Any]:
    """The bus event's data (public interface: automations read these keys).

    `reason` is present only when there is one (never on a plain success).
    """
    data = {
        "entry_id": entry.entry_id,
        "rule_id": result.rule_id,
        "rule": rule_name,
        "club": result.club_name,
        "tenant_id": result.tenant_id,
        "court": result.court_name,
        "resource_id": result.resource_id,
        "local_start": result.local_start.isoformat() if result.local_start else None,
        "start": result.start.isoformat() if result.start else None,
        "duration": result.duration,
        "match_id": result.match_id,
        "outcome": result.outcome.value,
        "latency_ms": result.latency_ms,
        "price": result.price,
        "payment_method": result.payment_method,
        "dry_run": result.outcome is Outcome.DRY_RUN,
        "url": link,
        "trigger": trigger_of(result),
    }
    if result.reason:
        data["reason"] = result.reason.value
    return data


async def async_report_result(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    result: AttemptResult,
    *,
    notify: tuple[str, ...] | None = None,
) -> None:
    """Record a finished attempt, tell the sensors, fire the event (on the bus and through the
    rule's `event` entity), notify, raise repairs.

    `notify` names the notify services to tell instead of the rule's (a one-off booking).
    """
    runtime = entry.runtime_data
    rule = rule_of(entry, result.rule_id) if result.rule_id else None
    rule_name = rule.name if rule else (result.club_name or result.tenant_id)
    link = result_link(result)

    await runtime.history.async_add(result)
    async_dispatcher_send(hass, signal_result(entry.entry_id), result)
    if result.reason == "already_booked":
        # The date was ours before this attempt: nothing new happened to announce.
        return

    data = event_data(entry, result, rule_name=rule.name if rule else None, link=link)
    hass.bus.async_fire(EVENT_BOOKING_SUCCEEDED if result.succeeded else EVENT_BOOKING_FAILED, data)
    if result.rule_id:
        async_dispatcher_send(
            hass,
            signal_booking_event(entry.entry_id),
            result.rule_id,
            result.outcome.value,
            dict(data),
        )

    if result.outcome is Outcome.BOOKED:
        async_delete_payment_issue(hass, entry, result.rule_id)
    elif result.outcome is Outcome.PAYMENT_NOT_POSSIBLE:
        async_raise_payment_issue(
            hass,
            entry,
            result.rule_id,
            rule_name=rule_name,
            club=result.club_name or result.tenant_id,
            link=link,
        )
    elif result.reason == "auth_failed":
        async_raise_auth_issue(hass, entry)
        entry.async_start_reauth(hass)
    elif result.reason == "edge_blocked":
        async_raise_edge_blocked_issue(hass, entry)

    await async_notify_result(
        hass,
        notify if notify is not None else notify_targets(entry, result.rule_id),
        result,
        rule_name=rule_name,
        link=link,
        missing=runtime.missing_notify,
        notes=result_notes(entry, result, rule),
    )
