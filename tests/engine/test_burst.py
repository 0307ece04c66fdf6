"""Each path of the release burst against the fake server over loopback."""

from __future__ import annotations

from datetime import date, time, timedelta
import itertools

import pytest

from custom_components.playtomic.api import BookingTarget, PlaytomicClient
from custom_components.playtomic.engine import (
    AttemptResult,
    BookingEngine,
    BurstPolicy,
    Outcome,
    PlannedAttempt,
)
from tests.engine.conftest import (
    COURT_IDS,
    CREATE,
    EMAIL,
    PASSWORD,
    POLICY,
    TENANT,
    USER_ID,
    World,
    clock_known,
    confirms,
    creates,
    make_rule,
    narrow_estimate,
    own_matches,
    patches,
    ready,
    release_soon,
    run,
    slot_start,
    tried,
)


async def test_books_the_top_candidate_at_the_release(world: World) -> None:
    rule, club, attempt = await ready(world)
    progress: list[tuple[str, ...]] = []
    result = await run(world, rule, club, attempt, on_progress=progress.append)

    assert result.outcome is Outcome.BOOKED
    assert result.resource_id == COURT_IDS[0]
    assert result.court_name == "Pista 1"
    assert result.local_start is not None
    assert result.local_start.time() == time(19, 0)
    assert result.target_date == attempt.target_date
    assert result.duration == 90
    assert result.price == "36 EUR"
    assert result.match_id == own_matches(world)[0].match_id  # type: ignore[attr-defined]
    assert (result.attempts, result.requests_used) == (1, 3)
    assert result.fire_error_ms is not None
    assert result.fire_error_ms >= 0
    assert result.latency_ms is not None
    assert result.latency_ms > result.fire_error_ms
    assert result.release_at == attempt.release_at
    assert creates(world)[0].received_at >= attempt.release_at
    # on_progress saw the intent as soon as it existed, then the all-clear.
    assert progress == [(result.extra["payment_intent_id"],), ()]


async def test_taken_slot_falls_back_to_the_next_candidate(world: World) -> None:
    rule, club, attempt = await ready(world)
    top = slot_start(attempt.target_date, time(19, 0))
    world.fake.book_directly(TENANT, COURT_IDS[0], top, 90, owner_id="someone-else")

    clock_known(world)
    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED
    # Every start on court 1 overlaps the taken 19:00-20:30. Two early probes (court 1 at
    # 19:00 and 18:30); once the release is surely past, 19:00 again (conclusive: gone), which
    # demotes court 1's overlapping starts behind court 2, which is booked at 19:00.
    assert (result.resource_id, result.local_start.time()) == (COURT_IDS[1], time(19, 0))  # type: ignore[union-attr]
    assert tried(result) == ["409_early", "409_early", "409", "created", "booked"]
    assert result.attempts == 4
    assert len(own_matches(world)) == 1


async def test_competitor_wins_the_only_candidate_no_slot(world: World) -> None:
    rule = make_rule(courts=(COURT_IDS[0],), window_start=time(19, 0), window_end=time(20, 30))
    rule, club, attempt = await ready(world, rule)
    start = slot_start(attempt.target_date, time(19, 0))
    competitor = world.fake.add_competitor(TENANT, COURT_IDS[0], start, 90, delay=0.0)

    clock_known(world)
    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.NO_SLOT
    assert competitor.outcome == "booked"
    assert own_matches(world) == []
    assert result.match_id is None
    sent = [r.received_at for r in creates(world)]
    # One early (ambiguous) 409, one conclusive, then the bounded late-release retries.
    assert len(sent) == result.attempts == 7
    assert tried(result)[:2] == ["409_early", "409"]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(sent)]
    after_first_second = [
        gap
        for gap, at in zip(gaps, sent[1:], strict=True)
        if at > attempt.release_at + timedelta(seconds=1)
    ]
    assert all(gap >= 0.5 for gap in after_first_second)  # docs/playtomic-api.md §8 rule 4
    assert sent[-1] - attempt.release_at < timedelta(seconds=30)
    assert result.requests_used <= 20


