"""The cancellation watch's rules (engine.watch): watched dates, rounds, the hourly ceiling, and
the watch, a release and book now racing for one date."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
import random

import pytest

from custom_components.playtomic.api.models import Match
from custom_components.playtomic.engine import (
    AttemptResult,
    Outcome,
    RequestBudget,
    plan_round,
    round_interval,
    starts_watch,
    watch_cutoff,
    watched_dates,
)
from custom_components.playtomic.engine.watch import MIN_ROUND_INTERVAL
from tests.engine.conftest import (
    MADRID,
    TENANT,
    USER_ID,
    World,
    make_rule,
    release_soon,
    slot_start,
)

# Monday 2 March 2026, 10:00 Madrid: the 08:30 drop has opened 16 March.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = ("at_club",)


def _match(day: date, at: time = time(19, 0), tenant: str = TENANT) -> Match:
    return Match(
        match_id=f"m-{day.isoformat()}",
        tenant_id=tenant,
        start=slot_start(day, at),
        end=slot_start(day, at) + timedelta(minutes=90),
        status="CONFIRMED",
    )


def test_watched_dates_keep_only_what_may_still_be_booked() -> None:
    rule = make_rule(weekdays=frozenset({0, 1, 2, 3, 4}))
    attempted = [
        date(2026, 3, 16),  # watched
        date(2026, 3, 13),  # watched
        date(2026, 3, 14),  # a Saturday: not a day of the rule
        date(2026, 3, 17),  # not released yet
        date(2026, 3, 10),  # ours already
        date(2026, 3, 2),  # today, but before the cutoff (16:00 Madrid): watched
    ]
    own = [_match(date(2026, 3, 10)), _match(date(2026, 3, 12), tenant="other-club")]
    assert watched_dates(rule, now=NOW, attempted=attempted, own_matches=own) == [
        date(2026, 3, 2),
        date(2026, 3, 13),
        date(2026, 3, 16),
    ]
    late = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 16:00 Madrid: today's cutoff
    assert date(2026, 3, 2) not in watched_dates(
        rule, now=late, attempted=attempted, own_matches=own
    )
    assert watch_cutoff(rule, date(2026, 3, 2)) == late
    off = make_rule(watch=False)
    assert watched_dates(off, now=NOW, attempted=attempted, own_matches=[]) == []


def test_dates_opened_before_the_rule_only_when_asked() -> None:
    quiet = make_rule()
    assert watched_dates(quiet, now=NOW, attempted=[], own_matches=[]) == []
    eager = make_rule(watch_open_dates=True, watch_cutoff=timedelta(0))
    days = watched_dates(eager, now=NOW, attempted=[], own_matches=[_match(date(2026, 3, 5))])
    assert days[0] == date(2026, 3, 2)
    assert days[-1] == date(2026, 3, 16)
    assert date(2026, 3, 5) not in days
    assert len(days) == 14


@pytest.mark.parametrize(
    ("outcome", "release", "trigger", "expected"),
    [
        (Outcome.NO_SLOT, True, None, True),
        (Outcome.FAILED, True, None, True),
        (Outcome.MISSED, True, None, True),
        (Outcome.BOOKED, True, None, False),
        (Outcome.PAYMENT_NOT_POSSIBLE, True, None, False),
        (Outcome.OUTCOME_UNKNOWN, True, None, False),
        (Outcome.NO_SLOT, False, None, False),  # book now: no release was attempted
        (Outcome.NO_SLOT, True, "watch", False),
    ],
)
def test_which_results_start_a_watch(
    outcome: Outcome, release: bool, trigger: str | None, expected: bool
) -> None:
    result = AttemptResult(
        outcome=outcome,
        rule_id="rule-1",
        tenant_id=TENANT,
        target_date=date(2026, 3, 16),
        release_at=NOW if release else None,
        trigger=trigger,
    )
    assert starts_watch(result) is expected


def test_round_interval_has_jitter_and_a_floor() -> None:
    rng = random.Random(7)
    watching = [round_interval(watching=True, rng=rng) for _ in range(200)]
    assert min(watching) >= timedelta(minutes=4, seconds=30)
    assert max(watching) <= timedelta(minutes=5, seconds=30)
    assert len(set(watching)) > 100
    idle = [round_interval(watching=False, rng=rng) for _ in range(50)]
    assert min(idle) >= timedelta(minutes=9, seconds=30)
    assert timedelta(minutes=2) == MIN_ROUND_INTERVAL


def test_plan_round_puts_watched_days_first_and_rotates() -> None:
    a, b, c, d = (("t", "PADEL", date(2026, 3, n)) for n in (2, 3, 4, 5))
    fetched: dict[tuple[str, str, date], datetime] = {}
    first = plan_round([c, d], [a, b, c], limit=2, last_fetched=fetched)
    assert first == [c, d]
    fetched.update({c: NOW, d: NOW})
    assert plan_round([c, d], [a, b, c], limit=3, last_fetched=fetched) == [c, d, a]
    # A watched day fetched recently gives way to one not fetched for longer.
    fetched[c] = NOW + timedelta(minutes=5)
    assert plan_round([c, d], [a], limit=1, last_fetched=fetched) == [d]
    assert plan_round([c], [c, a], limit=5, last_fetched={}) == [c, a]
    assert plan_round([c], [a], limit=0, last_fetched={}) == []
    # Club-days one request lists together cost one request of the limit.
    other = ("u", "PADEL", date(2026, 3, 4))
    same_request = plan_round(
        [c], [a, other], limit=1, last_fetched={}, batch=lambda key: (key[1], key[2])
    )
    assert same_request == [c, other]


def test_request_budget_is_a_sliding_hour() -> None:
    budget = RequestBudget(ceiling=3)
    for minutes in (0, 10, 20):
        budget.spend(NOW + timedelta(minutes=minutes))
    assert budget.remaining(NOW + timedelta(minutes=30)) == 0
    assert budget.summary(NOW + timedelta(minutes=30)) == {
        "ceiling_per_hour": 3,
        "used_last_hour": 3,
        "peak_per_hour": 3,
    }
    assert budget.remaining(NOW + timedelta(minutes=60)) == 1
    assert budget.used(NOW + timedelta(minutes=81)) == 0
    assert budget.peak == 3
    assert RequestBudget().per_round(timedelta(minutes=5)) == 2
    assert RequestBudget().per_round(timedelta(minutes=10)) == 5
    assert RequestBudget(ceiling=1).per_round(timedelta(minutes=2)) == 1


async def test_release_watch_and_book_now_racing_book_once(world: World) -> None:
    """The release burst, a watch attempt and "book now" for the same rule and date, all at
    once: exactly one booking, the others find the date ours."""
    club = await world.club()
    rule = make_rule()
    attempt = release_soon(world, seconds=0.2)
    world.timeline.jump_to(attempt.release_at - timedelta(seconds=0.1))
    results = await asyncio.gather(
        world.engine.run_release(attempt, rule, club, payment_policy=POLICY),
        world.engine.book_best(rule, club, target_date=attempt.target_date, payment_policy=POLICY),
        world.engine.book_best(rule, club, target_date=attempt.target_date, payment_policy=POLICY),
    )
    booked = [r for r in results if r.outcome is Outcome.BOOKED and r.reason != "already_booked"]
    assert len(booked) == 1
    assert {r.outcome for r in results} == {Outcome.BOOKED}
    ours = [
        m
        for m in world.fake.matches
        if m.owner_id == USER_ID and m.start.astimezone(MADRID).date() == attempt.target_date
    ]
    assert len(ours) == 1
    confirmations = [r for r in world.fake.requests if r.path.endswith("/confirmation")]
    assert len(confirmations) == 1
