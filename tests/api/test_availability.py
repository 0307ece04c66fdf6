"""Availability: one request per club-local day, DST-safe windows, grouping (docs/playtomic-api.md §4)."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.api import Money, PlaytomicApiError, PlaytomicClient
from tests.fake_playtomic import CourtSpec, FakePlaytomic, Rolling
from tests.fake_playtomic.club import FakeClub

from .conftest import api_requests

MADRID = ZoneInfo("Europe/Madrid")
SLOTS_PER_COURT = 29 + 28 + 27  # 60/90/120-minute slots every 30 min between 08:00 and 23:00


def availability_queries(fake: FakePlaytomic) -> list[dict[str, str]]:
    return [r.query for r in api_requests(fake) if r.path == "/v1/availability"]


async def test_s4_one_request_per_local_day_with_utc_window(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    result = await client.get_club(club.tenant_id)
    slots = await client.get_availability(result, date(2026, 3, 3))
    assert availability_queries(fake) == [
        {
            "tenant_id": club.tenant_id,
            "sport_id": "PADEL",
            "user_id": "me",
            "start_min": "2026-03-02T23:00:00",
            "start_max": "2026-03-03T22:59:59",
        }
    ]
    assert {s.resource_id for s in slots} == {"r1", "r2", "r3"}  # inactive/offline courts absent
    assert all(s.local_start(MADRID).date() == date(2026, 3, 3) for s in slots)
    first = slots[0]
    assert (first.court_name, first.indoor, first.duration) == ("Pista 1", True, 60)
    assert first.local_start(MADRID).time() == time(8, 0)
    assert first.start.utcoffset() == timedelta(0)
    assert first.price == Money(Decimal(24), "EUR")
    assert first.target.tenant_id == club.tenant_id
    assert sum(1 for s in slots if s.resource_id == "r1") == SLOTS_PER_COURT
    assert sum(1 for s in slots if s.resource_id == "r2") == 29 + 28  # 60/90 only


@pytest.mark.parametrize(
    ("day", "start_min", "start_max"),
    [
        (date(2026, 3, 29), "2026-03-28T23:00:00", "2026-03-29T21:59:59"),  # 23-hour day
        (date(2026, 10, 25), "2026-10-24T22:00:00", "2026-10-25T22:59:59"),  # 25-hour day
    ],
)
async def test_s4_dst_nights_in_madrid(
    fake: FakePlaytomic,
    client: PlaytomicClient,
    club: FakeClub,
    day: date,
    start_min: str,
    start_max: str,
) -> None:
    fake.set_release(club.tenant_id, Rolling(minutes=400 * 1440))
    result = await client.get_club(club.tenant_id)
    slots = await client.get_availability(result, day)
    query = availability_queries(fake)[0]
    assert (query["start_min"], query["start_max"]) == (start_min, start_max)
    assert [r.status for r in api_requests(fake) if r.path == "/v1/availability"] == [200]
    r1 = [s for s in slots if s.resource_id == "r1"]
    assert len(r1) == SLOTS_PER_COURT
    assert {s.local_start(MADRID).date() for s in r1} == {day}
    assert min(s.local_start(MADRID).time() for s in r1) == time(8, 0)
    assert max(s.local_end(MADRID).time() for s in r1) == time(23, 0)


async def test_s4_club_in_another_zone_spans_two_utc_dates(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    sydney = ZoneInfo("Australia/Sydney")
    fake.add_club(
        "Sydney Padel",
        tenant_id="syd",
        timezone="Australia/Sydney",
        courts=[CourtSpec("Court A", resource_id="a", indoor=False)],
        release=Rolling(minutes=30 * 1440),
    )
    club = await client.get_club("syd")
    slots = await client.get_availability(club, date(2026, 3, 5))
    query = availability_queries(fake)[0]
    assert (query["start_min"], query["start_max"]) == (
        "2026-03-04T13:00:00",
        "2026-03-05T12:59:59",
    )
    assert len(slots) == SLOTS_PER_COURT
    assert len({s.start.date() for s in slots}) == 2  # two UTC start_date groups
    assert {s.local_start(sydney).date() for s in slots} == {date(2026, 3, 5)}
    assert all(s.indoor is False for s in slots)
    assert slots == sorted(slots, key=lambda s: (s.start, s.resource_id, s.duration))


async def test_s4_unreleased_day_is_empty(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    result = await client.get_club(club.tenant_id)
    assert await client.get_availability(result, date(2026, 3, 20)) == []


async def test_s4_booked_slot_leaves_availability(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    result = await client.get_club(club.tenant_id)
    before = await client.get_availability(result, date(2026, 3, 3))
    taken = next(s for s in before if s.resource_id == "r1" and s.duration == 90)
    fake.book_directly(club.tenant_id, "r1", taken.start, 90, "someone-else")
    after = await client.get_availability(result, date(2026, 3, 3))
    assert taken not in after


async def test_s4_tolerated_response_variants(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    result = await client.get_club(club.tenant_id)
    fake.respond(
        "GET",
        "^/v1/availability$",
        json=[
            {
                "resource_id": "r1",
                "start_date": "2026-03-03",
                "slots": [
                    {"start_time": "17:30:00", "duration": 5400, "price": 36},
                    {
                        "start_time": "17:30:00",
                        "duration": 60,
                        "price": {"amount": "24.5", "currency": "EUR"},
                    },
                    {"start_time": "23:30:00", "duration": 60, "price": "24 EUR"},  # next local day
                ],
            },
            {"resource_id": "r2", "start_date": "2026-03-03", "slots": []},
            {
                "resource_id": "unknown",
                "start_date": "2026-03-03",
                "slots": [{"start_time": "10:00:00", "duration": 60, "price": "1 EUR"}],
            },
            {
                "resource_id": "r1",
                "start_date": "2026-03-03",
                "ignored": True,
                "slots": [{"start_time": "17:30:00", "duration": 90, "price": 36}],
            },
        ],
    )
    slots = await client.get_availability(result, date(2026, 3, 3))
    assert [(s.local_start(MADRID).time(), s.duration, s.price) for s in slots] == [
        (time(18, 30), 60, Money(Decimal("24.5"), "EUR")),
        (time(18, 30), 90, Money(Decimal(36), "EUR")),
    ]


async def test_s4_malformed_availability_is_unexpected_response(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    result = await client.get_club(club.tenant_id)
    fake.respond("GET", "^/v1/availability$", json={"resources": []})
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_availability(result, date(2026, 3, 3))
    assert info.value.code == "UNEXPECTED_RESPONSE"


async def test_s4_server_rejects_window_400(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    result = await client.get_club(club.tenant_id)
    fake.respond(
        "GET",
        "^/v1/availability$",
        status=400,
        json={"status": "INCORRECT_PARAMETERS", "localized_message": "Window too wide"},
    )
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_availability(result, date(2026, 3, 3))
    assert (info.value.http_status, info.value.code) == (400, "INCORRECT_PARAMETERS")
