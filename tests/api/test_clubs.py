"""Clubs and courts (docs/playtomic-api.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.api import PlaytomicClient
from tests.fake_playtomic import CourtSpec, FakePlaytomic, Rolling
from tests.fake_playtomic.club import FakeClub

from .conftest import api_requests


def searches(fake: FakePlaytomic) -> list[dict[str, str]]:
    return [r.query for r in api_requests(fake) if r.path == "/v1/tenants"]


async def test_s3_search_by_name_pages_until_empty(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    for n in range(45):  # the fake caps the page size at 20: pages 0, 1, 2 then an empty page 3
        fake.add_club(f"Padel Norte {n}", tenant_id=f"t{n}")
    fake.add_club("Tennis Norte", sport="TENNIS")
    fake.add_club("Padel Sur")
    clubs = await client.search_clubs(name="Norte")
    assert sorted(c.tenant_id for c in clubs) == sorted(f"t{n}" for n in range(45))
    queries = searches(fake)
    assert [q["page"] for q in queries] == ["0", "1", "2"]  # §11.5: Link names page 2 as last
    assert queries[0] == {
        "sport_id": "PADEL",
        "playtomic_status": "ACTIVE",
        "size": "50",
        "page": "0",
        "tenant_name": "Norte",
    }


async def test_s3_search_by_coordinate_and_radius(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    fake.add_club("Near", lat=40.45, lon=-3.69, tenant_id="near")
    fake.add_club("Far", lat=41.39, lon=2.17, tenant_id="far")  # Barcelona
    clubs = await client.search_clubs(coordinate=(40.4501, -3.6901), radius_m=5000)
    assert [c.tenant_id for c in clubs] == ["near"]
    query = searches(fake)[0]
    assert query["coordinate"] == "40.450100,-3.690100"
    assert query["radius"] == "5000"
    assert "tenant_name" not in query


async def test_s3_search_skips_inactive_clubs_even_if_the_server_sends_them(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    tenant = {
        "tenant_id": "x",
        "tenant_name": "Closed",
        "playtomic_status": "INACTIVE",
        "address": {"timezone": "Europe/Madrid"},
    }
    fake.respond("GET", "^/v1/tenants$", json=[tenant])
    assert await client.search_clubs(name="Closed") == []


async def test_s3_search_wrapped_variant(fake: FakePlaytomic, client: PlaytomicClient) -> None:
    fake.add_club("Wrapped Club", tenant_id="w")
    fake.variants.tenants_wrapped = True
    assert [c.tenant_id for c in await client.search_clubs(name="Wrapped")] == ["w"]


async def test_s3_search_stops_at_max_pages(
    fake: FakePlaytomic, client: PlaytomicClient, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = {
        "tenant_id": "loop",
        "tenant_name": "Loop",
        "playtomic_status": "ACTIVE",
        "address": {"timezone": "Europe/Madrid"},
    }
    fake.respond("GET", "^/v1/tenants$", json=[tenant], count=None)  # a server that never ends
    clubs = await client.search_clubs(name="Loop")
    assert [c.tenant_id for c in clubs] == ["loop"]
    assert len(searches(fake)) == 20
    assert "stopped after 20 pages" in caplog.text


async def test_s3_get_club_with_courts_zone_and_settings(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    result = await client.get_club(club.tenant_id)
    assert result.name == "Club Padel Norte"
    assert result.zone == ZoneInfo("Europe/Madrid")
    assert result.slug == "club-padel-norte"
    assert result.booking_ahead_limit == 14 * 1440
    assert result.cancellation_hours("PADEL") == 24
    # inactive (r4) and not-bookable-online (r5) courts are skipped
    assert [(c.resource_id, c.name, c.indoor, c.single) for c in result.courts] == [
        ("r1", "Pista 1", True, False),
        ("r2", "Pista 2", False, False),
        ("r3", "Pista Single", True, True),
    ]
    assert result.court("r2") is not None
    assert result.court("r2").durations == (60, 90)  # type: ignore[union-attr]
    assert result.court("r4") is None


async def test_s3_get_courts_skips_unusable(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    courts = await client.get_courts(club.tenant_id)
    assert [c.resource_id for c in courts] == ["r1", "r2", "r3"]
    assert api_requests(fake)[-1].path == f"/v1/tenants/{club.tenant_id}/resources"


async def test_s3_get_club_without_resources_fetches_them(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    tenant: dict[str, Any] = {
        "tenant_id": club.tenant_id,
        "tenant_name": "No resources",
        "playtomic_status": "ACTIVE",
        "address": {"timezone": "Europe/Madrid"},
        "booking_settings": None,
    }
    fake.respond("GET", f"^/v1/tenants/{club.tenant_id}$", json=tenant)
    result = await client.get_club(club.tenant_id)
    assert [c.resource_id for c in result.courts] == ["r1", "r2", "r3"]
    assert result.booking_ahead_limit is None


async def test_s3_missing_timezone_uses_callers_zone(
    fake: FakePlaytomic,
    make_client: Callable[..., PlaytomicClient],
    club: FakeClub,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(fallback_zone=ZoneInfo("Atlantic/Canary"))
    tenant = {"tenant_id": club.tenant_id, "tenant_name": "No zone", "address": {}, "resources": []}
    fake.respond("GET", f"^/v1/tenants/{club.tenant_id}$", json=tenant)
    result = await client.get_club(club.tenant_id)
    assert result.zone == ZoneInfo("Atlantic/Canary")
    assert "No usable time zone" in caplog.text


async def test_s3_club_in_another_zone_than_host(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    fake.add_club(
        "Sydney Padel",
        tenant_id="syd",
        timezone="Australia/Sydney",
        courts=[CourtSpec("Court A", resource_id="a")],
        release=Rolling(minutes=2880),
    )
    result = await client.get_club("syd")
    assert result.zone == ZoneInfo("Australia/Sydney")
    assert result.booking_ahead_limit == 2880