@pytest.mark.parametrize("hold_seconds", [0])
async def test_competitor_confirming_after_us_loses(world: World) -> None:
    rule, club, attempt = await ready(world)
    start = slot_start(attempt.target_date, time(19, 0))
    competitor = world.fake.add_competitor(TENANT, COURT_IDS[0], start, 90, delay=0.3)

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED
    assert result.resource_id == COURT_IDS[0]
    world.timeline.jump_to(world.timeline.wall() + timedelta(seconds=1))
    assert len(world.fake.matches) == 1  # applies due competitors
    assert competitor.outcome == "lost"


async def test_hedging_confirms_exactly_one(world: World) -> None:
    rule, club, attempt = await ready(world)

    result = await run(world, rule, club, attempt, hedge=True)

    assert result.outcome is Outcome.BOOKED
    assert result.attempts == 2
    assert len(creates(world)) == 2
    assert len(patches(world)) == 1
    assert len(confirms(world)) == 1
    assert len(own_matches(world)) == 1
    assert len(result.extra["intent_ids"]) == 2
    other = next(i for i in result.extra["intent_ids"] if i != result.extra["payment_intent_id"])
    assert world.fake.intents[other].status == "REQUIRES_PAYMENT_METHOD"  # left unconfirmed


async def test_hedge_backup_is_confirmed_after_the_first_confirmation_loses(world: World) -> None:
    rule, club, attempt = await ready(world)
    world.fake.respond(
        "POST",
        r"/confirmation$",
        status=409,
        json={"status": "RESOURCE_NO_AVAILABLE", "localized_message": "taken"},
    )

    result = await run(world, rule, club, attempt, hedge=True)

    assert result.outcome is Outcome.BOOKED
    assert "lost_at_confirmation" in tried(result)
    # The hedge keeps two intents alive: a third create replaces the lost one.
    assert len(creates(world)) == 3
    assert len(confirms(world)) == 2  # one per intent, never twice for the same one
    assert len({r.path for r in confirms(world)}) == 2
    assert len(own_matches(world)) == 1
    assert result.local_start.time() == time(18, 30)  # type: ignore[union-attr]


async def test_payment_not_possible(world: World) -> None:
    world.fake.clubs[TENANT].payment_methods = ("CREDIT_CARD",)
    rule, club, attempt = await ready(world)

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.PAYMENT_NOT_POSSIBLE
    assert result.reason == "no_allowed_payment_method"
    assert result.extra["offered_methods"] == ["Card"]
    assert result.checkout_url is not None
    # docs/playtomic-api.md §11.5: "book it by hand" opens the club in the app at this exact slot.
    assert result.checkout_url.startswith(f"https://app.playtomic.io/tenant/{result.tenant_id}?")
    assert f"&resourceId={result.resource_id}" in result.checkout_url
    assert result.local_start is not None
    assert f"&startTime={result.local_start:%H:%M}" in result.checkout_url
    assert patches(world) == []
    assert confirms(world) == []
    assert own_matches(world) == []


async def test_unresolvable_confirmation_is_outcome_unknown_and_stops(world: World) -> None:
    rule, club, attempt = await ready(world)
    world.fake.drop_after_confirm()
    world.fake.fail("GET", r"^/v1/matches", status=500, count=None)
    world.fake.fail("GET", r"^/v1/payment_intents/", status=500, count=None)

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.OUTCOME_UNKNOWN
    assert result.reason == "confirmation_unconfirmed"
    assert result.checkout_url is not None
    # Booked on the server, and nothing else was tried: never a second booking.
    assert len(own_matches(world)) == 1
    assert len(creates(world)) == 1
    assert len(confirms(world)) == 1


async def test_token_expiry_during_the_burst_is_refreshed_and_replayed(world: World) -> None:
    rule, club, attempt = await ready(world)
    seen_before = len(world.tokens_seen)
    world.fake.expire_tokens()

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED
    paths = [(r.method, r.path, r.status) for r in world.fake.requests]
    assert paths[:3] == [
        ("POST", CREATE, 401),
        ("POST", "/v3/auth/token", 200),
        ("POST", CREATE, 200),
    ]
    assert len(world.tokens_seen) == seen_before + 1  # the rotated pair reached on_tokens


