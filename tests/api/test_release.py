"""Release models as the client sees them (docs/playtomic-api.md §7): closed before, bookable from the instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from custom_components.playtomic.api import BookingTarget, PlaytomicClient, SlotNotAvailableError
from tests.fake_playtomic import CourtSpec, DailyDrop, FakeClock, FakePlaytomic
from tests.fake_playtomic.club import FakeClub

from .conftest import USER_ID

# 16 Mar 2026 opens on 2 Mar at 08:30 Madrid (07:30 UTC); the clock starts at 07:00 UTC.
OPENING_DAY = date(2026, 3, 16)
TARGET_START = datetime(2026, 3, 16, 17, 0, tzinfo=UTC)


async def test_s7_daily_drop_slot_appears_at_the_release_instant(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, clock: FakeClock
) -> None:
    assert club.release_instant(TARGET_START) == datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    result = await client.get_club(club.tenant_id)
    target = BookingTarget(club.tenant_id, "r1", TARGET_START, 90)
    assert await client.get_availability(result, OPENING_DAY) == []
    with pytest.raises(SlotNotAvailableError):
        await client.create_payment_intent(target)
    clock.set(datetime(2026, 3, 2, 7, 29, 59, tzinfo=UTC))
    assert await client.get_availability(result, OPENING_DAY) == []
    clock.set(datetime(2026, 3, 2, 7, 30, tzinfo=UTC))
    slots = await client.get_availability(result, OPENING_DAY)
    assert target in [s.target for s in slots]
    booked = await client.book(target, ["at_club"])
    assert booked.match_id == fake.matches[0].match_id


async def test_s7_competitor_after_release_wins_when_we_are_late(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, clock: FakeClock
) -> None:
    fake.add_competitor(club.tenant_id, "r1", TARGET_START, 90, delay=1.5)
    fake.add_competitor(club.tenant_id, "r2", TARGET_START, 90, delay=1.5)
    clock.set(datetime(2026, 3, 2, 7, 30, 1, tzinfo=UTC))  # 1 s after release: still ours to take
    mine = await client.book(BookingTarget(club.tenant_id, "r1", TARGET_START, 90), ["at_club"])
    clock.set(datetime(2026, 3, 2, 7, 30, 2, tzinfo=UTC))  # the rival took r2 at +1.5 s
    with pytest.raises(SlotNotAvailableError):
        await client.book(BookingTarget(club.tenant_id, "r2", TARGET_START, 90), ["at_club"])
    owners = {m.resource_id: m.owner_id for m in fake.matches}
    assert owners["r1"] == USER_ID
    assert owners["r2"] != USER_ID
    assert mine.match_id is not None


async def test_s7_members_see_more_days(
    fake: FakePlaytomic, client: PlaytomicClient, clock: FakeClock
) -> None:
    fake.add_club(
        "Members Club",
        tenant_id="members",
        courts=[CourtSpec("A", resource_id="a")],
        release=DailyDrop(days_ahead=3, time=time(8, 30)),
        member_extra_days={USER_ID: 2},
    )
    result = await client.get_club("members")
    assert await client.get_availability(result, date(2026, 3, 6))  # 4 days ahead: member only
    assert result.booking_ahead_limit == 3 * 1440  # the public horizon
