"""Competitors: scripted and seeded-random bookings at release + delay (docs/playtomic-api.md §7)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from tests.fake_playtomic import DailyDrop, FakeClock, FakeClub, FakePlaytomic

from .conftest import Player

# 17 March opens on 3 March at 08:30 Madrid = 07:30 UTC.
START = "2026-03-17T17:30:00"
START_UTC = datetime(2026, 3, 17, 17, 30, tzinfo=UTC)
RELEASE = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
WINDOW = ("2026-03-17T17:00:00", "2026-03-17T18:00:00")


def _listed(body: list[dict[str, object]], resource_id: str) -> bool:
    return any(
        e["resource_id"] == resource_id and any(s["start_time"] == "17:30:00" for s in e["slots"])  # type: ignore[attr-defined]
        for e in body
    )


async def test_competitor_takes_the_slot_at_release_plus_delay(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    competitor = fake.add_competitor(club.tenant_id, court, START_UTC, 90, delay=1.5)
    clock.set(RELEASE + timedelta(seconds=1.4))
    await alice.login()
    assert _listed((await alice.availability(club, *WINDOW)).body, court)
    assert not competitor.done
    clock.set(RELEASE + timedelta(seconds=1.5))
    assert not _listed((await alice.availability(club, *WINDOW)).body, court)
    assert competitor.outcome == "booked"
    [match] = fake.matches
    assert (match.owner_id, match.start, match.duration) == (competitor.owner_id, START_UTC, 90)
    lost = await alice.create_intent(club, court, START)
    assert lost.status == 409


async def test_we_beat_the_competitor(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    competitor = fake.add_competitor(club.tenant_id, court, START_UTC, 90, delay=1.0)
    clock.set(RELEASE)
    await alice.login()
    assert (await alice.book(club, court, START)).body["status"] == "SUCCEEDED"
    clock.advance(5)
    assert [m.owner_id for m in fake.matches] == ["1001"]
    assert competitor.outcome == "lost"


async def test_a_live_hold_stops_the_competitor(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    fake.add_competitor(club.tenant_id, court, START_UTC, 90, delay=0.3)
    clock.set(RELEASE)
    await alice.login()
    created = await alice.create_intent(club, court, START)
    intent_id = created.body["payment_intent_id"]
    clock.advance(10)
    await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": "CASH"}
    )
    confirmed = await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation")
    assert confirmed.body["status"] == "SUCCEEDED"


async def test_without_holds_the_competitor_confirms_first(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    fake.hold_seconds = 0
    court = club.courts[0].resource_id
    fake.add_competitor(club.tenant_id, court, START_UTC, 90, delay=0.3)
    clock.set(RELEASE)
    await alice.login()
    created = await alice.create_intent(club, court, START)
    intent_id = created.body["payment_intent_id"]
    await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": "CASH"}
    )
    clock.advance(0.5)
    lost = await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation")
    assert lost.status == 409


async def test_events_apply_in_due_order_and_on_inspection(
    clock: FakeClock, fake: FakePlaytomic, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    slow = fake.add_competitor(club.tenant_id, court, START_UTC, 90, delay=2.0, owner_id="slow")
    fast = fake.add_competitor(
        club.tenant_id, court, START_UTC + timedelta(minutes=30), 60, delay=1.0, owner_id="fast"
    )
    clock.set(RELEASE + timedelta(seconds=10))
    # No request at all: reading the state applies what is due.
    assert [m.owner_id for m in fake.matches] == ["fast"]
    assert (slow.outcome, fast.outcome) == ("lost", "booked")


async def test_due_time_follows_a_later_release_change(
    clock: FakeClock, fake: FakePlaytomic, club: FakeClub
) -> None:
    # Scripted for 17 March (opens tomorrow), then the club switches to a 15-day drop at
    # 09:00:05 Madrid, 5 s from now.
    competitor = fake.add_competitor(
        club.tenant_id, club.courts[0].resource_id, START_UTC, 90, delay=0.5
    )
    fake.set_release(club.tenant_id, DailyDrop(days_ahead=15, time=time(9, 0, 5)))
    instant = clock.now() + timedelta(seconds=5)
    assert club.release_instant(START_UTC) == instant
    clock.set(instant + timedelta(seconds=0.4))
    assert not fake.matches
    assert competitor.done is False
    clock.set(instant + timedelta(seconds=0.5))
    assert [m.owner_id for m in fake.matches] == [competitor.owner_id]


async def test_release_in_opens_the_next_day_at_the_instant(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    instant = fake.release_in(club.tenant_id, 5)
    court = club.courts[0].resource_id
    # The drop at now + 5 s opens club-local 16 March (+14 days).
    fake.add_competitor(
        club.tenant_id, court, datetime(2026, 3, 16, 17, 30, tzinfo=UTC), 90, delay=1.0
    )
    window = ("2026-03-16T17:00:00", "2026-03-16T18:00:00")
    clock.set(instant - timedelta(seconds=1))
    assert all(not e["slots"] for e in (await alice.availability(club, *window)).body)
    clock.set(instant)
    assert _listed((await alice.availability(club, *window)).body, court)
    clock.advance(1)
    assert not _listed((await alice.availability(club, *window)).body, court)


async def test_random_competitors_are_seeded(
    clock: FakeClock, fake: FakePlaytomic, club: FakeClub
) -> None:
    rule = fake.add_random_competitors(club.tenant_id, 0.5, (1.0, 30.0), seed=7)
    clock.set(RELEASE + timedelta(minutes=1))
    matches = fake.matches  # inspecting the state applies due events
    taken = sorted(rule.taken)
    assert taken
    assert all("2026-03-17" in key or "2026-03-16T23" in key for key in taken)
    assert len(matches) == len(taken)
    assert all(m.owner_id.startswith("competitor-") for m in matches)

    twin = FakePlaytomic(clock=FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)))
    twin_club = twin.add_club(club.name, tenant_id=club.tenant_id, courts=[], release=club.release)
    twin_club.courts = club.courts
    twin_rule = twin.add_random_competitors(club.tenant_id, 0.5, (1.0, 30.0), seed=7)
    twin.clock.set(RELEASE + timedelta(minutes=1))
    twin.state.apply_competitors()
    assert sorted(twin_rule.taken) == taken
