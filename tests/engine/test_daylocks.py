"""One lock per (tenant, sport, club-local day), whatever the rule: the engine side."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from custom_components.playtomic.engine import Outcome
from custom_components.playtomic.engine.daylocks import DayLocks, day_key
from tests.engine.conftest import POLICY, TENANT, World, make_rule, own_matches, ready, run


async def test_two_rules_for_the_same_club_day_racing_book_once(world: World) -> None:
    """A rule and a one-off target (another rule id) share the club-day's lock."""
    club = await world.club()
    rule = make_rule()
    one_off = make_rule(rule_id=f"target_{TENANT}_PADEL_x")
    day = world.timeline.wall().astimezone(rule.zone).date() + timedelta(days=3)

    first, second = await asyncio.gather(
        world.engine.book_best(rule, club, target_date=day, payment_policy=POLICY),
        world.engine.book_best(one_off, club, target_date=day, payment_policy=POLICY),
    )

    assert len(own_matches(world, day)) == 1
    assert {first.outcome, second.outcome} == {Outcome.BOOKED}
    assert first.match_id == second.match_id
    assert sorted(str(r.reason) for r in (first, second)) == ["None", "already_booked"]


@pytest.mark.parametrize("rule_id", ["rule-1", "another-rule"])
async def test_book_now_waiting_for_a_release_sees_its_booking(world: World, rule_id: str) -> None:
    """Book now for the release's date (same rule, or another one for the same club-day) waits
    for the burst, then reads the own bookings."""
    rule, club, attempt = await ready(world, lead=0.05)
    one_off = make_rule(rule_id=rule_id)
    released = asyncio.create_task(run(world, rule, club, attempt))
    await asyncio.sleep(0)  # the release holds the day's lock now
    now = await world.engine.book_best(
        one_off, club, target_date=attempt.target_date, payment_policy=POLICY
    )
    first = await released
    assert first.outcome is Outcome.BOOKED
    assert now.outcome is Outcome.BOOKED
    assert now.reason == "already_booked"
    assert now.match_id == first.match_id
    assert len(own_matches(world, attempt.target_date)) == 1


async def test_a_release_after_another_path_booked_its_day_does_not_book(world: World) -> None:
    """The release was prepared (own bookings read: none); then another rule booked the day
    under the lock. The release finds that booking in the lock's memory and books nothing."""
    rule, club, attempt = await ready(world, lead=0.05)  # prepares `rule`
    other = await run(world, make_rule(rule_id="another-rule"), club, attempt)
    assert other.outcome is Outcome.BOOKED
    world.fake.clear_requests()

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED
    assert result.reason == "already_booked"
    assert result.match_id == other.match_id
    assert not [r for r in world.fake.requests if r.path == "/v1/payment_intents"]
    assert len(own_matches(world, attempt.target_date)) == 1


async def test_lock_keys_normalise_the_sport_and_locks_do_not_pile_up() -> None:
    day = date(2026, 3, 2)
    assert day_key("t", "padel", day) == day_key("t", " PADEL ", day)
    assert day_key("t", "TENNIS", day) != day_key("t", "PADEL", day)
    locks = DayLocks()
    async with locks.hold(day_key("t", "PADEL", day)) as contended:
        assert contended is False
    assert locks._locks == {}  # released and nobody waiting: dropped