@pytest.mark.parametrize("access_ttl", [240])
async def test_the_pre_release_refresh_keeps_refreshes_out_of_the_burst(world: World) -> None:
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    world.timeline.jump_to(world.timeline.wall() + timedelta(seconds=120))  # 120 s of 240 left
    attempt = release_soon(world, 0.05)
    seen_before = len(world.tokens_seen)
    await world.engine.ensure_token_for(attempt.release_at)  # the scheduler, at PREPARE_LEAD
    assert len(world.tokens_seen) == seen_before + 1
    await world.engine.prepare(rule, club, attempt.release_at, measure_clock=False)
    assert len(world.tokens_seen) == seen_before + 1  # prepare does not refresh again
    world.fake.clear_requests()

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED
    assert not [r for r in world.fake.requests if r.path.startswith("/v3/auth/")]


async def test_prepare_measures_the_clock_and_warms_up(world: World) -> None:
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    release_at = world.timeline.wall() + timedelta(minutes=5)
    prep = await world.engine.prepare(rule, club, release_at)
    # It does not wait: the scheduler calls it at WARM_LEAD, on Home Assistant's timers.
    assert release_at - prep.prepared_at > timedelta(minutes=4)
    assert prep.clock is not None
    assert prep.clock.samples >= 1
    assert prep.covered_by is None
    assert len(prep.club.courts) == 4
    assert prep.errors == []
    assert prep.requests_used <= 13


async def test_restart_before_the_instant_still_fires_on_time(world: World) -> None:
    """A fresh client and engine (no tokens, no preparation) just before the release."""
    club = await world.club()  # logs the fixture's client in; the new one has nothing
    client = PlaytomicClient(
        world.session, EMAIL, PASSWORD, base_url=world.fake.url, now=world.timeline.wall
    )
    engine = BookingEngine(
        client,
        wall=world.timeline.wall,
        monotonic=world.timeline.monotonic,
        sleep=world.timeline.sleep,
    )
    rule = make_rule()
    attempt = release_soon(world, 0.2)
    world.fake.clear_requests()

    result = await engine.run_release(attempt, rule, club, payment_policy=POLICY)

    assert result.outcome is Outcome.BOOKED
    assert creates(world)[0].received_at >= attempt.release_at
    assert world.fake.requests[0].path == "/v3/auth/login"


async def test_resume_reconciles_a_booking_made_before_the_restart(world: World) -> None:
    rule, club, attempt = await ready(world)
    persisted: list[tuple[str, ...]] = []
    first = await run(world, rule, club, attempt, on_progress=persisted.append)
    assert first.outcome is Outcome.BOOKED
    in_flight = persisted[0]  # what the integration had stored when HA went down

    restarted = BookingEngine(
        world.client,
        wall=world.timeline.wall,
        monotonic=world.timeline.monotonic,
        sleep=world.timeline.sleep,
    )
    world.fake.clear_requests()
    result = await restarted.run_release(
        attempt, rule, club, payment_policy=POLICY, resume_intent_ids=in_flight
    )

    assert result.outcome is Outcome.BOOKED
    assert result.reason == "resumed_booked"
    assert result.match_id == first.match_id
    assert result.resource_id == first.resource_id
    assert creates(world) == []
    assert len(own_matches(world)) == 1


async def test_resume_with_an_unconfirmed_intent_fires_and_books_once(world: World) -> None:
    rule, club, attempt = await ready(world, lead=0.1)
    # Before the restart the previous run had created (not confirmed) an intent on another slot.
    target = BookingTarget(TENANT, COURT_IDS[1], slot_start(attempt.target_date, time(20, 0)), 90)
    world.timeline.jump_to(attempt.release_at + timedelta(milliseconds=5))
    stale = await world.client.create_payment_intent(target)

    result = await run(world, rule, club, attempt, resume_intent_ids=(stale.payment_intent_id,))

    assert result.outcome is Outcome.BOOKED
    assert result.reason is None
    assert len(own_matches(world)) == 1
    assert world.fake.intents[stale.payment_intent_id].status == "REQUIRES_PAYMENT_METHOD"
    assert result.extra["resumed_intents"] == [stale.payment_intent_id]


