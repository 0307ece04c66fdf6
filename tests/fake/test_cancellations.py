"""A court comes back: scripted cancellations free a slot, and other players take freed slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from tests.fake_playtomic import FakeClock, FakeClub, FakePlaytomic

from .conftest import T0, Player

# 4 March opened long before T0 (2 March 08:00 UTC; the club opens 14 days ahead).
START = "2026-03-04T17:30:00"
START_UTC = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)
WINDOW = ("2026-03-04T17:00:00", "2026-03-04T18:00:00")


def _listed(body: list[dict[str, Any]], resource_id: str) -> bool:
    return any(
        e["resource_id"] == resource_id and any(s["start_time"] == "17:30:00" for s in e["slots"])
        for e in body
    )


async def _control(
    session: aiohttp.ClientSession, fake: FakePlaytomic, path: str, body: Any
) -> tuple[int, Any]:
    async with session.post(fake.url + path, json=body) as response:
        return response.status, await response.json()


async def test_a_cancellation_at_a_chosen_moment_frees_the_slot(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    taken = fake.book_directly(club.tenant_id, court, START_UTC, 90, "someone-else")
    cancellation = fake.cancel_match(taken.match_id, at=T0 + timedelta(minutes=10))
    await alice.login()
    assert not _listed((await alice.availability(club, *WINDOW)).body, court)
    assert not cancellation.done
    clock.advance(timedelta(minutes=10))
    assert _listed((await alice.availability(club, *WINDOW)).body, court)
    assert (cancellation.done, cancellation.outcome, taken.status) == (
        True,
        "cancelled",
        "CANCELED",
    )
    [freed] = fake.state.freed
    assert (freed.resource_id, freed.start, freed.freed_at) == (
        court,
        START_UTC,
        T0 + timedelta(minutes=10),
    )
    assert (await alice.book(club, court, START)).body["status"] == "SUCCEEDED"


async def test_a_started_match_cannot_be_cancelled(fake: FakePlaytomic, club: FakeClub) -> None:
    court = club.courts[0].resource_id
    past = fake.book_directly(club.tenant_id, court, T0 - timedelta(hours=1), 90, "someone-else")
    cancellation = fake.cancel_match(past.match_id)
    assert (cancellation.outcome, past.status) == ("not_cancelable", "CONFIRMED")
    assert fake.state.freed == []


async def test_freed_slot_competitor_takes_it_after_the_delay(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    taker = fake.add_freed_slot_competitors(club.tenant_id, delay_range=(120, 120))
    taken = fake.book_directly(club.tenant_id, court, START_UTC, 90, "someone-else")
    fake.cancel_match(taken.match_id)
    await alice.login()
    clock.advance(119)
    assert _listed((await alice.availability(club, *WINDOW)).body, court)
    clock.advance(1)
    assert not _listed((await alice.availability(club, *WINDOW)).body, court)
    assert taker.taken == [f"{court}@{START_UTC.isoformat()}"]
    active = [m for m in fake.matches if m.status == "CONFIRMED"]
    assert [(m.resource_id, m.start) for m in active] == [(court, START_UTC)]
    assert active[0].owner_id.startswith("competitor-")


async def test_we_take_the_freed_slot_before_the_competitor(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    taker = fake.add_freed_slot_competitors(delay_range=(120, 120))
    taken = fake.book_directly(club.tenant_id, court, START_UTC, 90, "someone-else")
    fake.cancel_match(taken.match_id)
    await alice.login()
    clock.advance(60)
    assert (await alice.book(club, court, START)).body["status"] == "SUCCEEDED"
    clock.advance(120)
    assert [m.owner_id for m in fake.matches if m.status == "CONFIRMED"] == ["1001"]
    assert taker.taken == []
    assert taker.settled == {0}


async def test_probability_zero_never_takes(
    clock: FakeClock, fake: FakePlaytomic, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    taker = fake.add_freed_slot_competitors(club.tenant_id, probability=0.0)
    fake.cancel_match(fake.book_directly(club.tenant_id, court, START_UTC, 90, "x").match_id)
    clock.advance(3600)
    assert [m.status for m in fake.matches] == ["CANCELED"]
    assert taker.taken == []


async def test_cancellation_and_freed_competitor_controls(
    session: aiohttp.ClientSession, clock: FakeClock, fake: FakePlaytomic, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    own = fake.book_directly(club.tenant_id, court, START_UTC, 90, "1001")  # alice's
    later = fake.book_directly(
        club.tenant_id, club.courts[1].resource_id, START_UTC + timedelta(days=1), 90, "x"
    )
    status, body = await _control(
        session,
        fake,
        "/_fake/competitors",
        {"freed": True, "tenant_id": club.tenant_id, "delay_range": [30, 90], "seed": 3},
    )
    assert status == 200
    assert body == {
        "tenant_id": club.tenant_id,
        "freed": True,
        "probability": 1.0,
        "delay_range": [30, 90],
    }
    # Without a match id: someone else's soonest upcoming match, never an account's.
    status, body = await _control(
        session, fake, "/_fake/cancellations", {"tenant_id": club.tenant_id, "in_seconds": 5}
    )
    assert status == 200
    assert body["match_id"] == later.match_id
    assert (body["at"], body["done"]) == ("2026-03-02T08:00:05", False)
    clock.advance(5)
    async with session.get(fake.url + "/_fake/state") as response:
        state = await response.json()
    assert state["cancellations"][0]["outcome"] == "cancelled"
    assert state["freed"][0]["freed_at"] == "2026-03-02T08:00:05"
    status, body = await _control(session, fake, "/_fake/cancellations", {"match_id": own.match_id})
    assert (status, body["outcome"], own.status) == (200, "cancelled", "CANCELED")
    for bad in (
        {"match_id": "nope"},
        {"tenant_id": "nope"},
        {"tenant_id": club.tenant_id},  # nobody else has an upcoming match left
        {"match_id": later.match_id, "at": "yesterday"},
    ):
        status, _ = await _control(session, fake, "/_fake/cancellations", bad)
        assert status == 400, bad
    status, _ = await _control(
        session, fake, "/_fake/competitors", {"freed": True, "delay_range": [5, 1]}
    )
    assert status == 400
