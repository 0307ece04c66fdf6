"""Availability: shape, release instants, DST, taken/held/started slots, parameters (docs/playtomic-api.md §4, §7)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.fake_playtomic import CourtSpec, DailyDrop, FakeClock, FakeClub, FakePlaytomic, Rolling

from .conftest import Player

# Club-local Monday 16 March 2026 in Madrid (CET) as a naive-UTC window.
MAR16 = ("2026-03-15T23:00:00", "2026-03-16T22:59:59")


def starts(body: list[dict[str, Any]], resource_id: str, duration: int | None = None) -> list[str]:
    """``YYYY-MM-DDTHH:MM:SS`` UTC starts of one court (optionally one duration)."""
    return [
        f"{element['start_date']}T{slot['start_time']}"
        for element in body
        if element["resource_id"] == resource_id
        for slot in element["slots"]
        if duration is None or slot["duration"] == duration
    ]


async def test_shape_one_element_per_court_per_utc_date(alice: Player, club: FakeClub) -> None:
    reply = await alice.availability(club, *MAR16)
    assert reply.status == 200
    keys = [(e["resource_id"], e["start_date"]) for e in reply.body]
    court1, court2 = (c.resource_id for c in club.courts)
    assert sorted(keys) == sorted(
        [
            (court1, "2026-03-15"),
            (court2, "2026-03-15"),
            (court1, "2026-03-16"),
            (court2, "2026-03-16"),
        ]
    )
    # The club opens at 08:00 Madrid = 07:00 UTC, so the 15th UTC part is empty.
    assert all(e["slots"] == [] for e in reply.body if e["start_date"] == "2026-03-15")
    first = starts(reply.body, court1)
    assert first[0] == "2026-03-16T07:00:00"
    slots = next(
        e for e in reply.body if e["resource_id"] == court1 and e["start_date"] == "2026-03-16"
    )["slots"]
    assert slots[:3] == [
        {"start_time": "07:00:00", "duration": 60, "price": "24 EUR"},
        {"start_time": "07:00:00", "duration": 90, "price": "36 EUR"},
        {"start_time": "07:00:00", "duration": 120, "price": "48 EUR"},
    ]
    # Closing 23:00 Madrid = 22:00 UTC: the last 90-minute start is 20:30 UTC.
    assert starts(reply.body, court1, 90)[-1] == "2026-03-16T20:30:00"
    assert starts(reply.body, court2, 120) == []


async def test_slot_appears_exactly_at_the_release_instant(
    clock: FakeClock, alice: Player, club: FakeClub
) -> None:
    # 16 March opens on 2 March at 08:30 Madrid = 07:30 UTC.
    release = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert club.release_instant(datetime(2026, 3, 16, 17, 30, tzinfo=UTC)) == release
    clock.set(release - timedelta(seconds=1))
    before = await alice.availability(club, *MAR16)
    assert all(e["slots"] == [] for e in before.body)
    early = await alice.create_intent(club, club.courts[0].resource_id, "2026-03-16T17:30:00")
    assert early.status == 409
    assert early.body["status"] == "RESOURCE_NO_AVAILABLE"
    clock.set(release)
    after = await alice.availability(club, *MAR16)
    assert "2026-03-16T17:30:00" in starts(after.body, club.courts[0].resource_id, 90)
    on_time = await alice.create_intent(club, club.courts[0].resource_id, "2026-03-16T17:30:00")
    assert on_time.status == 200


async def test_rolling_release(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    fake.set_release(club.tenant_id, Rolling(minutes=2880))
    start = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)
    assert club.release_instant(start) == start - timedelta(minutes=2880)
    window = ("2026-03-04T17:00:00", "2026-03-04T18:00:00")
    clock.set(start - timedelta(minutes=2880, seconds=1))
    await alice.login()  # tokens from T0 have expired
    assert "2026-03-04T17:30:00" not in starts(
        (await alice.availability(club, *window)).body, club.courts[0].resource_id
    )
    clock.set(start - timedelta(minutes=2880))
    await alice.login()  # tokens from T0 have expired
    assert "2026-03-04T17:30:00" in starts(
        (await alice.availability(club, *window)).body, club.courts[0].resource_id
    )


async def test_members_see_extra_days(
    fake: FakePlaytomic, alice: Player, bob: Player, club: FakeClub
) -> None:
    fake.set_release(club.tenant_id, club.release, member_extra_days={"1001": 2})
    window = ("2026-03-17T23:00:00", "2026-03-18T22:59:59")  # 18 March, 16 days ahead
    court = club.courts[0].resource_id
    assert starts((await alice.availability(club, *window)).body, court)
    assert starts((await bob.availability(club, *window)).body, court) == []
    assert (await bob.create_intent(club, court, "2026-03-18T17:30:00")).status == 409
    assert (await alice.create_intent(club, court, "2026-03-18T17:30:00")).status == 200


async def test_local_parameters_are_club_local(alice: Player, club: FakeClub) -> None:
    reply = await alice.get(
        "/v1/availability",
        tenant_id=club.tenant_id,
        local_start_min="2026-03-16T00:00:00",
        local_start_max="2026-03-16T23:59:59",
    )
    assert reply.status == 200
    utc = await alice.availability(club, *MAR16)
    assert reply.body == utc.body


@pytest.mark.parametrize(
    "params",
    [
        {"start_min": "2026-03-15T00:00:00", "start_max": "2026-03-16T01:00:01"},
        {"start_min": "2026-03-16T10:00:00", "start_max": "2026-03-16T09:59:59"},
        {"start_min": "2026-03-16T10:00:00"},
        {"start_min": "tomorrow", "start_max": "2026-03-16T23:00:00"},
        {"local_start_min": "2026-03-16T00:00:00", "local_start_max": "2026-03-17T01:00:01"},
    ],
)
async def test_bad_windows_are_400(alice: Player, club: FakeClub, params: dict[str, str]) -> None:
    reply = await alice.get("/v1/availability", tenant_id=club.tenant_id, **params)
    assert reply.status == 400
    assert reply.body["status"] == "INCORRECT_PARAMETERS"
    assert reply.body["localized_message"]


async def test_missing_tenant_is_400_and_unknown_or_other_sport_is_empty(
    alice: Player, club: FakeClub
) -> None:
    missing = await alice.get("/v1/availability", start_min=MAR16[0], start_max=MAR16[1])
    assert missing.status == 400
    unknown = await alice.get(
        "/v1/availability", tenant_id="nope", start_min=MAR16[0], start_max=MAR16[1]
    )
    assert unknown.body == []
    tennis = await alice.get(
        "/v1/availability",
        tenant_id=club.tenant_id,
        sport_id="TENNIS",
        start_min=MAR16[0],
        start_max=MAR16[1],
    )
    assert tennis.body == []


async def test_sport_id_lists_only_the_courts_of_that_sport(
    fake: FakePlaytomic, alice: Player
) -> None:
    mixed = fake.add_club(
        "Raqueta Mixta",
        courts=[CourtSpec("Pista 1"), CourtSpec("Tenis 1", sport="TENNIS")],
        release=DailyDrop(days_ahead=30, time=time(8, 30)),
    )
    padel, tennis = (court.resource_id for court in mixed.courts)

    async def listed(**sport: str) -> set[str]:
        reply = await alice.get(
            "/v1/availability",
            tenant_id=mixed.tenant_id,
            start_min=MAR16[0],
            start_max=MAR16[1],
            **sport,
        )
        assert reply.status == 200
        assert all(e["slots"] for e in reply.body if e["start_date"] == "2026-03-16")
        return {e["resource_id"] for e in reply.body}

    assert await listed(sport_id="TENNIS") == {tennis}
    assert await listed(sport_id="padel") == {padel}
    assert await listed(sport_id="SQUASH") == set()
    assert await listed() == {padel, tennis}


async def test_exactly_25_hours_is_allowed(alice: Player, club: FakeClub) -> None:
    reply = await alice.availability(club, "2026-03-15T23:00:00", "2026-03-17T00:00:00")
    assert reply.status == 200


async def test_several_tenants_in_one_request(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    other = fake.add_club("Other", courts=1)
    reply = await alice.get(
        "/v1/availability",
        tenant_id=f"{club.tenant_id},{other.tenant_id}",
        start_min=MAR16[0],
        start_max=MAR16[1],
    )
    ids = {e["resource_id"] for e in reply.body}
    assert ids == {c.resource_id for c in club.courts} | {other.courts[0].resource_id}


async def test_taken_slots_leave_availability(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    fake.book_directly(
        club.tenant_id, court, datetime(2026, 3, 16, 17, 30, tzinfo=UTC), 90, "someone"
    )
    body = (await alice.availability(club, *MAR16)).body
    assert "2026-03-16T17:30:00" not in starts(body, court)
    assert "2026-03-16T17:00:00" not in starts(body, court, 60)  # overlaps 17:30-19:00
    assert "2026-03-16T16:30:00" in starts(body, court, 60)  # ends as the match starts
    assert "2026-03-16T16:30:00" not in starts(body, court, 90)
    assert "2026-03-16T19:00:00" in starts(body, court, 60)
    assert "2026-03-16T17:30:00" in starts(body, club.courts[1].resource_id)
    assert (await alice.create_intent(club, court, "2026-03-16T17:00:00", 60)).status == 409


async def test_cancelled_match_frees_the_slot(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    match = fake.book_directly(
        club.tenant_id, court, datetime(2026, 3, 16, 17, 30, tzinfo=UTC), 90, "1001"
    )
    assert (
        await alice.call("POST", f"/v1/matches/{match.match_id}/cancellation", json={})
    ).status == 200
    assert "2026-03-16T17:30:00" in starts((await alice.availability(club, *MAR16)).body, court)


async def test_started_slots_are_left_out(clock: FakeClock, alice: Player, club: FakeClub) -> None:
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    await alice.login()  # tokens from T0 have expired
    body = (await alice.availability(club, "2026-03-01T23:00:00", "2026-03-02T22:59:59")).body
    court = club.courts[0].resource_id
    assert "2026-03-02T10:00:00" not in starts(body, court)
    assert starts(body, court)[0] == "2026-03-02T10:30:00"


async def test_held_slot_is_hidden_from_others_only(
    alice: Player, bob: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    assert (await bob.create_intent(club, court, "2026-03-16T17:30:00")).status == 200
    assert "2026-03-16T17:30:00" not in starts((await alice.availability(club, *MAR16)).body, court)
    assert "2026-03-16T17:30:00" in starts((await bob.availability(club, *MAR16)).body, court)


async def test_evening_prices_are_deterministic(fake: FakePlaytomic, alice: Player) -> None:
    club = fake.add_club(
        "Evening Club",
        courts=[CourtSpec("A", durations=(90,))],
        price_per_hour=Decimal(24),
        evening_price_per_hour=Decimal("25.5555"),
    )
    body = (await alice.availability(club, *MAR16)).body
    slots = {s["start_time"]: s["price"] for e in body for s in e["slots"]}
    assert slots["16:30:00"] == "36 EUR"  # 17:30 Madrid
    assert slots["17:00:00"] == "38.33 EUR"  # 18:00 Madrid: evening rate


# DST in Madrid: clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026.


async def test_spring_forward_day_opens_an_hour_earlier_in_utc(
    clock: FakeClock, alice: Player, club: FakeClub
) -> None:
    clock.set(datetime(2026, 3, 20, tzinfo=UTC))
    await alice.login()  # tokens from T0 have expired
    court = club.courts[0].resource_id
    saturday = (await alice.availability(club, "2026-03-27T23:00:00", "2026-03-28T22:59:59")).body
    sunday = (await alice.availability(club, "2026-03-28T23:00:00", "2026-03-29T21:59:59")).body
    assert starts(saturday, court)[0] == "2026-03-28T07:00:00"  # 08:00 CET
    assert starts(sunday, court)[0] == "2026-03-29T06:00:00"  # 08:00 CEST
    assert starts(sunday, court, 60)[-1] == "2026-03-29T20:00:00"  # ends 23:00 CEST


async def test_daily_drop_follows_the_zone_across_spring_forward(
    clock: FakeClock, alice: Player, club: FakeClub
) -> None:
    # 12 April opens on Sunday 29 March at 08:30 CEST = 06:30 UTC (the day before: 07:30 UTC).
    assert club.release_instant(datetime(2026, 4, 11, 17, 0, tzinfo=UTC)) == datetime(
        2026, 3, 28, 7, 30, tzinfo=UTC
    )
    assert club.release_instant(datetime(2026, 4, 12, 17, 0, tzinfo=UTC)) == datetime(
        2026, 3, 29, 6, 30, tzinfo=UTC
    )
    window = ("2026-04-11T22:00:00", "2026-04-12T21:59:59")
    court = club.courts[0].resource_id
    clock.set(datetime(2026, 3, 29, 6, 29, 59, tzinfo=UTC))
    await alice.login()  # tokens from T0 have expired
    assert starts((await alice.availability(club, *window)).body, court) == []
    clock.set(datetime(2026, 3, 29, 6, 30, tzinfo=UTC))
    await alice.login()  # tokens from T0 have expired
    assert starts((await alice.availability(club, *window)).body, court)[0] == "2026-04-12T06:00:00"


async def test_fall_back_day_window_of_almost_25_hours(
    clock: FakeClock, alice: Player, club: FakeClub
) -> None:
    clock.set(datetime(2026, 10, 15, tzinfo=UTC))
    await alice.login()  # tokens from T0 have expired
    court = club.courts[0].resource_id
    # Local 25 October 00:00 CEST .. 23:59:59 CET = 24 h 59 min 59 s.
    reply = await alice.availability(club, "2026-10-24T22:00:00", "2026-10-25T22:59:59")
    assert reply.status == 200
    assert starts(reply.body, court)[0] == "2026-10-25T07:00:00"  # 08:00 CET
    assert starts(reply.body, court, 60)[-1] == "2026-10-25T21:00:00"  # ends 23:00 CET
    saturday = await alice.availability(club, "2026-10-23T22:00:00", "2026-10-24T21:59:59")
    assert starts(saturday.body, court)[0] == "2026-10-24T06:00:00"  # 08:00 CEST
    assert club.release_instant(datetime(2026, 11, 8, 12, 0, tzinfo=UTC)) == datetime(
        2026, 10, 25, 7, 30, tzinfo=UTC
    )
    assert club.release_instant(datetime(2026, 11, 7, 12, 0, tzinfo=UTC)) == datetime(
        2026, 10, 24, 6, 30, tzinfo=UTC
    )


async def test_round_the_clock_club_has_a_23_hour_day(
    clock: FakeClock, fake: FakePlaytomic, alice: Player
) -> None:
    club = fake.add_club(
        "Always Open",
        courts=[CourtSpec("A", durations=(60,))],
        opening=(time(0, 0), time(0, 0)),
        release=DailyDrop(days_ahead=1, time=time(0, 0)),
    )
    clock.set(datetime(2026, 3, 28, 23, 30, tzinfo=UTC))  # 00:30 local on the 29th
    await alice.login()  # tokens from T0 have expired
    body = (await alice.availability(club, "2026-03-29T00:00:00", "2026-03-29T21:59:59")).body
    got = starts(body, club.courts[0].resource_id)
    # From 01:00 CET (00:00Z) to 23:00 CEST (21:00Z): a half-hourly grid without gaps or repeats.
    assert got[0] == "2026-03-29T00:00:00"
    assert got[-1] == "2026-03-29T21:00:00"
    assert len(got) == len(set(got)) == 43


async def test_listing_agrees_with_intent_creation(
    fake: FakePlaytomic, alice: Player, bob: Player, club: FakeClub
) -> None:
    """Every listed slot can be booked and every unlisted grid slot is refused (same rules)."""
    court1, court2 = (c.resource_id for c in club.courts)
    fake.book_directly(club.tenant_id, court1, datetime(2026, 3, 16, 10, 0, tzinfo=UTC), 90, "x")
    assert (await bob.create_intent(club, court2, "2026-03-16T12:00:00", 60)).status == 200
    body = (await alice.availability(club, *MAR16)).body
    listed = {
        (e["resource_id"], f"{e['start_date']}T{s['start_time']}", s["duration"])
        for e in body
        for s in e["slots"]
    }
    checked = 0
    for court in club.courts:
        for start, _closes in club.slot_grid(datetime(2026, 3, 16).date()):
            for duration in court.durations:
                key = (court.resource_id, start.strftime("%Y-%m-%dT%H:%M:%S"), duration)
                blocked = fake.state.blocker(club, court.resource_id, start, duration, "1001")
                assert (blocked is None) == (key in listed), key
                checked += 1
    assert checked > 100
    assert (court1, "2026-03-16T10:30:00", 60) not in listed
    assert (court2, "2026-03-16T11:30:00", 60) not in listed
