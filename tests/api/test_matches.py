"""Own bookings, cancellation (docs/playtomic-api.md §6), the server clock probe and request volume (§8 rule 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from custom_components.playtomic.api import PlaytomicApiError, PlaytomicClient, TokenPair
from tests.fake_playtomic import FakeClock, FakePlaytomic
from tests.fake_playtomic.club import FakeClub

from .conftest import USER_ID, api_requests

START = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)


async def test_s6_matches_request_and_upcoming_filter(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, clock: FakeClock
) -> None:
    past = fake.book_directly(club.tenant_id, "r1", clock.now() - timedelta(days=1), 90, USER_ID)
    soon = fake.book_directly(club.tenant_id, "r1", START, 90, USER_ID)
    later = fake.book_directly(club.tenant_id, "r2", START + timedelta(days=2), 60, USER_ID)
    cancelled = fake.book_directly(club.tenant_id, "r2", START, 90, USER_ID)
    fake.book_directly(club.tenant_id, "r3", START, 90, "someone-else")
    await client.cancel_match(cancelled.match_id)
    upcoming = await client.get_matches()
    assert [m.match_id for m in upcoming] == [soon.match_id, later.match_id]
    everything = await client.get_matches(upcoming_only=False)
    # §11.3: the server leaves out what match_status does not name (the cancelled one).
    assert {m.match_id for m in everything} == {past.match_id, soon.match_id, later.match_id}
    query = next(r.query for r in api_requests(fake) if r.path == "/v1/matches")
    assert query == {
        "user_id": "me",
        "match_status": "PENDING,IN_PROGRESS,VALIDATING,CONFIRMED",
        "sort": "start_date,created_at,ASC",
        "size": "50",
    }
    first = upcoming[0]
    assert (first.tenant_id, first.resource_id, first.duration, first.status) == (
        club.tenant_id,
        "r1",
        90,
        "CONFIRMED",
    )
    assert first.timezone_name == "Europe/Madrid"


async def test_s6_paged_matches_variant(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    booked = fake.book_directly(club.tenant_id, "r1", START, 90, USER_ID)
    fake.variants.matches_paged = True
    assert [m.match_id for m in await client.get_matches()] == [booked.match_id]


async def test_s6_get_and_cancel_match(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    booked = fake.book_directly(club.tenant_id, "r1", START, 90, USER_ID)
    match = await client.get_match(booked.match_id)
    assert match.start == START
    assert not match.is_inactive
    await client.cancel_match(booked.match_id)
    cancel = api_requests(fake)[-1]
    assert cancel.path == f"/v1/matches/{booked.match_id}/cancellation"
    assert cancel.json == {"cancellation_reason_code": "CANCELED_BY_OWNER"}
    assert (await client.get_match(booked.match_id)).is_inactive
    with pytest.raises(PlaytomicApiError) as info:
        await client.cancel_match(booked.match_id)
    assert (info.value.http_status, info.value.code) == (409, "MATCH_NOT_CANCELABLE")


async def test_s6_cancel_accepts_any_2xx_body(fake: FakePlaytomic, client: PlaytomicClient) -> None:
    fake.respond("POST", "/cancellation$", status=204, text="")
    await client.cancel_match("m-1")
    fake.respond("POST", "/cancellation$", status=200, text="OK")
    await client.cancel_match("m-1")


async def test_s11_4_restored_tokens_without_user_id_read_the_profile_not_log_in(
    fake: FakePlaytomic, make_client: Callable[..., PlaytomicClient], club: FakeClub
) -> None:
    pair = await make_client().login()
    anonymous = TokenPair(pair.access_token, pair.refresh_token, pair.access_expires)
    stored: list[TokenPair] = []
    client = make_client(tokens=anonymous, on_tokens=stored.append)
    fake.clear_requests()
    await client.get_matches()
    await client.get_matches()
    assert [r.path for r in api_requests(fake)] == ["/v2/users/me", "/v1/matches", "/v1/matches"]
    assert client.user_id == USER_ID
    assert [t.user_id for t in stored] == [USER_ID]  # persisted with the same tokens
    assert stored[0].refresh_token == pair.refresh_token


async def test_s11_4_profile_without_user_id_is_unexpected_response(
    fake: FakePlaytomic, make_client: Callable[..., PlaytomicClient]
) -> None:
    pair = await make_client().login()
    client = make_client(
        tokens=TokenPair(pair.access_token, pair.refresh_token, pair.access_expires)
    )
    fake.respond("GET", "^/v2/users/me$", json={"full_name": "Alice"})
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_matches()
    assert info.value.code == "UNEXPECTED_RESPONSE"
    assert not any(r.path == "/v3/auth/login" for r in api_requests(fake)[1:])


async def test_s1_1_probe_server_time_reads_date_header(
    fake: FakePlaytomic, make_client: Callable[..., PlaytomicClient], clock: FakeClock
) -> None:
    ticks = iter([clock.now() + timedelta(seconds=n) for n in range(100)])
    client = make_client(now=lambda: next(ticks))
    await client.login()
    fake.clock.set(datetime(2026, 3, 2, 7, 0, 42, tzinfo=UTC))  # server clock ahead
    sample = await client.probe_server_time()
    assert api_requests(fake)[-1].path == "/v2/users/me"
    assert sample.server_date == datetime(2026, 3, 2, 7, 0, 42, tzinfo=UTC)
    assert sample.received_local > sample.sent_local
    assert sample.offset is not None


async def test_s1_1_probe_server_time_error(fake: FakePlaytomic, client: PlaytomicClient) -> None:
    fake.respond("GET", "^/v2/users/me$", status=404, json={"status": "NOT_FOUND"})
    with pytest.raises(PlaytomicApiError):
        await client.probe_server_time()


async def test_s8_5_request_count_for_a_club_day(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    result = await client.get_club(club.tenant_id)
    await client.get_availability(result, date(2026, 3, 3))
    assert client.request_count == 3  # login, tenant, one availability request
    assert client.request_count == len(api_requests(fake))
