"""A rule's sport at a club with padel and tennis courts: listed availability, the release
burst's candidates and the own-booking check all keep to the rule's sport."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from custom_components.playtomic.api import Match
from custom_components.playtomic.engine import (
    BookingRule,
    Outcome,
    PlannedAttempt,
    build_candidates,
    covering_match,
)
from tests.engine.conftest import MADRID, USER_ID, World, make_rule
from tests.fake_playtomic import CourtSpec, DailyDrop as FakeDailyDrop

MIXED = "mixed-club"
PADEL_IDS = ("padel-1", "padel-2")
TENNIS_IDS = ("tennis-1", "tennis-2")
POLICY = ("at_club",)


def add_mixed_club(world: World) -> None:
    world.fake.add_club(
        "Raqueta Mixta",
        timezone="Europe/Madrid",
        tenant_id=MIXED,
        courts=[
            CourtSpec("Pista 1", resource_id=PADEL_IDS[0]),
            CourtSpec("Pista 2", resource_id=PADEL_IDS[1]),
            CourtSpec("Tenis 1", resource_id=TENNIS_IDS[0], sport="TENNIS"),
            CourtSpec("Tenis 2", resource_id=TENNIS_IDS[1], sport="TENNIS"),
        ],
        release=FakeDailyDrop(days_ahead=14, time=time(8, 30)),
        payment_methods=("CASH",),
    )


def tennis_rule() -> BookingRule:
    return make_rule(tenant_id=MIXED, courts=(), club_name="Raqueta Mixta", sport_id="TENNIS")


def booked_resources(world: World) -> list[str]:
    return [m.resource_id for m in world.fake.matches if m.owner_id == USER_ID]


async def test_book_now_lists_and_books_the_rule_sport(world: World) -> None:
    add_mixed_club(world)
    club = await world.client.get_club(MIXED)
    day = world.timeline.wall().astimezone(MADRID).date() + timedelta(days=3)
    world.fake.clear_requests()

    result = await world.engine.book_best(
        tennis_rule(), club, target_date=day, payment_policy=POLICY
    )

    assert result.outcome is Outcome.BOOKED
    assert result.resource_id in TENNIS_IDS
    listings = [r for r in world.fake.requests if r.path == "/v1/availability"]
    assert [r.query["sport_id"] for r in listings] == ["TENNIS"]
    assert booked_resources(world) == [result.resource_id]
    assert result.match_id is not None
    assert (await world.client.get_match(result.match_id)).sport_id == "TENNIS"


async def test_release_burst_tries_only_courts_of_the_rule_sport(world: World) -> None:
    add_mixed_club(world)
    await world.client.login()
    club = await world.client.get_club(MIXED)
    rule = tennis_rule()
    instant = world.fake.release_in(MIXED, seconds=0.05)
    target = instant.astimezone(MADRID).date() + timedelta(days=14)
    attempt = PlannedAttempt(release_at=instant, target_date=target, rule_id=rule.rule_id)
    assert {slot.resource_id for slot in build_candidates(rule, club, target)} == set(TENNIS_IDS)
    await world.engine.prepare(rule, club, instant, measure_clock=False)
    world.fake.clear_requests()

    result = await world.engine.run_release(attempt, rule, club, payment_policy=POLICY)

    assert result.outcome is Outcome.BOOKED
    assert result.resource_id in TENNIS_IDS
    creates = [r for r in world.fake.requests if r.path == "/v1/payment_intents"]
    assert creates
    for create in creates:
        item = create.json["cart"]["requested_item"]["cart_item_data"]
        assert item["resource_id"] in TENNIS_IDS
    assert booked_resources(world) == [result.resource_id]


def test_an_own_match_of_another_sport_does_not_cover_the_rule() -> None:
    """A padel match the same evening is no tennis booking: the tennis rule still books."""
    rule = tennis_rule()
    start = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)  # 19:00 in Madrid
    padel = Match(
        match_id="m1",
        start=start,
        end=start + timedelta(minutes=90),
        status="CONFIRMED",
        sport_id="PADEL",
        tenant_id=MIXED,
    )
    day = start.astimezone(MADRID).date()
    assert covering_match(rule, day, [padel]) is None
    tennis = replace(padel, sport_id="TENNIS")
    assert covering_match(rule, day, [padel, tennis]) is tennis
