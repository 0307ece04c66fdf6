"""Book now: the button and the `book` action without `at` go through the engine.

The engine serialises every attempt per (rule, club-local date) and remembers what it booked,
so a button press during a release burst waits for the burst and never books that date twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .api import PaymentCategory, PlaytomicError
from .api.contract import normalize_sport_id
from .api.slots import CourtType
from .cancellation_watch import KEEP_WATCHING as QUIET_WATCH_OUTCOMES
from .const import (
    CONF_DRY_RUN,
    CONF_PAYMENT_METHODS,
    DEFAULT_PAYMENT_METHODS,
    DEFAULT_SPORT,
    DOMAIN,
    LOGGER,
)
from .engine import AttemptResult, BookingRule, DailyDrop, Outcome, RuleError, reason_of
from .engine.report import not_started_result
from .results import async_report_result
from .rule_entries import required_rule, rules_of
from .runtime import PlaytomicConfigEntry


@dataclass(frozen=True, kw_only=True)
class ExplicitTarget:
    """A one-off booking goal given by hand instead of a rule."""

    tenant_id: str
    day: date
    window_start: time
    window_end: time
    duration: int
    court_type: CourtType = "any"
    courts: tuple[str, ...] = ()
    sport_id: str = DEFAULT_SPORT
    # A one-off target has no rule whose Notify setting could apply: the caller names them.
    notify: tuple[str, ...] = ()


def payment_policy(options: dict[str, Any] | Any) -> tuple[PaymentCategory, ...]:
    """The allowed payment categories, in the user's order; unknown values are skipped."""
    policy: list[PaymentCategory] = []
    for value in options.get(CONF_PAYMENT_METHODS) or DEFAULT_PAYMENT_METHODS:
        try:
            policy.append(PaymentCategory(value))
        except ValueError:
            continue
    return tuple(policy)


def _invalid_target() -> ServiceValidationError:
    return ServiceValidationError(translation_domain=DOMAIN, translation_key="window_invalid")


def target_rule(entry: PlaytomicConfigEntry, target: ExplicitTarget, zone: ZoneInfo) -> BookingRule:
    """An explicit target as a one-day engine rule (its id keys the engine's per-date lock)."""
    known = next(
        (rule for rule in rules_of(entry).values() if rule.tenant_id == target.tenant_id),
        None,
    )
    try:
        return BookingRule(
            # A padel and a tennis court on the same day are two bookings, not one done twice.
            rule_id=f"target_{target.tenant_id}_{target.sport_id}_{target.day.isoformat()}",
            name=(known.club_name if known else None) or target.tenant_id,
            club_name=known.club_name if known else None,
            tenant_id=target.tenant_id,
            zone=zone,
            weekdays=frozenset({target.day.weekday()}),
            window_start=target.window_start,
            window_end=target.window_end,
            duration=target.duration,
            court_type=target.court_type,
            courts=target.courts,
            sport_id=normalize_sport_id(target.sport_id),
            # Unused for a one-off booking: the engine books the given date now.
            release=DailyDrop(0, time(0)),
        )
    except RuleError as err:
        raise _invalid_target() from err


async def async_book(
    hass: HomeAssistant,
    entry: PlaytomicConfigEntry,
    *,
    rule_id: str | None = None,
    target: ExplicitTarget | None = None,
    day: date | None = None,
    dry_run: bool | None = None,
    trigger: str | None = None,
) -> AttemptResult:
    """Book the best open slot of a rule (or an explicit target) now, and report the result.

    `day` limits a rule to one club-local date. `trigger` names what started the attempt
    ("watch": a freed court); the watch reports only what changed something (a booking, a dry
    run, a payment or outcome the user must look at), not a court that went again.
    """
    runtime = entry.runtime_data
    if dry_run is None:
        dry_run = bool(entry.options.get(CONF_DRY_RUN, False))
    known = required_rule(entry, rule_id) if target is None else None
    try:
        if target is not None:
            club = await runtime.availability.async_get_club(target.tenant_id)
            rule = target_rule(entry, target, club.zone)
        else:
            assert known is not None
            club = await runtime.availability.async_get_club(known.tenant_id)
            rule = known
    except ServiceValidationError:
        raise
    except Exception as err:
        if not isinstance(err, PlaytomicError):
            LOGGER.exception("Booking could not start")
        # The attempt never reached the engine: it still ends in a result, event and message.
        result = not_started_result(
            rule_id=known.rule_id if known else None,
            tenant_id=known.tenant_id if known else target.tenant_id if target else "",
            club_name=known.club_name if known else None,
            target_date=target.day if target is not None else day,
            reason=reason_of(err),
        )
    else:
        result = await runtime.engine.book_best(
            rule,
            club,
            target_date=target.day if target is not None else day,
            payment_policy=payment_policy(entry.options),
            dry_run=dry_run,
        )
    if result.outcome is Outcome.FAILED:
        runtime.health.record(result.reason, result.finished_at)
    if target is not None:
        # A one-off target has no rule entity: report it under no rule id.
        result = replace(result, rule_id=None)
    if trigger is not None:
        result = replace(result, trigger=trigger)
        if result.outcome in QUIET_WATCH_OUTCOMES or result.reason == "already_booked":
            LOGGER.debug("Watch attempt for %s ended %s", result.target_date, result.outcome)
            return result
    await async_report_result(
        hass, entry, result, notify=target.notify if target is not None else None
    )
    if result.outcome in (Outcome.BOOKED, Outcome.OUTCOME_UNKNOWN):
        # The booked day drops out of the rule's open slots once matches know about it.
        await runtime.matches.async_request_refresh()
        await runtime.availability.async_request_refresh()
    return result