async def test_one_booking_per_rule_and_date(world: World) -> None:
    rule, club, attempt = await ready(world)
    first = await run(world, rule, club, attempt)
    assert first.outcome is Outcome.BOOKED
    world.fake.clear_requests()

    again = await run(world, rule, club, attempt)
    now = await world.engine.book_best(
        rule, club, target_date=attempt.target_date, payment_policy=POLICY
    )

    for result in (again, now):
        assert result.outcome is Outcome.BOOKED
        assert result.reason == "already_booked"
        assert result.match_id == first.match_id
    assert creates(world) == []
    assert len(own_matches(world, attempt.target_date)) == 1


async def test_own_booking_made_by_hand_skips_the_release(world: World) -> None:
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    attempt = release_soon(world, 0.05)
    mine = world.fake.book_directly(
        TENANT, COURT_IDS[3], slot_start(attempt.target_date, time(20, 0)), 60, owner_id=USER_ID
    )
    await world.engine.prepare(rule, club, attempt.release_at, measure_clock=False)
    world.fake.clear_requests()

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED
    assert result.reason == "already_booked"
    assert result.match_id == mine.match_id
    assert creates(world) == []


async def test_dry_run_release_holds_nothing(world: World) -> None:
    """A dry release creates no payment intent (it would hold the court); it ranks the listing."""
    rule, club, attempt = await ready(world)

    result = await run(world, rule, club, attempt, dry_run=True)

    assert result.outcome is Outcome.DRY_RUN
    assert result.succeeded
    assert result.target_date == attempt.target_date
    assert result.resource_id is not None
    assert result.extra["payment_category"] == "at_club"
    assert result.extra["payment_forecast"] is True
    assert creates(world) == []
    assert patches(world) == []
    assert confirms(world) == []
    assert own_matches(world) == []
    listings = [r for r in world.fake.requests if "availability" in r.path]
    assert listings
    assert all(r.received_at >= attempt.release_at for r in listings)


async def test_request_budget_bounds_a_hopeless_burst(world: World) -> None:
    rule, club, attempt = await ready(world)
    world.fake.respond(
        "POST",
        r"^/v1/payment_intents$",
        status=409,
        json={"status": "RESOURCE_NO_AVAILABLE", "localized_message": "no"},
        count=None,
    )

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.NO_SLOT
    assert result.requests_used <= 20
    assert len(world.fake.requests) <= 20


async def test_a_release_long_past_is_missed_without_requests(world: World) -> None:
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    past = world.timeline.wall() - timedelta(minutes=5)
    attempt = PlannedAttempt(release_at=past, target_date=date(2026, 12, 1), rule_id="rule-1")
    world.fake.clear_requests()

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.MISSED
    assert result.reason == "burst_window_passed"
    assert world.fake.requests == []


def test_missed_helper_reports_once_with_the_instant() -> None:
    from custom_components.playtomic.engine import missed_result

    rule = make_rule()
    attempt = PlannedAttempt(
        release_at=slot_start(date(2026, 2, 2), time(8, 30)),
        target_date=date(2026, 2, 16),
        rule_id="rule-1",
    )
    result = missed_result(attempt, rule)
    assert result.outcome is Outcome.MISSED
    assert result.reason == "home_assistant_down"
    assert (result.release_at, result.target_date) == (attempt.release_at, attempt.target_date)
    assert result.requests_used == 0
    assert AttemptResult.from_dict(result.as_dict()) == result


