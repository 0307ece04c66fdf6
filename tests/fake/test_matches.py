"""Own bookings: list filters and shapes, one match, cancellation (docs/playtomic-api.md §6)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.fake_playtomic import FakeClock, FakeClub, FakePlaytomic

from .conftest import Player


def _seed(fake: FakePlaytomic, club: FakeClub) -> list[str]:
    court = club.courts[0].resource_id
    return [
        fake.book_directly(
            club.tenant_id, court, datetime(2026, 3, 5, 18, 0, tzinfo=UTC), 90, "1001"
        ).match_id,
        fake.book_directly(
            club.tenant_id, court, datetime(2026, 3, 3, 18, 0, tzinfo=UTC), 60, "1001"
        ).match_id,
        fake.book_directly(
            club.tenant_id, court, datetime(2026, 3, 1, 18, 0, tzinfo=UTC), 60, "1001"
        ).match_id,
        fake.book_directly(
            club.tenant_id, court, datetime(2026, 3, 4, 18, 0, tzinfo=UTC), 60, "1002"
        ).match_id,
    ]


async def test_match_json_shape(fake: FakePlaytomic, alice: Player, club: FakeClub) -> None:
    confirmed = await alice.book(club, club.courts[0].resource_id, "2026-03-16T17:30:00")
    match_id = confirmed.body["cart"]["item"]["cart_item_data"]["match_id"]
    reply = await alice.get("/v1/matches", user_id="me", sort="start_date,desc", size="50")
    assert reply.status == 200
    [match] = reply.body
    assert match["match_id"] == match_id
    assert match["owner_id"] == "1001"
    assert match["status"] == "CONFIRMED"
    assert match["sport_id"] == "PADEL"
    assert match["start_date"] == "2026-03-16T17:30:00"
    assert match["end_date"] == "2026-03-16T19:00:00"
    assert match["created_at"] == "2026-03-02T08:00:00"
    assert match["resource_id"] == club.courts[0].resource_id
    assert match["resource_name"] == "Pista 1"
    assert match["price"] == "36 EUR"
    assert match["tenant"] == {
        "tenant_id": club.tenant_id,
        "tenant_name": "Club Padel Norte",
        "address": {"timezone": "Europe/Madrid"},
    }
    assert match["teams"][0]["players"] == [{"user_id": "1001", "name": "Alice"}]
    one = await alice.get(f"/v1/matches/{match_id}")
    assert one.body == match


async def test_filters_sort_and_paging(fake: FakePlaytomic, alice: Player, club: FakeClub) -> None:
    ids = _seed(fake, club)
    desc = await alice.get("/v1/matches", user_id="1001", sort="start_date,desc")
    assert [m["match_id"] for m in desc.body] == [ids[0], ids[1], ids[2]]
    app = await alice.get(
        "/v1/matches",
        user_id="me",
        match_status="PENDING,IN_PROGRESS,VALIDATING,CONFIRMED",
        sort="start_date,created_at,ASC",
    )
    assert [m["match_id"] for m in app.body] == [ids[2], ids[1], ids[0]]
    asc = await alice.get(
        "/v1/matches",
        user_id="1001",
        status="CONFIRMED",
        start_min="2026-03-02T08:00:00",
        sort="start_date,asc",
    )
    assert [m["match_id"] for m in asc.body] == [ids[1], ids[0]]
    page1 = await alice.get("/v1/matches", user_id="me", sort="start_date,asc", size="2", page="1")
    assert [m["match_id"] for m in page1.body] == [ids[0]]
    # §11.3: owner_id is no filter, and a list without user_id holds other people's matches.
    unfiltered = await alice.get("/v1/matches", owner_id="1001")
    assert sorted(m["match_id"] for m in unfiltered.body) == sorted(ids)
    bob_view = await alice.get("/v1/matches", user_id="1002")
    assert [m["match_id"] for m in bob_view.body] == [ids[3]]
    none = await alice.get("/v1/matches", user_id="me", status="PENDING")
    assert none.body == []
    bad = await alice.get("/v1/matches", start_min="soon")
    assert bad.status == 400


async def test_paged_variant(fake: FakePlaytomic, alice: Player, club: FakeClub) -> None:
    _seed(fake, club)
    fake.variants.matches_paged = True
    reply = await alice.get("/v1/matches", user_id="me", size="2")
    assert len(reply.body["content"]) == 2
    assert reply.body["total_elements"] == 3


async def test_cancellation(
    fake: FakePlaytomic, alice: Player, bob: Player, club: FakeClub
) -> None:
    ids = _seed(fake, club)
    not_mine = await bob.call(
        "POST",
        f"/v1/matches/{ids[0]}/cancellation",
        json={"cancellation_reason_code": "CANCELED_BY_OWNER"},
    )
    assert not_mine.status == 403
    reply = await alice.call(
        "POST",
        f"/v1/matches/{ids[0]}/cancellation",
        json={"cancellation_reason_code": "CANCELED_BY_OWNER"},
    )
    assert reply.status == 200
    assert reply.body["status"] == "CANCELED"
    assert (await alice.get(f"/v1/matches/{ids[0]}")).body["status"] == "CANCELED"
    again = await alice.call("POST", f"/v1/matches/{ids[0]}/cancellation", json={})
    assert again.status == 409
    assert again.body["status"] == "MATCH_NOT_CANCELABLE"
    started = await alice.call("POST", f"/v1/matches/{ids[2]}/cancellation")
    assert started.status == 409
    assert started.body["status"] == "MATCH_NOT_CANCELABLE"
    assert (await alice.call("POST", "/v1/matches/nope/cancellation")).status == 404
    assert (await alice.get("/v1/matches/nope")).status == 404


async def test_a_match_that_starts_later_today_can_be_cancelled_until_it_starts(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    match = fake.book_directly(
        club.tenant_id,
        club.courts[0].resource_id,
        datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
        60,
        "1001",
    )
    clock.set(datetime(2026, 3, 2, 8, 30, tzinfo=UTC))
    reply = await alice.call("POST", f"/v1/matches/{match.match_id}/cancellation")
    assert reply.status == 409


async def test_ignore_user_filter_lists_every_match(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    ids = _seed(fake, club)
    fake.variants.ignore_user_filter = True
    reply = await alice.get("/v1/matches", user_id="me")
    assert sorted(m["match_id"] for m in reply.body) == sorted(ids)
    assert {m["owner_id"] for m in reply.body} == {"1001", "1002"}
