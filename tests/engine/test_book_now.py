"""`book_best` (book now), and planner-to-engine runs for both release models."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from custom_components.playtomic.engine import (
    DailyDrop,
    Outcome,
    Rolling,
    build_candidates,
    open_dates,
    plan_attempts,
    release_instant,
)
from tests.engine.conftest import (
    COURT_IDS,
    MADRID,
    POLICY,
    TENANT,
    USER_ID,
    World,
    make_rule,
    slot_start,
)
from tests.fake_playtomic import Rolling as FakeRolling


def alice(world: World) -> list[object]:
    return [m for m in world.fake.matches if m.owner_id == USER_ID]


async def test_book_now_takes_the_best_listed_slot(world: World) -> None:
    club = await world.club()
    rule = make_rule()
    result = await world.engine.book_best(rule, club, payment_policy=POLICY)
    assert result.outcome is Outcome.BOOKED
    assert result.resource_id == COURT_IDS[0]
    assert result.local_start is not None
    assert result.local_start.time() == time(19, 0)
    assert result.latency_ms is not None
    assert result.fire_error_ms is None
    assert len(alice(world)) == 1
    # The next "book now" does not book the same date again: it moves to the next date.
    second = await world.engine.book_best(rule, club, payment_policy=POLICY)
    assert second.outcome is Outcome.BOOKED
    assert second.target_date != result.target_date
    assert len(alice(world)) == 2


async def test_book_now_falls_back_when_a_slot_goes_in_between(world: World) -> None:
    club = await world.club()
    rule = make_rule()
    world.fake.respond(
        "POST",
        r"^/v1/payment_intents$",
        status=409,
        json={"status": "RESOURCE_NO_AVAILABLE", "localized_message": "gone"},
    )
    result = await world.engine.book_best(rule, club, payment_policy=POLICY)
    assert result.outcome is Outcome.BOOKED
    assert result.attempts == 2
    assert result.local_start.time() != time(19, 0) or result.resource_id != COURT_IDS[0]  # type: ignore[union-attr]


async def test_book_now_on_a_full_date_is_no_slot(world: World) -> None:
    club = await world.club()
    rule = make_rule(courts=(COURT_IDS[0],), window_start=time(19, 0), window_end=time(20, 30))
    day = world.timeline.wall().astimezone(rule.zone).date() + timedelta(days=3)
    world.fake.book_directly(TENANT, COURT_IDS[0], slot_start(day, time(19, 0)), 90, "other")
    result = await world.engine.book_best(rule, club, target_date=day, payment_policy=POLICY)
    assert result.outcome is Outcome.NO_SLOT
    assert result.reason == "no_matching_slot"
    assert alice(world) == []


async def test_book_now_dry_run_and_payment_policy(world: World) -> None:
    club = await world.club()
    rule = make_rule()
    dry = await world.engine.book_best(rule, club, payment_policy=POLICY, dry_run=True)
    assert dry.outcome is Outcome.DRY_RUN
    # Ranked and priced, with a payment forecast, and no intent holding the court.
    assert dry.resource_id is not None
    assert dry.extra["payment_category"] == POLICY[0]
    assert not [r for r in world.fake.requests if r.path.startswith("/v1/payment_intents")]
    refused = await world.engine.book_best(rule, club, payment_policy=("wallet",))
    assert refused.outcome is Outcome.PAYMENT_NOT_POSSIBLE
    assert alice(world) == []


async def test_book_now_reports_failures_as_one_outcome(world: World) -> None:
    club = await world.club()
    world.fake.edge_block()
    result = await world.engine.book_best(make_rule(), club, payment_policy=POLICY)
    assert result.outcome is Outcome.FAILED
    assert result.reason == "edge_blocked"


async def test_planned_daily_drop_end_to_end(world: World) -> None:
    """Plan from the rule, jump to just before the 08:30 Madrid drop, fire, book."""
    club = await world.club()
    rule = make_rule(release=DailyDrop(14, time(8, 30)))
    now = world.timeline.wall()
    attempt = plan_attempts(rule, after=now, until=now + timedelta(days=2))[0]
    assert attempt.release_at.astimezone(rule.zone).time() == time(8, 30)
    world.timeline.jump_to(attempt.release_at - timedelta(seconds=0.1))
    result = await world.engine.run_release(attempt, rule, club, payment_policy=POLICY)
    assert result.outcome is Outcome.BOOKED
    assert result.target_date == attempt.target_date
    first = next(r for r in world.fake.requests if r.path == "/v1/payment_intents")
    assert first.received_at >= attempt.release_at


@pytest.mark.parametrize("preferred", [time(19, 0), None])
async def test_planned_rolling_release_end_to_end(world: World, preferred: time | None) -> None:
    world.fake.set_release(TENANT, FakeRolling(minutes=2880))
    club = await world.club()
    rule = make_rule(release=Rolling(2880), preferred_start=preferred)
    now = world.timeline.wall()
    attempt = plan_attempts(rule, after=now, until=now + timedelta(days=2))[0]
    # Only slots already open at the instant are candidates: nothing after the aimed start.
    slots = build_candidates(rule, club, attempt.target_date, open_by=attempt.release_at)
    aimed = preferred or time(18, 0)
    assert {s.local_start(rule.zone).time() for s in slots} <= {time(18, 0), time(18, 30), aimed}
    world.timeline.jump_to(attempt.release_at - timedelta(seconds=0.1))
    result = await world.engine.run_release(attempt, rule, club, payment_policy=POLICY)
    assert result.outcome is Outcome.BOOKED
    assert result.local_start is not None
    assert result.local_start.time() == aimed
    first = next(r for r in world.fake.requests if r.path == "/v1/payment_intents")
    assert first.received_at >= attempt.release_at


async def test_book_now_does_not_run_ahead_of_a_rolling_release(world: World) -> None:
    """Rolling 48 h aimed at 19:00: the date's 18:00 slot is listed an hour before the release
    the scheduler fires at, but "book now" leaves the date to that release until it passes."""
    world.fake.set_release(TENANT, FakeRolling(minutes=2880))
    club = await world.club()
    today = world.timeline.wall().astimezone(MADRID).date()
    target = today + timedelta(days=2)
    rule = make_rule(
        release=Rolling(2880), preferred_start=time(19, 0), weekdays=frozenset({target.weekday()})
    )
    release_at = release_instant(rule, target)
    assert release_at == slot_start(target, time(19, 0)) - timedelta(minutes=2880)

    world.timeline.jump_to(release_at - timedelta(minutes=30))
    assert open_dates(rule, now=world.timeline.wall()) == []
    early = await world.engine.book_best(rule, club, payment_policy=POLICY)
    assert early.outcome is Outcome.NO_SLOT
    assert early.reason == "no_upcoming_date"
    assert alice(world) == []

    world.timeline.jump_to(release_at)
    assert open_dates(rule, now=world.timeline.wall()) == [target]
    result = await world.engine.book_best(rule, club, payment_policy=POLICY)
    assert result.outcome is Outcome.BOOKED
    assert result.target_date == target
    assert result.local_start is not None
    assert result.local_start.time() == time(19, 0)
