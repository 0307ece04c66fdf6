"""The HTTP controls under /_fake/ (no auth, not in the request log)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp

from tests.fake_playtomic import DailyDrop, FakeClock, FakeClub, FakePlaytomic, Rolling

from .conftest import T0, Player


async def control(
    session: aiohttp.ClientSession, fake: FakePlaytomic, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    async with session.request(method, fake.url + path, json=body) as response:
        return response.status, await response.json()


async def test_index_lists_clubs_accounts_and_controls(
    session: aiohttp.ClientSession, fake: FakePlaytomic, club: FakeClub
) -> None:
    for path in ("/_fake/", "/_fake"):
        status, index = await control(session, fake, "GET", path)
        assert status == 200
        assert index["now"] == T0.isoformat()
        assert index["clock"] == "frozen"
        assert {
            "email": "alice@example.com",
            "password": "correct-horse-battery",
            "user_id": "1001",
            "name": "Alice",
        } in index["accounts"]
        [listed] = index["clubs"]
        assert listed["tenant_id"] == club.tenant_id
        assert listed["release"] == {"model": "daily_drop", "days_ahead": 14, "time": "08:30:00"}
        assert listed["next_release"] == "2026-03-03T07:30:00+00:00"
        assert any("/_fake/faults" in c for c in index["controls"])
    assert fake.requests == [r for r in fake.requests if not r.path.startswith("/_fake")]


async def test_requests_and_state(
    session: aiohttp.ClientSession, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    await alice.book(club, club.courts[0].resource_id, "2026-03-16T17:30:00")
    status, log = await control(session, fake, "GET", "/_fake/requests")
    assert status == 200
    assert [r["path"].split("/")[-1] for r in log][-1] == "confirmation"
    assert all(not r["path"].startswith("/_fake") for r in log)
    assert "…" in log[-1]["headers"]["Authorization"]
    status, state = await control(session, fake, "GET", "/_fake/state")
    [match] = state["matches"]
    assert match["start"] == "2026-03-16T17:30:00"
    [intent] = state["intents"]
    assert intent["status"] == "SUCCEEDED"
    assert intent["holds_slot"] is False
    status, _ = await control(session, fake, "DELETE", "/_fake/requests")
    assert fake.requests == []


async def test_clock_controls(
    session: aiohttp.ClientSession, fake: FakePlaytomic, clock: FakeClock
) -> None:
    status, body = await control(session, fake, "POST", "/_fake/clock", {"advance": 90})
    assert status == 200
    assert clock.now() == datetime(2026, 3, 2, 8, 1, 30, tzinfo=UTC)
    await control(session, fake, "POST", "/_fake/clock", {"set": "2026-03-29T06:30:00"})
    assert clock.now() == datetime(2026, 3, 29, 6, 30, tzinfo=UTC)
    status, body = await control(session, fake, "POST", "/_fake/clock", {"set": "tomorrow"})
    assert status == 400
    assert body["status"] == "INCORRECT_PARAMETERS"
    status, _ = await control(session, fake, "POST", "/_fake/clock", {})
    assert status == 400


async def test_release_controls(
    session: aiohttp.ClientSession, fake: FakePlaytomic, club: FakeClub
) -> None:
    path = f"/_fake/clubs/{club.tenant_id}/release"
    status, body = await control(session, fake, "POST", path, {"model": "rolling", "minutes": 2880})
    assert status == 200
    assert club.release == Rolling(minutes=2880)
    status, body = await control(
        session,
        fake,
        "POST",
        path,
        {
            "model": "daily_drop",
            "days_ahead": 7,
            "time": "07:00:00",
            "member_extra_days": {"1001": 3},
        },
    )
    assert club.release == DailyDrop(days_ahead=7, time=datetime(2026, 1, 1, 7, 0).time())
    assert club.member_extra_days == {"1001": 3}
    status, body = await control(session, fake, "POST", path, {"in_seconds": 5})
    assert body["next_release"] == "2026-03-02T08:00:05+00:00"
    assert status == 200
    status, _ = await control(session, fake, "POST", path, {"model": "weekly"})
    assert status == 400
    status, _ = await control(session, fake, "POST", "/_fake/clubs/nope/release", {"in_seconds": 5})
    assert status == 400


async def test_competitor_control(
    session: aiohttp.ClientSession, fake: FakePlaytomic, club: FakeClub
) -> None:
    status, body = await control(
        session,
        fake,
        "POST",
        "/_fake/competitors",
        {
            "tenant_id": club.tenant_id,
            "resource_id": club.courts[0].resource_id,
            "start": "2026-03-17T17:30:00",
            "duration": 90,
            "delay": 1.5,
        },
    )
    assert status == 200
    [competitor] = fake.state.competitors
    assert (competitor.delay, competitor.duration) == (1.5, 90)
    assert body["owner_id"] == competitor.owner_id
    status, body = await control(
        session,
        fake,
        "POST",
        "/_fake/competitors",
        {"tenant_id": club.tenant_id, "probability": 0.2, "delay_range": [1, 3], "seed": 4},
    )
    assert status == 200
    assert body["probability"] == fake.state.random_competitors[0].probability == 0.2
    status, _ = await control(
        session, fake, "POST", "/_fake/competitors", {"tenant_id": club.tenant_id}
    )
    assert status == 400


async def test_fault_controls(
    session: aiohttp.ClientSession, fake: FakePlaytomic, alice: Player
) -> None:
    kinds = [
        ({"kind": "fail", "method": "GET", "path": "^/v1/tenants$", "status": 500}, 500),
        ({"kind": "rate_limit", "method": "GET", "path": "^/v1/tenants$", "retry_after": 3}, 429),
        ({"kind": "edge_block", "path": "^/v1/tenants$", "count": 1}, 403),
        ({"kind": "malformed", "method": "GET", "path": "^/v1/tenants$"}, 200),
        (
            {
                "kind": "respond",
                "method": "GET",
                "path": "^/v1/tenants$",
                "status": 299,
                "json": {"a": 1},
            },
            299,
        ),
    ]
    for body, expected in kinds:
        status, added = await control(session, fake, "POST", "/_fake/faults", body)
        assert status == 200
        assert added["kind"] == body["kind"]
        assert (await alice.get("/v1/tenants")).status == expected
    await control(session, fake, "POST", "/_fake/faults", {"kind": "hang", "count": None})
    await control(session, fake, "POST", "/_fake/faults", {"kind": "drop_after_confirm"})
    assert [f.kind for f in fake.faults.faults] == ["hang", "drop_after_confirm"]
    status, _ = await control(session, fake, "DELETE", "/_fake/faults")
    assert fake.faults.faults == []
    status, _ = await control(session, fake, "POST", "/_fake/faults", {"kind": "explode"})
    assert status == 400


async def test_token_expiry_control(
    session: aiohttp.ClientSession, fake: FakePlaytomic, alice: Player
) -> None:
    status, body = await control(session, fake, "POST", "/_fake/tokens/expire", {})
    assert status == 200
    assert body["expired"] >= 1
    assert (await alice.get("/v2/users/me")).status == 401
    await control(session, fake, "POST", "/_fake/tokens/expire", {"refresh": True})
    refreshed = await alice.call(
        "POST", "/v3/auth/token", json={"refresh_token": alice.tokens["refresh_token"]}, auth=False
    )
    assert refreshed.status == 401


async def test_variants_settings_and_bookings(
    session: aiohttp.ClientSession, fake: FakePlaytomic, club: FakeClub
) -> None:
    status, body = await control(
        session, fake, "POST", "/_fake/variants", {"tenants_wrapped": True, "matches_paged": True}
    )
    assert body == {
        "tenants_wrapped": True,
        "matches_paged": True,
        "unreleased_status": 409,
        "ignore_user_filter": False,
        "refresh_keeps_token": False,
    }
    status, body = await control(
        session,
        fake,
        "POST",
        "/_fake/variants",
        {"unreleased_status": 422, "ignore_user_filter": True, "refresh_keeps_token": True},
    )
    assert (status, fake.variants.unreleased_status) == (200, 422)
    assert fake.variants.ignore_user_filter
    assert fake.variants.refresh_keeps_token
    status, body = await control(
        session, fake, "POST", "/_fake/variants", {"unreleased_status": 500}
    )
    assert status == 400
    status, body = await control(
        session, fake, "POST", "/_fake/settings", {"latency_ms": 5, "hold_seconds": 0}
    )
    assert (fake.latency, fake.hold_seconds) == (0.005, 0)
    status, body = await control(
        session,
        fake,
        "POST",
        "/_fake/bookings",
        {
            "tenant_id": club.tenant_id,
            "resource_id": club.courts[1].resource_id,
            "start": "2026-03-10T18:00:00",
            "duration": 60,
            "owner_id": "1002",
        },
    )
    assert status == 200
    assert body["owner_id"] == "1002"
    assert [m.match_id for m in fake.matches] == [body["match_id"]]
    status, body = await control(
        session, fake, "POST", "/_fake/bookings", {"tenant_id": club.tenant_id}
    )
    assert status == 400
    async with session.post(fake.url + "/_fake/settings", data=b"{nope") as response:
        assert response.status == 400
