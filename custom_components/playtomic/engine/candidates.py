"""The slots a release burst tries, built without asking the server.

Before the release instant the slots are not listed (docs/playtomic-api.md §7: absent from availability), and
at the instant there is no time for an availability round trip. So the grid is built from what
is already known: the club's courts and their allowed durations, the rule's window and
preferences, and the club's start step. The rule's own ranking (`BookingRule.rank`) then orders
it, so a burst and a "book now" rank slots identically.
"""

from __future__ import annotations

from datetime import date, datetime, time

from ..api.models import Club, Court, Slot
from ..api.slots import size_fits, type_fits
from ..api.timeconv import local_to_utc
from .rules import BookingRule, Rolling

DEFAULT_STEP_MINUTES = 30


def court_fits(rule: BookingRule, court: Court) -> bool:
    """A usable court of the rule's sport and type offering the rule's duration."""
    if not court.usable or not court.offers(rule.sport_id):
        return False
    if court.durations and rule.duration not in court.durations:
        return False
    # The client's filter's own checks: listed slots and tried candidates agree.
    if not type_fits(rule.court_type, indoor=court.indoor):
        return False
    if not size_fits(rule.court_size, single=court.single):
        return False
    return not (rule.only_courts and rule.courts) or court.resource_id in rule.courts


def local_starts(rule: BookingRule, step_minutes: int) -> list[time]:
    """Club-local starts from the window start, every step, while the slot ends inside the window."""
    return rule.window.starts(rule.duration, step_minutes, rule.preferred_start)


def build_candidates(
    rule: BookingRule,
    club: Club,
    target_date: date,
    *,
    open_by: datetime | None = None,
    step_minutes: int = DEFAULT_STEP_MINUTES,
    limit: int | None = None,
) -> list[Slot]:
    """Ranked candidate slots of `target_date`, best first.

    `open_by` drops slots that a rolling release has not opened by then (each rolling slot opens
    on its own instant); a daily drop opens the whole date at once.
    """
    courts = [court for court in club.courts if court_fits(rule, court)]
    seen: set[tuple[str, datetime]] = set()
    slots: list[Slot] = []
    for start_local in local_starts(rule, step_minutes):
        start = local_to_utc(target_date, start_local, club.zone)
        rolling = rule.release if isinstance(rule.release, Rolling) else None
        if open_by is not None and rolling is not None and start - rolling.lead > open_by:
            continue
        for court in courts:
            if (court.resource_id, start) in seen:
                continue
            seen.add((court.resource_id, start))
            slots.append(
                Slot(
                    tenant_id=club.tenant_id,
                    resource_id=court.resource_id,
                    court_name=court.name,
                    start=start,
                    duration=rule.duration,
                    indoor=court.indoor,
                    single_court=court.single,
                    zone=club.zone,
                    sport_id=rule.sport_id,
                )
            )
    ranked = rule.rank(slots, club.zone)
    return ranked[:limit] if limit is not None else ranked


def opens_at(rule: BookingRule, slot: Slot, release_at: datetime) -> datetime:
    """When one candidate opens (server clock): a daily drop opens the whole date at the instant
    being fired at; a rolling release opens each slot its lead before the slot starts."""
    if isinstance(rule.release, Rolling):
        return min(slot.start - rule.release.lead, release_at)
    return release_at
