"""Release planning: which target dates a rule aims at, when each one opens (server clock), and
which dates are open now.

Pure functions of the rule, a time range and the user's own bookings; all arithmetic happens in
the club's zone so DST nights come out right (08:30 Europe/Madrid is 07:30 UTC in winter and
06:30 UTC in summer). A date of the rule is either still ahead (`plan_attempts`: the scheduler
fires at its release) or open (`open_dates`: polled, and booked by "book now"), split at the one
instant `release_instant`, so what the sensors show never runs ahead of what the scheduler does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
import math

from ..api.models import Match
from ..api.timeconv import as_utc, local_to_utc
from .rules import BookingRule, DailyDrop, Rolling

# How far ahead releases are planned: every weekday recurs within a week, so this holds the next
# release unless own bookings already cover two weeks of dates.
PLAN_HORIZON = timedelta(days=15)


@dataclass(frozen=True, order=True)
class PlannedAttempt:
    """One release to fire at: the rule's booking goal for one club-local date.

    Ordered by release instant first so a sorted plan is the firing order.
    """

    release_at: datetime  # UTC, server clock
    target_date: date  # club-local
    rule_id: str


def release_instant(rule: BookingRule, target_date: date) -> datetime:
    """When the rule's slots on `target_date` open, in UTC (server clock).

    Daily drop: `release_time` club-local on the day `days_ahead` before. Rolling: the first
    candidate start (preferred start, else window start) minus the rolling lead. Wall times in a
    DST gap move forward by the gap; ambiguous ones take the first occurrence (the earlier
    instant), which is the one a server naively localising "08:30" would pick too.
    """
    release = rule.release
    if isinstance(release, DailyDrop):
        release_day = target_date - timedelta(days=release.days_ahead)
        return local_to_utc(release_day, release.release_time, rule.zone)
    return first_slot_start(rule, target_date) - release.lead


def target_date_for(rule: BookingRule, release_at: datetime) -> date:
    """The club-local date whose slots a release instant of this rule opens."""
    release = rule.release
    if isinstance(release, DailyDrop):
        return as_utc(release_at).astimezone(rule.zone).date() + timedelta(days=release.days_ahead)
    return (as_utc(release_at) + release.lead).astimezone(rule.zone).date()


def first_slot_start(rule: BookingRule, target_date: date) -> datetime:
    """UTC start of the slot the release is aimed at."""
    return local_to_utc(target_date, rule.first_start, rule.zone)


def covering_match(
    rule: BookingRule, target_date: date, own_matches: Sequence[Match]
) -> Match | None:
    """An own active booking of the rule's sport at its club starting in the window on that date."""
    return next((m for m in own_matches if _covered_date(rule, m) == target_date), None)


def covered_dates(rule: BookingRule, own_matches: Iterable[Match]) -> set[date]:
    """The club-local dates an own booking already covers (the rule books each date once)."""
    return {day for match in own_matches if (day := _covered_date(rule, match)) is not None}


def _covered_date(rule: BookingRule, match: Match) -> date | None:
    """The club-local date a match covers for the rule: an active booking of the rule's sport at
    its club, starting inside the window."""
    if match.is_inactive or match.tenant_id != rule.tenant_id or not match.is_sport(rule.sport_id):
        return None
    local = as_utc(match.start).astimezone(rule.zone)
    start_of_day = local.replace(tzinfo=None).time()
    if rule.window.starts_in(start_of_day):
        return local.date()
    return None


def open_dates(
    rule: BookingRule,
    *,
    now: datetime,
    horizon_minutes: int | None = None,
    skip: Iterable[date] = (),
) -> list[date]:
    """The rule's club-local dates that can be booked now, nearest first.

    Open means: on the rule's weekdays, its release instant passed (the instant the scheduler
    fires at; before it the date belongs to the plan, not to "book now"), and a slot of the
    window can still start after `now`. `skip` leaves dates out (those already booked);
    `horizon_minutes` caps how far ahead (a club's booking limit, to save requests).
    """
    now_utc = as_utc(now)
    today = now_utc.astimezone(rule.zone).date()
    # No date after the one the latest release opened can be open yet.
    last = target_date_for(rule, now_utc)
    if horizon_minutes is not None:
        last = min(last, today + timedelta(days=math.ceil(horizon_minutes / 1440)))
    skipped = set(skip)
    dates: list[date] = []
    day = today
    while day <= last:
        if (
            day.weekday() in rule.weekdays
            and day not in skipped
            and release_instant(rule, day) <= now_utc
            and _slot_still_ahead(rule, day, now_utc)
        ):
            dates.append(day)
        day += timedelta(days=1)
    return dates


def _slot_still_ahead(rule: BookingRule, day: date, now: datetime) -> bool:
    """A slot of the rule's duration can still start after `now` and end inside the window."""
    window_end = local_to_utc(*rule.window.end_on(day), rule.zone, latest=True)
    return window_end - timedelta(minutes=rule.duration) > now


def plan_attempts(
    rule: BookingRule,
    *,
    after: datetime,
    until: datetime,
    own_matches: Sequence[Match] = (),
) -> list[PlannedAttempt]:
    """Every release of the rule with `after <= release_at < until`, sorted, one per target date.

    Target dates on the rule's weekdays only; dates already covered by an own booking at the club
    inside the window are skipped (one booking per rule and date, never more).
    """
    after_utc, until_utc = as_utc(after), as_utc(until)
    if until_utc <= after_utc:
        return []
    seen: set[date] = set()
    plan: list[PlannedAttempt] = []
    for target in _candidate_dates(rule, after_utc, until_utc):
        if target in seen or target.weekday() not in rule.weekdays:
            continue
        seen.add(target)
        at = release_instant(rule, target)
        if not after_utc <= at < until_utc:
            continue
        if covering_match(rule, target, own_matches) is not None:
            continue
        plan.append(PlannedAttempt(release_at=at, target_date=target, rule_id=rule.rule_id))
    plan.sort()
    return plan


def next_attempt(
    rule: BookingRule,
    *,
    now: datetime,
    own_matches: Sequence[Match] = (),
    horizon: timedelta = PLAN_HORIZON,
) -> PlannedAttempt | None:
    """The earliest upcoming attempt: what the scheduler arms and the `next_booking_attempt`
    sensor shows."""
    plan = plan_attempts(rule, after=now, until=now + horizon, own_matches=own_matches)
    return plan[0] if plan else None


def _candidate_dates(rule: BookingRule, after: datetime, until: datetime) -> Iterator[date]:
    """A superset of the target dates whose release can fall in [after, until).

    One spare day on each side absorbs zone offsets and DST, so the exact bounds are checked by
    the caller on the computed instant rather than reasoned about here.
    """
    release = rule.release
    if isinstance(release, DailyDrop):
        lead = timedelta(days=release.days_ahead)
    else:
        assert isinstance(release, Rolling)
        lead = release.lead
    first = (after + lead).astimezone(rule.zone).date() - timedelta(days=2)
    last = (until + lead).astimezone(rule.zone).date() + timedelta(days=2)
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


__all__ = [
    "PlannedAttempt",
    "covered_dates",
    "covering_match",
    "first_slot_start",
    "next_attempt",
    "open_dates",
    "plan_attempts",
    "release_instant",
    "target_date_for",
]
