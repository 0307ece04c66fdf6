"""Other players: they book at release time, cancel their matches at a scripted moment, and
take freed slots after a delay; all applied lazily in due-time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import random
from typing import TYPE_CHECKING

from .models import Competitor, FreedSlotCompetitors, RandomCompetitors

if TYPE_CHECKING:
    from .club import FakeClub
    from .state import State

# How many club-local days around the release horizon a random rule scans per check.
_SCAN_MARGIN_DAYS = 1


@dataclass(frozen=True)
class _Event:
    due: datetime
    tenant_id: str
    resource_id: str
    start: datetime
    duration: int
    owner_id: str
    scripted: Competitor | None
    rule: RandomCompetitors | None
    freed: tuple[FreedSlotCompetitors, int] | None = None


def apply_due_competitors(state: State) -> None:
    """Apply due cancellations, then book for every competitor whose release + delay (or
    freed + delay) is due, earliest first.

    Due times are computed now rather than when the competitor was added, so a test may
    script a competitor first and move the release afterwards (``release_in``).
    """
    now = state.clock.now()
    _apply_due_cancellations(state, now)
    events: list[_Event] = []
    for competitor in state.competitors:
        if competitor.done:
            continue
        club = state.clubs.get(competitor.tenant_id)
        if club is None:
            continue
        due = club.release_instant(competitor.start) + timedelta(seconds=competitor.delay)
        if due <= now:
            events.append(
                _Event(
                    due,
                    competitor.tenant_id,
                    competitor.resource_id,
                    competitor.start,
                    competitor.duration,
                    competitor.owner_id,
                    competitor,
                    None,
                )
            )
    for rule in state.random_competitors:
        events.extend(_random_events(state, rule, now))
        rule.checked_until = max(rule.checked_until, now)
    for taker in state.freed_competitors:
        events.extend(_freed_events(state, taker, now))
    events.sort(key=lambda event: event.due)
    for event in events:
        club = state.clubs[event.tenant_id]
        free = not state.is_taken(event.resource_id, event.start, event.duration)
        # A competitor is "another user" to everyone, so any live hold stops it.
        unheld = not state.is_held_against(
            event.resource_id, event.start, event.duration, event.owner_id
        )
        booked = free and unheld and event.start > event.due
        if booked:
            state.create_match(club, event.resource_id, event.start, event.duration, event.owner_id)
        if event.scripted is not None:
            event.scripted.done = True
            event.scripted.outcome = "booked" if booked else "lost"
        if event.rule is not None and booked:
            event.rule.taken.append(f"{event.resource_id}@{event.start.isoformat()}")
        if event.freed is not None:
            taker, index = event.freed
            taker.settled.add(index)
            if booked:
                taker.taken.append(f"{event.resource_id}@{event.start.isoformat()}")


def _apply_due_cancellations(state: State, now: datetime) -> None:
    due = sorted((c for c in state.cancellations if not c.done and c.at <= now), key=lambda c: c.at)
    for cancellation in due:
        match = state.find_match(cancellation.match_id)
        cancelled = match is not None and state.cancel(match, cancellation.at)
        cancellation.done = True
        cancellation.outcome = "cancelled" if cancelled else "not_cancelable"


def _freed_events(state: State, taker: FreedSlotCompetitors, now: datetime) -> list[_Event]:
    events: list[_Event] = []
    for index, freed in enumerate(state.freed):
        if index in taker.settled or taker.tenant_id not in (None, freed.tenant_id):
            continue
        if index not in taker.draws:
            # Seeded per freed slot, so its fate does not depend on the request order.
            rng = random.Random(f"{taker.seed}:{freed.resource_id}:{freed.freed_at.isoformat()}")
            taken = rng.random() < taker.probability
            low, high = taker.delay_range
            taker.draws[index] = (
                (rng.uniform(low, high), f"competitor-{rng.randrange(1000, 9999)}")
                if taken
                else None
            )
        drawn = taker.draws[index]
        if drawn is None:
            taker.settled.add(index)
            continue
        delay, owner = drawn
        due = freed.freed_at + timedelta(seconds=delay)
        if due <= now:
            events.append(
                _Event(
                    due,
                    freed.tenant_id,
                    freed.resource_id,
                    freed.start,
                    freed.duration,
                    owner,
                    None,
                    None,
                    (taker, index),
                )
            )
    return events


def _random_events(state: State, rule: RandomCompetitors, now: datetime) -> list[_Event]:
    club = state.clubs.get(rule.tenant_id)
    if club is None or now <= rule.checked_until:
        return []
    events: list[_Event] = []
    ahead = timedelta(minutes=club.release.ahead_minutes)
    first_day = club.local_date(rule.checked_until + ahead) - timedelta(days=_SCAN_MARGIN_DAYS)
    last_day = club.local_date(now + ahead) + timedelta(days=_SCAN_MARGIN_DAYS)
    day = first_day
    while day <= last_day:
        for start, closes in club.slot_grid(day):
            release = club.release_instant(start)
            for court in club.courts:
                event = _draw(club, rule, court.resource_id, start, closes, release)
                if event is not None and rule.checked_until < event.due <= now:
                    events.append(event)
        day += timedelta(days=1)
    return events


def _draw(
    club: FakeClub,
    rule: RandomCompetitors,
    resource_id: str,
    start: datetime,
    closes: datetime,
    release: datetime,
) -> _Event | None:
    key = (resource_id, start)
    if key not in rule.draws:
        rule.draws[key] = _roll(club, rule, resource_id, start, closes)
    drawn = rule.draws[key]
    if drawn is None:
        return None
    duration, delay, owner = drawn
    due = release + timedelta(seconds=delay)
    return _Event(due, rule.tenant_id, resource_id, start, duration, owner, None, rule)


def _roll(
    club: FakeClub, rule: RandomCompetitors, resource_id: str, start: datetime, closes: datetime
) -> tuple[int, float, str] | None:
    # Seeded per slot, so the same slot always gets the same fate whatever the request order.
    rng = random.Random(f"{rule.seed}:{resource_id}:{start.isoformat()}")
    if rng.random() >= rule.probability:
        return None
    court = club.court(resource_id)
    if court is None:
        return None
    durations = [d for d in court.durations if start + timedelta(minutes=d) <= closes]
    if not durations:
        return None
    duration = rng.choice(sorted(durations))
    low, high = rule.delay_range
    return duration, rng.uniform(low, high), f"competitor-{rng.randrange(1000, 9999)}"
