"""The fake's index as a readable page with form buttons (what a newcomer opens in a browser)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from urllib.parse import unquote

import aiohttp
import pytest

from tests.fake_playtomic import DailyDrop, FakeClock, FakeClub, FakePlaytomic
from tests.fake_playtomic.models import CANCELED

from .conftest import T0

HTML = {"Accept": "text/html,application/xhtml+xml"}


async def page(session: aiohttp.ClientSession, fake: FakePlaytomic, query: str = "") -> str:
    async with session.get(f"{fake.url}/_fake/{query}", headers=HTML) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        return await response.text()


async def press(
    session: aiohttp.ClientSession, fake: FakePlaytomic, path: str, form: dict[str, str]
) -> str:
    """Submit a form as a browser does; returns the message the redirect carries."""
    async with session.post(
        f"{fake.url}/_fake/page{path}", data=form, allow_redirects=False
    ) as response:
        assert response.status == 303, await response.text()
        location = response.headers["Location"]
    assert location.startswith("/_fake/?message=")
    return unquote(location.removeprefix("/_fake/?message="))


async def test_browser_gets_the_page_programs_keep_the_json(
    session: aiohttp.ClientSession, fake: FakePlaytomic, club: FakeClub
) -> None:
    """Next release in club time and for the browser, and the values a rule needs."""
    text = await page(session, fake)
    assert "<h2>Club Padel Norte</h2>" in text
    assert "alice@example.com" in text
    # Monday 2 March 09:00 Madrid: the next drop is Tuesday 08:30, which opens Tuesday 17 March.
    assert "Tue 03 Mar 2026 08:30 (Europe/Madrid)" in text
    assert '<time class="browser" datetime="2026-03-03T07:30:00+00:00">' in text
    for field, value in (
        ("Weekdays", "Tuesday (the day this release opens: 17 Mar 2026)"),
        ("Earliest start", "18:00"),
        ("Latest end", "21:30"),
        ("Duration", "90 minutes"),
        ("Release model", "Daily drop"),
        ("Days ahead", "14"),
        ("Release time", "08:30 (club time)"),
    ):
        assert f"<tr><td>{field}</td><td>{value}</td></tr>" in text, field
    assert f'action="/_fake/page/clubs/{club.tenant_id}/release"' in text
    assert f'action="/_fake/page/clubs/{club.tenant_id}/free-court"' in text
    for headers, query in (({"Accept": "application/json"}, ""), (HTML, "?format=json")):
        async with session.get(f"{fake.url}/_fake/{query}", headers=headers) as response:
            assert (await response.json())["clubs"][0]["tenant_id"] == club.tenant_id


async def test_counts_on_the_page_are_plural_only_above_one(
    session: aiohttp.ClientSession, fake: FakePlaytomic, club: FakeClub
) -> None:
    """ "2 courts ... 14 days ahead", but "1 court ... 1 day ahead"."""
    fake.add_club(
        "Pista Única", courts=1, release=DailyDrop(days_ahead=1, time=time(9, 0)), lat=40.5
    )
    text = await page(session, fake)
    assert "2 courts · release daily drop: every day at 08:30 club time, 14 days ahead" in text
    assert "1 court · release daily drop: every day at 09:00 club time, 1 day ahead" in text


@pytest.mark.parametrize(
    ("offset_s", "minutes", "expected_utc"),
    [
        # A minute or more: up to the next whole minute, so the rule's time needs no seconds.
        (20, "2", datetime(2026, 3, 2, 8, 3, tzinfo=UTC)),
        (0, "2", datetime(2026, 3, 2, 8, 2, tzinfo=UTC)),
        # Under a minute (tests): to the whole second.
        (20, "0.25", datetime(2026, 3, 2, 8, 0, 35, tzinfo=UTC)),
    ],
)
async def test_release_button_moves_the_drop(
    session: aiohttp.ClientSession,
    fake: FakePlaytomic,
    club: FakeClub,
    clock: FakeClock,
    offset_s: int,
    minutes: str,
    expected_utc: datetime,
) -> None:
    """Release a day in N minutes: the club's daily drop moves to then, days ahead kept."""
    clock.set(T0 + timedelta(seconds=offset_s))
    message = await press(session, fake, f"/clubs/{club.tenant_id}/release", {"minutes": minutes})
    local = expected_utc.astimezone(club.zone)
    assert club.release == DailyDrop(days_ahead=14, time=local.time())
    assert club.next_release_after(clock.now()) == expected_utc
    opens = (local + timedelta(days=14)).strftime("%A %d %b %Y")
    assert message.startswith(f"Club Padel Norte releases at {local:%a %d %b %Y %H:%M}")
    assert f"{opens} opens" in message
    # The page then shows the message and the new values to type.
    text = await page(session, fake, "?message=" + minutes)
    assert f"<tr><td>Release time</td><td>{local.time().isoformat()[:5]}" in text


@pytest.mark.parametrize("minutes", ["abc", "0", "-1", "100000", "nan"])
async def test_release_button_refuses_bad_minutes(
    session: aiohttp.ClientSession, fake: FakePlaytomic, club: FakeClub, minutes: str
) -> None:
    """A clear message, and the release stays as it was."""
    message = await press(session, fake, f"/clubs/{club.tenant_id}/release", {"minutes": minutes})
    assert message.startswith("Minutes must be a number above 0")
    assert club.release == DailyDrop(days_ahead=14, time=time(8, 30))


async def test_free_court_button_cancels_another_players_booking(
    session: aiohttp.ClientSession, fake: FakePlaytomic, club: FakeClub
) -> None:
    """Another player's soonest upcoming booking is cancelled now; the account's stay."""
    assert "No booking of another player" in await press(
        session, fake, f"/clubs/{club.tenant_id}/free-court", {}
    )
    court = club.courts[0]
    later = fake.book_directly(club.tenant_id, court.resource_id, T0 + timedelta(days=2), 90, "x")
    soon = fake.book_directly(club.tenant_id, court.resource_id, T0 + timedelta(days=1), 90, "y")
    mine = fake.book_directly(
        club.tenant_id, court.resource_id, T0 + timedelta(hours=3), 90, "1001"
    )
    message = await press(session, fake, f"/clubs/{club.tenant_id}/free-court", {})
    assert message == "Freed Pista 1 at Tue 03 Mar 2026 09:00 (Europe/Madrid)."
    statuses = {m.match_id: m.status for m in fake.matches}
    assert statuses[soon.match_id] == CANCELED
    assert statuses[later.match_id] != CANCELED
    assert statuses[mine.match_id] != CANCELED


async def test_unknown_club_is_404(session: aiohttp.ClientSession, fake: FakePlaytomic) -> None:
    async with session.post(
        f"{fake.url}/_fake/page/clubs/nope/release", data={"minutes": "2"}, allow_redirects=False
    ) as response:
        assert response.status == 404