@pytest.mark.parametrize(
    ("status", "code"), [(422, "RESOURCE_NO_AVAILABLE"), (400, "RESERVATION_NOT_PROCESSABLE")]
)
async def test_pre_release_422s_and_400s_are_retried_like_409s(
    world: World, status: int, code: str
) -> None:
    """docs/playtomic-api.md §11.2: "not available" may come as a 422 or a 400 carrying its code. The burst
    treats it exactly as a 409 (never as a failure) and books right after the instant.

    Which candidates the two refusals hit depends on timing (a loaded host may send them after
    the settle time, when they count as conclusive), so only what a 409 guarantees is asserted.
    """
    rule, club, attempt = await ready(world)
    world.fake.respond(
        "POST",
        r"^/v1/payment_intents$",
        status=status,
        json={"status": code, "localized_message": "not yet"},
        count=2,
    )

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED
    assert set(tried(result)[:2]) <= {"409", "409_early"}
    assert tried(result)[2:] == ["created", "booked"]
    sent = creates(world)
    assert [r.status for r in sent] == [status, status, 200]
    assert sent[2].received_at >= attempt.release_at
    assert result.match_id == own_matches(world)[0].match_id  # type: ignore[attr-defined]


SKEW = timedelta(milliseconds=-30)


@pytest.mark.parametrize("server_skew", [SKEW])
async def test_a_small_skew_is_bracketed_and_never_fired_early_on_a_narrow_estimate(
    world: World,
) -> None:
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    clock = await world.engine.measure_clock()
    # The measured interval always holds the true offset; how narrow it is depends on the host's
    # load (precision is bench/'s business), so the firing below uses an estimate that resolves
    # the 30 ms, as prepare() measures on a quiet host.
    assert clock.low <= SKEW <= clock.high
    world.engine.set_clock(narrow_estimate(world, around=SKEW))
    attempt = release_soon(world, 0.1)
    await world.engine.prepare(rule, club, attempt.release_at)
    world.fake.clear_requests()

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED
    assert creates(world)[0].received_at >= attempt.release_at
    assert tried(result)[0] == "created"


async def test_prepare_shortly_before_the_instant_skips_the_clock_measurement(
    world: World,
) -> None:
    """After a restart a few seconds before the release there is no time for ~10 probes."""
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    release_at = world.timeline.wall() + timedelta(seconds=5)
    world.fake.clear_requests()
    prep = await world.engine.prepare(rule, club, release_at)
    assert prep.clock is None
    assert not [r for r in world.fake.requests if r.path == "/v2/users/me"]
    assert world.timeline.wall() < release_at


@pytest.mark.parametrize(
    "server_skew",
    [timedelta(seconds=-0.3), timedelta(seconds=-2), timedelta(seconds=-5)],
    ids=["host-0.3s-fast", "host-2s-fast", "host-5s-fast"],
)
async def test_fast_host_clock_without_an_estimate_still_books_after_the_release(
    world: World, server_skew: timedelta
) -> None:
    """No clock estimate (a failed probe, a restart just before the release) and a host clock
    that runs fast: the burst fires seconds before the server's release and every answer is
    "not available". It must keep enough of its budget to book right after the real instant
    instead of taking the early answers for a sold-out club."""
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    # The club releases at this instant on the server's clock; the host reaches it first.
    release_at = world.timeline.wall() + timedelta(seconds=0.05)
    world.fake.release_at(TENANT, release_at)
    target = release_at.astimezone(rule.zone).date() + timedelta(days=14)
    attempt = PlannedAttempt(release_at=release_at, target_date=target, rule_id="rule-1")
    await world.engine.prepare(rule, club, release_at, measure_clock=False)
    world.fake.clear_requests()

    result = await run(world, rule, club, attempt)

    assert result.outcome is Outcome.BOOKED, result.reason
    # The rule's first choice, on the date that opened, by one of our own creates.
    assert (result.resource_id, result.local_start.time()) == (COURT_IDS[0], time(19, 0))  # type: ignore[union-attr]
    assert len(own_matches(world, target)) == 1
    early = [r for r in creates(world) if r.status != 200]
    booked = [r for r in creates(world) if r.status == 200]
    assert early
    assert all(r.received_at < release_at for r in early)
    assert len(booked) == 1
    assert booked[0].received_at >= release_at
    assert set(tried(result)[:-2]) == {"409_early"}
    assert len(world.fake.requests) <= BurstPolicy().max_requests
