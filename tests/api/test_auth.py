"""Authentication against the fake server (docs/playtomic-api.md §2.1-§2.3)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import json

import pytest

from custom_components.playtomic.api import (
    PlaytomicAuthError,
    PlaytomicClient,
    PlaytomicRateLimitedError,
    TokenPair,
)
from tests.fake_playtomic import FakeClock, FakePlaytomic
from tests.fake_playtomic.club import FakeClub

from .conftest import EMAIL, PASSWORD, USER_ID, api_requests

UNAUTHORIZED = {"status": "UNAUTHORIZED", "localized_message": "Token expired"}


def paths(fake: FakePlaytomic) -> list[str]:
    return [f"{r.method} {r.path}" for r in api_requests(fake)]


async def test_s2_1_login_sends_roles_and_stores_tokens(
    fake: FakePlaytomic, make_client: Callable[..., PlaytomicClient], clock: FakeClock
) -> None:
    seen: list[TokenPair] = []
    client = make_client(on_tokens=seen.append)
    pair = await client.login()
    request = api_requests(fake)[0]
    assert request.path == "/v3/auth/login"
    assert request.json == {
        "email": EMAIL,
        "password": PASSWORD,
        "requested_user_roles": ["ROLE_CUSTOMER"],
    }
    assert "Authorization" not in request.headers
    assert seen == [pair]
    assert client.tokens == pair
    assert client.user_id == USER_ID
    assert pair.access_expires == clock.now().replace(microsecond=0) + timedelta(hours=1)
    assert pair.access_token in fake.issued_tokens


async def test_s2_1_wrong_password_is_auth_error_never_retried(
    fake: FakePlaytomic, make_client: Callable[..., PlaytomicClient]
) -> None:
    client = make_client(password="wrong")
    with pytest.raises(PlaytomicAuthError) as info:
        await client.login()
    assert "wrong" not in str(info.value)
    with pytest.raises(PlaytomicAuthError):
        await client.get_club("anything")  # first call logs in implicitly: also 401 -> at once
    assert paths(fake) == ["POST /v3/auth/login", "POST /v3/auth/login"]


async def test_s2_1_missing_expiration_assumes_55_minutes(
    fake: FakePlaytomic, client: PlaytomicClient, clock: FakeClock
) -> None:
    fake.respond(
        "POST",
        "^/v3/auth/login$",
        json={"access_token": "acc-1", "refresh_token": "ref-1", "user_id": "1001"},
    )
    pair = await client.login()
    assert pair.access_expires == clock.now() + timedelta(minutes=55)
    assert pair.refresh_expires is None


async def test_s2_1_login_rate_limited_is_not_retried(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    fake.rate_limit("POST", "^/v3/auth/login$", retry_after="5")
    with pytest.raises(PlaytomicRateLimitedError) as info:
        await client.login()
    assert info.value.retry_after == 5
    assert len(api_requests(fake)) == 1


async def test_s2_2_refresh_sends_decision_body_and_rotates(
    fake: FakePlaytomic,
    make_client: Callable[..., PlaytomicClient],
    clock: FakeClock,
    club: FakeClub,
) -> None:
    seen: list[TokenPair] = []
    client = make_client(on_tokens=seen.append)
    first = await client.login()
    clock.advance(3600 - 59)  # 59 s left: below the 60 s early-refresh margin
    await client.get_club(club.tenant_id)
    refresh = api_requests(fake)[1]
    assert refresh.path == "/v3/auth/token"
    assert refresh.json == {
        "requested_user_roles": ["ROLE_CUSTOMER"],
        "refresh_token": first.refresh_token,
    }
    assert len(seen) == 2
    assert seen[1].refresh_token != first.refresh_token
    get = api_requests(fake)[2]
    assert get.headers["Authorization"] == f"Bearer {seen[1].access_token}"
    assert client.user_id == USER_ID  # kept across refreshes


async def test_s2_2_no_refresh_while_more_than_60s_remain(
    fake: FakePlaytomic, client: PlaytomicClient, clock: FakeClock, club: FakeClub
) -> None:
    await client.login()
    clock.advance(3600 - 61)
    await client.get_club(club.tenant_id)
    assert paths(fake) == ["POST /v3/auth/login", f"GET /v1/tenants/{club.tenant_id}"]


@pytest.mark.parametrize("async_callback", [False, True])
async def test_s2_2_callback_runs_before_any_other_request(
    fake: FakePlaytomic,
    make_client: Callable[..., PlaytomicClient],
    clock: FakeClock,
    club: FakeClub,
    async_callback: bool,
) -> None:
    requests_at_callback: list[int] = []

    def sync_cb(pair: TokenPair) -> None:
        requests_at_callback.append(len(api_requests(fake)))

    async def async_cb(pair: TokenPair) -> None:
        await asyncio.sleep(0.01)  # other tasks get the loop meanwhile; none may send
        requests_at_callback.append(len(api_requests(fake)))

    client = make_client(on_tokens=async_cb if async_callback else sync_cb)
    await asyncio.gather(*(client.get_club(club.tenant_id) for _ in range(3)))
    assert requests_at_callback == [1]  # only the login had been sent
    clock.advance(3600)
    await asyncio.gather(*(client.get_club(club.tenant_id) for _ in range(3)))
    assert requests_at_callback == [1, 5]  # login + 3 GETs + the refresh


async def test_s2_2_refresh_is_single_flight(
    fake: FakePlaytomic,
    make_client: Callable[..., PlaytomicClient],
    clock: FakeClock,
    club: FakeClub,
) -> None:
    client = make_client()
    await client.login()
    clock.advance(3600 + 5)
    await asyncio.gather(*(client.get_club(club.tenant_id) for _ in range(8)))
    assert paths(fake).count("POST /v3/auth/token") == 1
    assert paths(fake).count("POST /v3/auth/login") == 1


async def test_s2_2_callback_failure_does_not_lose_tokens(
    fake: FakePlaytomic,
    make_client: Callable[..., PlaytomicClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(pair: TokenPair) -> None:
        raise OSError("disk full")

    client = make_client(on_tokens=broken)
    pair = await client.login()
    assert client.tokens == pair
    assert "OSError" in caplog.text


async def test_s2_2_restored_tokens_are_used_without_login(
    fake: FakePlaytomic, make_client: Callable[..., PlaytomicClient], club: FakeClub
) -> None:
    stored = json.dumps((await make_client().login()).to_dict())
    fake.clear_requests()
    client = make_client(tokens=TokenPair.from_dict(json.loads(stored)))
    await client.get_club(club.tenant_id)
    assert paths(fake) == [f"GET /v1/tenants/{club.tenant_id}"]


async def test_s2_2_expired_refresh_token_logs_in(
    fake: FakePlaytomic,
    make_client: Callable[..., PlaytomicClient],
    clock: FakeClock,
    club: FakeClub,
) -> None:
    client = make_client()
    await client.login()
    clock.advance(61 * 86400)  # both tokens expired locally: log in straight away
    await client.get_club(club.tenant_id)
    assert paths(fake)[1:] == ["POST /v3/auth/login", f"GET /v1/tenants/{club.tenant_id}"]


async def test_s2_3_401_refreshes_once_and_replays(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.expire_tokens()  # the server no longer accepts the access token; the client thinks it does
    await client.get_club(club.tenant_id)
    assert paths(fake)[1:] == [
        f"GET /v1/tenants/{club.tenant_id}",
        "POST /v3/auth/token",
        f"GET /v1/tenants/{club.tenant_id}",
    ]
    assert [r.status for r in api_requests(fake)][1:] == [401, 200, 200]


async def test_s2_3_dead_refresh_token_falls_back_to_login(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.expire_tokens()
    fake.expire_tokens(refresh=True)  # e.g. the rotated pair was never saved
    await client.get_club(club.tenant_id)
    assert paths(fake)[1:] == [
        f"GET /v1/tenants/{club.tenant_id}",
        "POST /v3/auth/token",
        "POST /v3/auth/login",
        f"GET /v1/tenants/{club.tenant_id}",
    ]


async def test_s2_3_refresh_400_also_falls_back_to_login(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.expire_tokens()
    fake.respond("POST", "^/v3/auth/token$", status=400, json={"status": "INCORRECT_PARAMETERS"})
    await client.get_club(club.tenant_id)
    assert paths(fake)[-2:] == ["POST /v3/auth/login", f"GET /v1/tenants/{club.tenant_id}"]


async def test_s2_3_second_401_raises_auth_error(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.respond("GET", "^/v1/tenants/", status=401, json=UNAUTHORIZED, count=2)
    with pytest.raises(PlaytomicAuthError):
        await client.get_club(club.tenant_id)
    assert paths(fake)[1:] == [
        f"GET /v1/tenants/{club.tenant_id}",
        "POST /v3/auth/token",
        f"GET /v1/tenants/{club.tenant_id}",
    ]


async def test_s2_3_relogin_refused_raises_auth_error(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.expire_tokens()
    fake.expire_tokens(refresh=True)
    fake.accounts[EMAIL].password = "changed-elsewhere"
    with pytest.raises(PlaytomicAuthError):
        await client.get_club(club.tenant_id)
    assert paths(fake)[-1] == "POST /v3/auth/login"


async def test_s2_3_uses_token_another_task_already_renewed(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    # Task A's request is refused with the old token while task B has already refreshed: A must
    # retry with B's token and must not spend the (single-use) refresh token again.
    old = await client.login()
    renewed = await client.ensure_token(min_validity=timedelta(hours=2))  # "task B" refreshes
    fake.clear_requests()
    assert await client._session._auth.after_unauthorized(old.access_token) == renewed
    assert api_requests(fake) == []


async def test_s2_3_no_tokens_at_all_logs_in_on_401(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    pair = await client._session._auth.after_unauthorized("whatever")
    assert paths(fake) == ["POST /v3/auth/login"]
    assert client.tokens == pair


async def test_s2_3_post_is_replayed_once_after_401(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.respond("POST", "^/v1/matches/.*/cancellation$", status=401, json=UNAUTHORIZED)
    match = fake.book_directly(
        club.tenant_id, "r1", fake.clock.now() + timedelta(days=3), 90, USER_ID
    )
    await client.cancel_match(match.match_id)
    assert paths(fake).count(f"POST /v1/matches/{match.match_id}/cancellation") == 2
    assert fake.matches[0].status == "CANCELED"


async def test_s2_3_concurrent_401s_share_one_refresh(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.expire_tokens()  # every in-flight request gets a 401 with the same old token
    fake.latency = 0.01  # keep the requests in flight together
    await asyncio.gather(*(client.get_club(club.tenant_id) for _ in range(6)))
    assert paths(fake).count("POST /v3/auth/token") == 1
    assert paths(fake).count("POST /v3/auth/login") == 1
    statuses = [r.status for r in api_requests(fake) if r.path.startswith("/v1/tenants/")]
    assert statuses.count(401) == 6
    assert statuses.count(200) == 6
