"""Tenant search, one tenant, its resources (docs/playtomic-api.md §3)."""

from __future__ import annotations

from datetime import time

from tests.fake_playtomic import CourtSpec, DailyDrop, FakeClub, FakePlaytomic, Rolling

from .conftest import Player


async def test_tenant_json_has_the_contract_shape(alice: Player, club: FakeClub) -> None:
    reply = await alice.get(f"/v1/tenants/{club.tenant_id}")
    assert reply.status == 200
    tenant = reply.body
    assert tenant["tenant_id"] == club.tenant_id
    assert tenant["tenant_uid"] == tenant["slug"] == "club-padel-norte"
    assert tenant["playtomic_status"] == "ACTIVE"
    assert tenant["address"]["timezone"] == "Europe/Madrid"
    assert set(tenant["address"]["coordinate"]) == {"lat", "lon"}
    assert tenant["booking_settings"]["booking_ahead_limit"] == 14 * 1440
    assert tenant["opening_hours"]["MONDAY"] == {"opening_time": "08:00", "closing_time": "23:00"}
    assert set(tenant["opening_hours"]) >= {"MONDAY", "SUNDAY"}
    assert tenant["default_cancelation_policy"] == {"amount": 24, "unit": "HOURS"}
    assert tenant["cancelation_policies"][0]["sport_id"] == "PADEL"
    assert [r["name"] for r in tenant["resources"]] == ["Pista 1", "Pista 2"]


async def test_resources_shape(alice: Player, club: FakeClub) -> None:
    reply = await alice.get(f"/v1/tenants/{club.tenant_id}/resources")
    assert reply.status == 200
    first, second = reply.body
    assert first["resource_id"] == club.courts[0].resource_id
    assert first["properties"]["resource_type"] == "indoor"
    assert second["properties"]["resource_type"] == "outdoor"
    assert second["booking_settings"]["allowed_duration_increments"] == [60, 90]
    assert first["booking_settings"]["is_bookable_online"] is True
    assert first["is_active"] is True
    assert first["sport_id"] == "PADEL"


async def test_unknown_tenant_is_404(alice: Player) -> None:
    for path in ("/v1/tenants/nope", "/v1/tenants/nope/resources"):
        reply = await alice.get(path)
        assert reply.status == 404
        assert reply.body["status"] == "NOT_FOUND"


async def test_booking_ahead_limit_follows_the_release_model(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    fake.set_release(club.tenant_id, Rolling(minutes=2880))
    reply = await alice.get(f"/v1/tenants/{club.tenant_id}")
    assert reply.body["booking_settings"]["booking_ahead_limit"] == 2880
    fake.set_release(club.tenant_id, DailyDrop(days_ahead=3, time=time(9, 0)))
    reply = await alice.get(f"/v1/tenants/{club.tenant_id}")
    assert reply.body["booking_settings"]["booking_ahead_limit"] == 3 * 1440


def _add_search_clubs(fake: FakePlaytomic) -> None:
    fake.add_club(
        "Padel Valencia Centro", timezone="Europe/Madrid", lat=39.4699, lon=-0.3763, courts=1
    )
    fake.add_club("London Padel Yard", timezone="Europe/London", lat=51.5072, lon=-0.1276, courts=1)
    fake.add_club("Tennis Only", sport="TENNIS", lat=40.42, lon=-3.70, courts=1)
    fake.add_club("Closed Padel", playtomic_status="INACTIVE", lat=40.41, lon=-3.71, courts=1)


async def test_search_by_name_is_a_case_insensitive_substring(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    _add_search_clubs(fake)
    reply = await alice.get("/v1/tenants", tenant_name="pADEL n")
    assert [t["tenant_name"] for t in reply.body] == ["Club Padel Norte"]


async def test_search_by_coordinate_and_radius(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    _add_search_clubs(fake)
    near_madrid = await alice.get(
        "/v1/tenants",
        coordinate="40.416800,-3.703800",
        radius="50000",
        sport_id="PADEL",
        playtomic_status="ACTIVE",
    )
    assert [t["tenant_name"] for t in near_madrid.body] == ["Club Padel Norte"]
    # Valencia is about 300 km from Madrid.
    wide = await alice.get("/v1/tenants", coordinate="40.416800,-3.703800", radius="400000")
    names = {t["tenant_name"] for t in wide.body}
    assert "Padel Valencia Centro" in names
    assert "London Padel Yard" not in names
    bad = await alice.get("/v1/tenants", coordinate="north", radius="1")
    assert bad.status == 400
    assert bad.body["status"] == "INCORRECT_PARAMETERS"


async def test_search_filters_sport_and_status(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    _add_search_clubs(fake)
    tennis = await alice.get("/v1/tenants", sport_id="TENNIS")
    assert [t["tenant_name"] for t in tennis.body] == ["Tennis Only"]
    active = await alice.get("/v1/tenants", playtomic_status="ACTIVE")
    assert "Closed Padel" not in {t["tenant_name"] for t in active.body}
    inactive = await alice.get("/v1/tenants", playtomic_status="INACTIVE")
    assert [t["tenant_name"] for t in inactive.body] == ["Closed Padel"]


async def test_club_with_courts_of_two_sports(fake: FakePlaytomic, alice: Player) -> None:
    """Each resource names its own sport; the club offers, and is found by, every one of them."""
    mixed = fake.add_club(
        "Raqueta Mixta",
        courts=[CourtSpec("Pista 1"), CourtSpec("Tenis 1", sport="tennis")],
        cancel_hours=12,
    )
    tenant = (await alice.get(f"/v1/tenants/{mixed.tenant_id}")).body
    assert tenant["sport_ids"] == ["PADEL", "TENNIS"]
    assert [p["sport_ids"] for p in tenant["cancelation_policies"]] == [["PADEL"], ["TENNIS"]]
    assert [r["sport_id"] for r in tenant["resources"]] == ["PADEL", "TENNIS"]
    resources = (await alice.get(f"/v1/tenants/{mixed.tenant_id}/resources")).body
    assert [r["sport_id"] for r in resources] == ["PADEL", "TENNIS"]
    for sport in ("PADEL", "TENNIS"):
        found = await alice.get("/v1/tenants", sport_id=sport)
        assert [t["tenant_name"] for t in found.body] == ["Raqueta Mixta"]


async def test_paging_caps_size_so_clients_page_until_empty(
    fake: FakePlaytomic, alice: Player
) -> None:
    for n in range(25):
        fake.add_club(f"Padel {n:02d}", courts=[CourtSpec("Court")])
    seen: list[str] = []
    page = 0
    while True:
        reply = await alice.get("/v1/tenants", size="50", page=str(page))
        assert reply.status == 200
        if not reply.body:
            break
        assert len(reply.body) <= 20
        seen.extend(t["tenant_name"] for t in reply.body)
        page += 1
    assert page == 2
    assert len(seen) == len(set(seen)) == 25
    bad = await alice.get("/v1/tenants", page="-1")
    assert bad.status == 400


async def test_tenants_wrapped_variant(fake: FakePlaytomic, alice: Player, club: FakeClub) -> None:
    fake.variants.tenants_wrapped = True
    reply = await alice.get("/v1/tenants")
    assert [t["tenant_id"] for t in reply.body["tenants"]] == [club.tenant_id]


async def test_tenant_list_names_its_last_page(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    for n in range(4):
        fake.add_club(f"Extra {n}")
    reply = await alice.get("/v1/tenants", size="2", page="0")
    link = reply.headers["Link"]
    assert link.endswith('>; rel="last"')
    assert "page=2" in link  # five clubs, two per page: pages 0, 1, 2
