"""Book now: the integration's own booking path (button, `book` action).

A thin orchestration over the client: pick the rule's open days, rank the free slots, try the
best few, map every failure to exactly one Outcome, and hand the result to `results`. The
release-time burst belongs to the engine, which ends in the same `async_report_result`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .api import (
    BookingOutcomeUnknownError,
    Club,
    PaymentActionRequiredError,
    PaymentCategory,
    PaymentNotPossibleError,
    PlaytomicError,
    Slot,
    SlotNotAvailableError,
)
from .api.links import checkout_link
from .const import CONF_DRY_RUN, CONF_PAYMENT_METHODS, DEFAULT_PAYMENT_METHODS, DOMAIN, WEEKDAYS
from .coordinator import booked_days, error_code
from .engine.outcome import AttemptResult, Outcome
from .results import async_report_result
from .rules import BookingRule, rules_of, zone_of
from .runtime import PlaytomicConfigEntry, PlaytomicRuntimeData

# Contract §8 rule 5: "book now" is a human action; a few slots and days are plenty.
MAX_SLOTS_TRIED = 3
MAX_DAYS_SEARCHED = 7


@dataclass(frozen=True, kw_only=True)
class ExplicitTarget:
    """A one-off booking goal given by hand instead of a rule."""

    tenant_id: str
    day: date
    window_start: time
    window_end: time
    duration: int
    court_type: str = "any"
    courts: tuple[str, ...] = ()


def payment_policy(options: dict[str, Any] | Any) -> tuple[PaymentCategory, ...]:
    """The allowed payment categories, in the user's order; unknown values are skipped."""
    policy: list[PaymentCategory] = []
    for value in options.get(CONF_PAYMENT_METHODS) or DEFAULT_PAYMENT_METHODS:
        try:
            policy.append(PaymentCategory(value))
        except ValueError:
            continue
    return tuple(policy)


def resolve_rule(
    entry: PlaytomicConfigEntry, *, rule_id: str | None, target: ExplicitTarget | None
) -> BookingRule:
    """The rule to book for: a subentry, or an explicit target shaped as a one-day rule."""
    if target is not None:
        rules = rules_of(entry)
        known = next((r for r in rules.values() if r.tenant_id == target.tenant_id), None)
        return BookingRule(
            rule_id=None,
            name=known.club_name if known else target.tenant_id,
            tenant_id=target.tenant_id,
            club_name=known.club_name if known else "",
            zone=known.zone if known else zone_of(None),
            weekdays=frozenset(range(len(WEEKDAYS))),
            window_start=target.window_start,
            window_end=target.window_end,
            duration=target.duration,
            courts=target.courts,
            court_type=target.court_type,
            only_dates=(target.day,),
        )
    rule = rules_of(entry).get(rule_id or "")
    if rule is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="rule_not_found",
            translation_placeholders={"rule": str(rule_id)},
        )
    return rule


def _slot_fields(slot: Slot, club: Club) -> dict[str, Any]:
    local = slot.local_start(club.zone)
    return {
        "target_date": local.date(),
        "resource_id": slot.resource_id,
        "court_name": slot.court_name,
        "start": slot.start,
        "local_start": local,
        "duration": slot.duration,
        "price": str(slot.price) if slot.price else None,
    }


