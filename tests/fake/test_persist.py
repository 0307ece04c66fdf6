"""The demo's state file: bookings, release settings and sessions survive a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time
import json
from pathlib import Path

import aiohttp
import pytest

from tests.fake_playtomic import DailyDrop, FakeClock, FakeClub, FakePlaytomic, persist

from .conftest import ALICE, BOB, T0, Player


def _same_world(clock: FakeClock) -> FakePlaytomic:
    """What a restart builds before restoring: the scenario's accounts and club, nothing booked."""
    fake = FakePlaytomic(clock=clock)
    fake.add_account(ALICE[0], ALICE[1], user_id=ALICE[2], name="Alice")
    fake.add_account(BOB[0], BOB[1], user_id=BOB[2], name="Bob")
    return fake


@pytest.fixture
async def restarted(fake: FakePlaytomic, club: FakeClub) -> AsyncIterator[FakePlaytomic]:
    """A second, not yet running fake with the same club (same tenant and court ids)."""
    second = _same_world(fake.clock)
    second.add_club(
        club.name,
        tenant_id=club.tenant_id,
        timezone=club.timezone,
        courts=0,
        release=DailyDrop(days_ahead=14, time=time(8, 30)),
    )
    second.clubs[club.tenant_id].courts = list(club.courts)
    yield second
    await second.stop()


async def test_restart_keeps_bookings_release_and_session(
    session: aiohttp.ClientSession,
    fake: FakePlaytomic,
    club: FakeClub,
    alice: Player,
    restarted: FakePlaytomic,
    tmp_path: Path,
) -> None:
    """A booking made over the API, a cancelled one, the moved release and Alice's token."""
    court = club.courts[0]
    booked = await alice.book(club, court.resource_id, "2026-03-05T17:00:00", 90)
    assert booked.status == 200, booked.text
    other = fake.book_directly(club.tenant_id, court.resource_id, T0.replace(day=6), 60, "x")
    fake.cancel_match(other.match_id)
    fake.release_in(club.tenant_id, 120)
    state_file = tmp_path / "state.json"
    persist.save(fake, state_file)

    assert persist.load(restarted, state_file)
    assert [(m.match_id, m.status, m.start, m.owner_id) for m in restarted.matches] == [
        (m.match_id, m.status, m.start, m.owner_id) for m in fake.matches
    ]
    assert restarted.clubs[club.tenant_id].release == club.release
    await restarted.start()
    alice.fake = restarted
    mine = await alice.get("/v1/matches", user_id="me")
    assert mine.status == 200, mine.text
    assert [m["match_id"] for m in mine.body] == [
        booked.body["cart"]["item"]["cart_item_data"]["match_id"]
    ]


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"version": 99}', '{"version": 1, "matches": [{"match_id": 1}]}'],
)
async def test_unusable_file_is_ignored(
    fake: FakePlaytomic, club: FakeClub, restarted: FakePlaytomic, tmp_path: Path, content: str
) -> None:
    """The demo starts afresh (with a warning) and nothing half-restored remains."""
    fake.book_directly(club.tenant_id, club.courts[0].resource_id, T0.replace(day=6), 60, "x")
    state_file = tmp_path / "state.json"
    state_file.write_text(content, encoding="utf-8")
    assert not persist.load(fake, state_file)
    assert len(fake.matches) == 1
    assert club.release == DailyDrop(days_ahead=14, time=time(8, 30))
    assert not persist.load(restarted, tmp_path / "missing.json")


async def test_autosave_writes_only_changes(
    fake: FakePlaytomic, club: FakeClub, tmp_path: Path
) -> None:
    """Each autosave round writes when something changed, and only then."""
    state_file = tmp_path / "state.json"
    last = persist.save_if_changed(fake, state_file, "")
    assert json.loads(state_file.read_text(encoding="utf-8"))["matches"] == []
    state_file.unlink()
    assert persist.save_if_changed(fake, state_file, last) == last
    assert not state_file.exists()
    fake.book_directly(club.tenant_id, club.courts[0].resource_id, T0.replace(day=6), 60, "x")
    persist.save_if_changed(fake, state_file, last)
    assert len(json.loads(state_file.read_text(encoding="utf-8"))["matches"]) == 1
    assert not (tmp_path / "state.json.partial").exists()
