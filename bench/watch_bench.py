"""Cancellation-watch benchmark: a simulated week of one rule at a busy club, on the fake clock.

    .venv/bin/python -m bench.watch_bench [--seed 1] [--days 7]

The fake Playtomic runs in this process on a frozen `FakeClock` that the simulation moves from
one event to the next, so a week takes seconds and every instant is exact. The rounds are the
integration's (`engine.watch`: `watched_dates`, `plan_round`, `RequestBudget`, `round_interval`;
watched days first, then up to 7 of the slot sensors' days) and a freed court is booked through
`BookingEngine.book_best`, the entry the watch uses; only the Home Assistant glue (coordinator,
timers) is replaced by a plain loop. Own matches are read every 15 minutes, as the matches
coordinator does.

The club: 4 courts, a daily drop 14 days ahead at 08:30 Madrid. Every release is lost: other
players take every slot of the rule's window at the release (the dates of the 14 days before the
simulation too), so every target date of the rule is watched. Each competitor booking is
cancelled with probability `--cancel-p` at a random moment of the 72 h before its start
(at least 2 h before), and other players take a freed slot with probability `--take-p` after a
uniform 2-60 minute delay. Prints a markdown table per scenario (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
import random
import statistics
from zoneinfo import ZoneInfo

import aiohttp

from custom_components.playtomic.api import Club, PlaytomicClient
from custom_components.playtomic.engine import (
    BookingEngine,
    BookingRule,
    DailyDrop,
    Outcome,
    RequestBudget,
    club_day,
    open_dates,
    plan_round,
    release_instant,
    round_interval,
    watched_dates,
)
from custom_components.playtomic.engine.watch import HOURLY_REQUEST_CEILING
from tests.fake_playtomic import CourtSpec, DailyDrop as FakeDailyDrop, FakeClock, FakePlaytomic

MADRID = ZoneInfo("Europe/Madrid")
EMAIL = "alice@example.com"
PASSWORD = "bench-password-1"
USER_ID = "1001"
TENANT = "bench-club"
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday
MATCHES_EVERY = timedelta(minutes=15)
POLICY = ("at_club",)


@dataclass
class Stats:
    scenario: str
    watch_bookings: int = 0
    freed: int = 0
    taken_by_others: int = 0
    latencies_min: list[float] = field(default_factory=list)
    requests_per_hour: list[int] = field(default_factory=list)
    round_requests_per_hour: list[int] = field(default_factory=list)
    peak_round_requests: int = 0
    double_bookings: int = 0


def _rule(weekdays: frozenset[int]) -> BookingRule:
    return BookingRule(
        rule_id="bench-rule",
        name="bench",
        tenant_id=TENANT,
        zone=MADRID,
        weekdays=weekdays,
        window_start=time(18, 0),
        window_end=time(21, 30),
        duration=90,
        courts=(),
        release=DailyDrop(14, time(8, 30)),
        auto_book=True,
    )


def _lose_release(fake: FakePlaytomic, rule: BookingRule, day: date, rng: random.Random) -> None:
    """Other players take every slot of the window at the release; some will cancel later."""
    at = release_instant(rule, day)
    for court in fake.clubs[TENANT].courts:
        for start_at in (time(18, 0), time(19, 30)):
            start = datetime.combine(day, start_at, tzinfo=MADRID).astimezone(UTC)
            match = fake.book_directly(TENANT, court.resource_id, start, 90, "competitor")
            if rng.random() < ARGS.cancel_p:
                earliest = max(at, start - timedelta(hours=72), START)
                latest = start - timedelta(hours=2)
                when = earliest + (latest - earliest) * rng.random()
                fake.cancel_match(match.match_id, at=when)


async def run(scenario: str, weekdays: frozenset[int]) -> Stats:
    rng = random.Random(ARGS.seed)
    clock = FakeClock(START)
    fake = FakePlaytomic(clock=clock, hold_seconds=600)
    fake.add_account(EMAIL, PASSWORD, user_id=USER_ID, name="Alice")
    fake.add_club(
        "Bench Padel",
        tenant_id=TENANT,
        timezone="Europe/Madrid",
        courts=[CourtSpec(f"Pista {n}") for n in range(1, 5)],
        release=FakeDailyDrop(days_ahead=14, time=time(8, 30)),
        payment_methods=("CASH",),
    )
    fake.add_freed_slot_competitors(
        TENANT, delay_range=(120.0, 3600.0), probability=ARGS.take_p, seed=ARGS.seed
    )
    rule = _rule(weekdays)
    end = START + timedelta(days=ARGS.days)
    # Every date of the rule up to the end of the simulation was lost at its release.
    attempted: set[date] = set()
    day = START.astimezone(MADRID).date()
    while release_instant(rule, day) < end:
        if day.weekday() in weekdays:
            _lose_release(fake, rule, day, rng)
            attempted.add(day)
        day += timedelta(days=1)

    async def advance(seconds: float) -> None:
        clock.advance(seconds)

    await fake.start()
    stats = Stats(scenario)
    async with aiohttp.ClientSession() as session:
        client = PlaytomicClient(
            session, EMAIL, PASSWORD, base_url=fake.url, now=clock.now, sleep=advance
        )
        engine = BookingEngine(client, wall=clock.now, sleep=advance)
        budget = RequestBudget()
        club: Club = await client.get_club(TENANT)
        budget.spend(clock.now())
        last_fetched: dict[tuple[str, str, date], datetime] = {}
        own = await client.get_matches(upcoming_only=True)
        matches_at = clock.now()
        now = clock.now()
        while now < end:
            if now - matches_at >= MATCHES_EVERY:
                own = await client.get_matches(upcoming_only=True)
                matches_at = now
            # Only released dates are watched (the fake opens them at the release instant).
            released = {d for d in attempted if release_instant(rule, d) <= now}
            watched = watched_dates(rule, now=now, attempted=released, own_matches=own)
            interval = round_interval(watching=bool(watched), rng=rng)
            chosen = plan_round(
                [club_day(rule, d) for d in watched],
                [club_day(rule, d) for d in open_dates(rule, now=now)[:7]],
                limit=min(7, budget.per_round(interval), budget.remaining(now)),
                last_fetched=last_fetched,
            )
            for key in chosen:
                slots = await client.get_availability(club, key[2], sport_id=rule.sport_id)
                budget.spend(now)
                last_fetched[key] = now
                if key[2] in watched and rule.rank(slots, club.zone, after=now):
                    result = await engine.book_best(
                        rule, club, target_date=key[2], payment_policy=POLICY
                    )
                    if result.outcome is Outcome.BOOKED and result.reason != "already_booked":
                        stats.watch_bookings += 1
                        freed_at = _freed_at(fake, result.resource_id, result.start)
                        if freed_at is not None and result.finished_at is not None:
                            minutes = (result.finished_at - freed_at).total_seconds() / 60
                            stats.latencies_min.append(minutes)
                        own = await client.get_matches(upcoming_only=True)
            stats.peak_round_requests = budget.peak
            clock.set(now + interval)
            now = clock.now()
        fake.state.apply_competitors()
    await fake.stop()

    stats.freed = len([f for f in fake.state.freed if f.freed_at < end])
    stats.taken_by_others = sum(len(t.taken) for t in fake.state.freed_competitors)
    per_day = Counter(
        m.start.astimezone(MADRID).date()
        for m in fake.matches
        if m.owner_id == USER_ID and m.status == "CONFIRMED"
    )
    stats.double_bookings = sum(count - 1 for count in per_day.values() if count > 1)
    hours = Counter(
        r.received_at.replace(minute=0, second=0, microsecond=0)
        for r in fake.requests
        if r.received_at < end
    )
    rounds = Counter(
        r.received_at.replace(minute=0, second=0, microsecond=0)
        for r in fake.requests
        if r.received_at < end and (r.path == "/v1/availability" or r.path.startswith("/v1/ten"))
    )
    all_hours = [START + timedelta(hours=n) for n in range(ARGS.days * 24)]
    stats.requests_per_hour = [hours.get(h, 0) for h in all_hours]
    stats.round_requests_per_hour = [rounds.get(h, 0) for h in all_hours]
    return stats


def _freed_at(
    fake: FakePlaytomic, resource_id: str | None, start: datetime | None
) -> datetime | None:
    """When the court we booked came back: the last cancellation overlapping our 90 minutes."""
    if resource_id is None or start is None:
        return None
    end = start + timedelta(minutes=90)
    times = [
        f.freed_at
        for f in fake.state.freed
        if f.resource_id == resource_id
        and f.start < end
        and start < f.start + timedelta(minutes=f.duration)
    ]
    return max(times, default=None)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def table(results: list[Stats]) -> str:
    lines = [
        f"Simulated {ARGS.days} days, seed {ARGS.seed}; cancellations p={ARGS.cancel_p}, "
        f"other players take a freed slot with p={ARGS.take_p} after 2-60 min; "
        f"ceiling {HOURLY_REQUEST_CEILING} round requests per hour.",
        "",
        "| scenario | courts freed | booked by the watch | taken by others | freed to confirmed "
        "min (median / p95) | requests/hour all (median / max) | round requests/hour "
        "(median / max; peak in any hour) | double bookings |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in results:
        latency = (
            f"{statistics.median(s.latencies_min):.1f} / {_p95(s.latencies_min):.1f}"
            if s.latencies_min
            else "n/a"
        )
        lines.append(
            f"| {s.scenario} | {s.freed} | {s.watch_bookings} | {s.taken_by_others} | {latency} "
            f"| {statistics.median(s.requests_per_hour):.0f} / {max(s.requests_per_hour)} "
            f"| {statistics.median(s.round_requests_per_hour):.0f} / "
            f"{max(s.round_requests_per_hour)}; {s.peak_round_requests} "
            f"| {s.double_bookings} |"
        )
    return "\n".join(lines)


async def main() -> None:
    results = [
        await run("Mondays (2 dates watched)", frozenset({0})),
        await run("Mon, Wed (4 dates watched)", frozenset({0, 2})),
        await run("Mon-Fri (10 dates watched)", frozenset(range(5))),
    ]
    print(table(results))


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--days", type=int, default=7)
parser.add_argument("--cancel-p", type=float, default=0.25)
parser.add_argument("--take-p", type=float, default=0.5)
ARGS = parser.parse_args([])

if __name__ == "__main__":
    ARGS = parser.parse_args()
    asyncio.run(main())
