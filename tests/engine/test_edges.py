"""Less travelled paths: candidate grid, PATCH retries, payment actions, hard failures."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.api import Club, Court
from custom_components.playtomic.engine import Outcome, build_candidates
from tests.engine.conftest import (
    MADRID,
    TENANT,
    World,
    confirms,
    make_rule,
    patches,
    ready,
    run,
    tried,
)


def _club(*courts: Court) -> Club:
    return Club(tenant_id=TENANT, name="Norte", zone=MADRID, courts=courts)


def test_candidate_grid_respects_courts_type_durations_and_window() -> None:
    club = _club(
        Court("in-90", "Indoor", indoor=True, durations=(60, 90)),
        Court("in-60", "Indoor short", indoor=True, durations=(60,)),
        Court("out", "Outdoor", indoor=False, durations=(90,)),
        Court("off", "Inactive", indoor=True, is_active=False, durations=(90,)),
        Court("any", "No settings", indoor=None),
    )
    day = date(2026, 2, 20)
    indoor = build_candidates(make_rule(courts=(), court_type="indoor"), club, day)
    assert {s.resource_id for s in indoor} == {"in-90"}  # unknown type fits only "any"
    outdoor = build_candidates(make_rule(courts=(), court_type="outdoor"), club, day)
    assert {s.resource_id for s in outdoor} == {"out"}
    anything = build_candidates(make_rule(courts=()), club, day)
    assert {s.resource_id for s in anything} == {"in-90", "out", "any"}
    listed = build_candidates(make_rule(courts=("out", "in-90")), club, day)
    assert [s.resource_id for s in listed][:1] == ["out"]  # court preference first
    # Window 18:00-21:30, 90 min, step 30: starts 18:00 .. 20:00; preferred 19:00 first.
    starts = [s.local_start(MADRID).time() for s in listed if s.resource_id == "out"]
    assert starts[0] == time(19, 0)
    assert sorted(starts) == [time(18, 0), time(18, 30), time(19, 0), time(19, 30), time(20, 0)]
    assert len(build_candidates(make_rule(courts=()), club, day, limit=3)) == 3


def test_off_grid_preferred_start_is_added_and_other_zones_convert() -> None:
    club = Club(
        tenant_id=TENANT,
        name="NY",
        zone=ZoneInfo("America/New_York"),
        courts=(Court("c", "C", durations=(60,)),),
    )
    rule = make_rule(
        zone=ZoneInfo("America/New_York"),
        courts=(),
        duration=60,
        preferred_start=time(18, 45),
        window_start=time(18, 0),
        window_end=time(20, 0),
    )
    slots = build_candidates(rule, club, date(2026, 7, 1))
    assert slots[0].local_start(club.zone).time() == time(18, 45)
    assert slots[0].start.hour == 22  # EDT, UTC-4


async def test_patch_server_error_is_retried_once_then_books(world: World) -> None:
    rule, club, attempt = await ready(world)
    world.fake.fail("PATCH", r"^/v1/payment_intents/", status=500)
    result = await run(world, rule, club, attempt)
    assert result.outcome is Outcome.BOOKED
    assert len(patches(world)) == 2
    assert len(confirms(world)) == 1


async def test_payment_action_required_at_patch_is_not_possible_with_link(world: World) -> None:
    rule, club, attempt = await ready(world)
    world.fake.respond(
        "PATCH",
        r"^/v1/payment_intents/",
        json={"payment_intent_id": "x", "status": "PENDING", "next_payment_action": "OPEN_STRIPE"},
    )
    result = await run(world, rule, club, attempt)
    assert result.outcome is Outcome.PAYMENT_NOT_POSSIBLE
    assert result.reason == "payment_action_required"
    assert result.checkout_url is not None
    assert confirms(world) == []


async def test_edge_block_in_the_burst_fails_at_once(world: World) -> None:
    rule, club, attempt = await ready(world)
    world.fake.edge_block()
    result = await run(world, rule, club, attempt)
    assert result.outcome is Outcome.FAILED
    assert result.reason == "edge_blocked"
    assert tried(result) == ["edge_blocked"]


async def test_a_bug_still_ends_in_one_failed_outcome(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule, club, attempt = await ready(world)

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(world.client, "create_payment_intent", broken)
    progress: list[tuple[str, ...]] = []
    result = await run(world, rule, club, attempt, on_progress=progress.append)
    assert result.outcome is Outcome.FAILED
    assert result.reason == "internal_error"
    assert progress == [()]


async def test_run_without_prepare_resolves_courts_and_unreadable_resume_ids(world: World) -> None:
    await world.client.login()
    bare = await world.club()
    club = Club(tenant_id=bare.tenant_id, name=bare.name, zone=bare.zone)  # no courts known
    rule = make_rule()
    from tests.engine.conftest import release_soon

    attempt = release_soon(world, 0.1)
    result = await world.engine.run_release(
        attempt, rule, club, payment_policy=("at_club",), resume_intent_ids=("no-such-intent",)
    )
    assert result.outcome is Outcome.BOOKED
    assert result.court_name == "Pista 1"
    assert result.extra["resumed_intents"] == ["no-such-intent"]