async def _async_attempt(
    runtime: PlaytomicRuntimeData,
    rule: BookingRule,
    *,
    dry_run: bool,
    policy: tuple[PaymentCategory, ...],
) -> AttemptResult:
    client = runtime.client
    started = dt_util.utcnow()
    requests_before = client.request_count
    base = AttemptResult(
        outcome=Outcome.FAILED,
        rule_id=rule.rule_id,
        tenant_id=rule.tenant_id,
        club_name=rule.club_name or None,
        started_at=started,
    )
    attempts = 0
    slot: Slot | None = None

    def finish(result: AttemptResult) -> AttemptResult:
        finished = dt_util.utcnow()
        return replace(
            result,
            attempts=attempts,
            requests_used=client.request_count - requests_before,
            finished_at=finished,
            latency_ms=round((finished - started).total_seconds() * 1000, 1),
        )

    try:
        club = await runtime.availability.async_get_club(rule.tenant_id)
        rule = replace(rule, zone=club.zone, club_name=rule.club_name or club.name)
        base = replace(base, club_name=rule.club_name)
        # Never book twice for one rule and club-local date: ask the server, not the cache.
        already = booked_days(await client.get_matches(upcoming_only=True), rule)
        days = rule.open_days(started, horizon_minutes=club.booking_ahead_limit)
        free_days = [day for day in days if day not in already]
        if days and not free_days:
            return finish(replace(base, outcome=Outcome.NO_SLOT, reason="already_booked"))
        for day in free_days[:MAX_DAYS_SEARCHED]:
            ranked = rule.rank(club, await client.get_availability(club, day), now=started)
            for slot in ranked:
                if attempts >= MAX_SLOTS_TRIED:
                    break
                attempts += 1
                try:
                    booked = await client.book(slot.target, payment_policy=policy, dry_run=dry_run)
                except SlotNotAvailableError:
                    continue
                return finish(
                    replace(
                        base,
                        outcome=Outcome.DRY_RUN if dry_run else Outcome.BOOKED,
                        match_id=booked.match_id,
                        **_slot_fields(slot, club),
                    )
                )
            if attempts >= MAX_SLOTS_TRIED:
                break
        reason = "slot_taken" if attempts else "no_slot"
        return finish(replace(base, outcome=Outcome.NO_SLOT, reason=reason))
    except PaymentNotPossibleError:
        return finish(
            _failure(base, slot, rule, Outcome.PAYMENT_NOT_POSSIBLE, "payment_not_possible")
        )
    except PaymentActionRequiredError as err:
        result = _failure(base, slot, rule, Outcome.PAYMENT_NOT_POSSIBLE, "payment_action_required")
        return finish(replace(result, checkout_url=err.deep_link or result.checkout_url))
    except BookingOutcomeUnknownError:
        return finish(_failure(base, slot, rule, Outcome.OUTCOME_UNKNOWN, "outcome_unknown"))
    except PlaytomicError as err:
        runtime.health.error = error_code(err)
        runtime.health.at = dt_util.utcnow()
        return finish(_failure(base, slot, rule, Outcome.FAILED, error_code(err)))


def _failure(
    base: AttemptResult, slot: Slot | None, rule: BookingRule, outcome: Outcome, reason: str
) -> AttemptResult:
    """A failed result carrying the slot it was about and the checkout link to finish by hand."""
    if slot is None:
        return replace(base, outcome=outcome, reason=reason)
    local = slot.local_start(rule.zone)
    return replace(
        base,
        outcome=outcome,
        reason=reason,
        target_date=local.date(),
        resource_id=slot.resource_id,
        court_name=slot.court_name,
        start=slot.start,
        local_start=local,
        duration=slot.duration,
        price=str(slot.price) if slot.price else None,
        checkout_url=checkout_link(slot.tenant_id, slot.resource_id, slot.start, slot.duration),
    )


async def async_book(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    *,
    rule_id: str | None = None,
    target: ExplicitTarget | None = None,
    dry_run: bool | None = None,
) -> AttemptResult:
    """Book the best open slot of a rule (or an explicit target) now, and report the result."""
    runtime = entry.runtime_data
    rule = resolve_rule(entry, rule_id=rule_id, target=target)
    if dry_run is None:
        dry_run = bool(entry.options.get(CONF_DRY_RUN, False))
    lock_key = rule.rule_id or f"{rule.tenant_id}_{rule.only_dates}"
    async with runtime.lock_for(lock_key):
        result = await _async_attempt(
            runtime, rule, dry_run=dry_run, policy=payment_policy(entry.options)
        )
    await async_report_result(hass, entry, result)
    if result.outcome in (Outcome.BOOKED, Outcome.OUTCOME_UNKNOWN):
        # The booked day drops out of the rule's open slots once matches know about it.
        await runtime.matches.async_request_refresh()
        await runtime.availability.async_request_refresh()
    return result
