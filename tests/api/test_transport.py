"""Request core: headers, edge block, error bodies, timeouts, 429/5xx (docs/playtomic-api.md §1.2-§1.4, §8)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from email.utils import format_datetime
import logging

import aiohttp
import pytest

from custom_components.playtomic.api import (
    UNEXPECTED_RESPONSE,
    PlaytomicApiError,
    PlaytomicAuthError,
    PlaytomicClient,
    PlaytomicConnectionError,
    PlaytomicEdgeBlockedError,
    PlaytomicRateLimitedError,
)
from tests.fake_playtomic import FakeClock, FakePlaytomic
from tests.fake_playtomic.club import FakeClub

from .conftest import Sleeper, api_requests

CF_ID = "vXo3kq1u0bq9w2Xx3Yt8pZ7rR2s1AaBbCcDdEeFfGg=="


async def test_s1_2_headers_on_every_request(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.get_club(club.tenant_id)
    login, get = api_requests(fake)
    for request in (login, get):
        assert request.headers["User-Agent"].startswith("Mozilla/5.0 (Windows NT 10.0")
        assert request.headers["X-Requested-With"] == "com.playtomic.web"
        assert request.headers["Accept"] == "application/json"
    assert login.headers["Content-Type"] == "application/json"
    assert "Authorization" not in login.headers
    assert get.headers["Authorization"].startswith("Bearer ")
    assert "Content-Type" not in get.headers  # only on requests with a body


async def test_s1_1_base_url_trailing_slash_is_stripped(
    fake: FakePlaytomic, make_client: Callable[..., PlaytomicClient], club: FakeClub
) -> None:
    client = make_client(base_url=fake.url + "/")
    await client.get_club(club.tenant_id)
    assert api_requests(fake)[1].path == f"/v1/tenants/{club.tenant_id}"
    assert fake.url in repr(client)


async def test_s1_3_html_403_is_edge_block_paused_15_minutes(
    fake: FakePlaytomic,
    client: PlaytomicClient,
    club: FakeClub,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await client.login()
    fake.edge_block("GET", "^/v1/tenants/", count=1)
    with pytest.raises(PlaytomicEdgeBlockedError) as info:
        await client.get_club(club.tenant_id)
    assert not isinstance(info.value, PlaytomicAuthError)
    assert info.value.cf_id == CF_ID
    assert CF_ID in caplog.text
    assert client.edge_blocked_until == clock.now() + timedelta(minutes=15)
    sent = client.request_count
    # further automatic calls fail fast, without a request
    with pytest.raises(PlaytomicEdgeBlockedError):
        await client.get_club(club.tenant_id)
    with pytest.raises(PlaytomicEdgeBlockedError):
        await client.login()
    assert client.request_count == sent
    assert len(api_requests(fake)) == 2  # login + the blocked GET, no retry
    clock.advance(15 * 60)
    await client.get_club(club.tenant_id)
    assert client.edge_blocked_until is None


async def test_s1_3_edge_block_can_be_reset_by_user(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    fake.edge_block("POST", "^/v3/auth/login$", count=1)
    with pytest.raises(PlaytomicEdgeBlockedError):
        await client.login()
    client.reset_edge_block()
    await client.get_club(club.tenant_id)


async def test_s1_3_html_body_with_json_content_type_is_edge_block(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.respond(
        "GET",
        "^/v1/tenants/",
        status=403,
        text="<HTML><BODY>403 ERROR</BODY></HTML>",
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(PlaytomicEdgeBlockedError) as info:
        await client.get_club(club.tenant_id)
    assert info.value.cf_id is None


async def test_s1_3_json_403_is_an_api_error(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.respond(
        "GET", "^/v1/tenants/", status=403, json={"status": "FORBIDDEN", "localized_message": "No"}
    )
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_club(club.tenant_id)
    assert not isinstance(info.value, PlaytomicEdgeBlockedError)
    assert (info.value.http_status, info.value.code, info.value.message) == (403, "FORBIDDEN", "No")
    assert client.edge_blocked_until is None


async def test_s1_3_non_json_success_is_unexpected_response(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.malformed("GET", "^/v1/tenants/")
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_club(club.tenant_id)
    assert info.value.code == UNEXPECTED_RESPONSE
    fake.respond("GET", "^/v1/tenants/", text="<html>hello</html>")
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_club(club.tenant_id)
    assert info.value.code == UNEXPECTED_RESPONSE
    fake.respond("GET", "^/v1/tenants/", text="", headers={"Content-Type": "application/json"})
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_club(club.tenant_id)
    assert info.value.code == UNEXPECTED_RESPONSE


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            {"status": "INCORRECT_PARAMETERS", "localized_message": "Bad window"},
            "INCORRECT_PARAMETERS",
            "Bad window",
        ),
        (
            {"error": "invalid_request", "details": {"message": "Missing field"}},
            "invalid_request",
            "Missing field",
        ),
        ({"message": "Something broke"}, None, "Something broke"),
        ({"status": 400}, None, "GET /v1/tenants/tenant-norte failed"),
        (["unexpected"], None, "GET /v1/tenants/tenant-norte failed"),
    ],
)
async def test_s1_4_error_body_shapes(
    fake: FakePlaytomic,
    client: PlaytomicClient,
    club: FakeClub,
    body: object,
    code: str | None,
    message: str,
) -> None:
    await client.login()
    fake.respond("GET", "^/v1/tenants/", status=400, json=body)
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_club(club.tenant_id)
    assert (info.value.http_status, info.value.code, info.value.message) == (400, code, message)


async def test_s1_4_non_json_error_body(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.respond("GET", "^/v1/tenants/", status=500, text="Internal error")
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_club(club.tenant_id)
    assert (info.value.http_status, info.value.code) == (500, None)
    assert len(api_requests(fake)) == 2  # 500 is not in the GET retry set


async def test_s1_4_404_unknown_tenant(fake: FakePlaytomic, client: PlaytomicClient) -> None:
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_club("no-such-club")
    assert info.value.http_status == 404


async def test_s1_4_timeout_is_connection_error(
    fake: FakePlaytomic,
    impatient_client: Callable[[float], Awaitable[PlaytomicClient]],
    club: FakeClub,
) -> None:
    client = await impatient_client(0.2)
    fake.hang("GET", "^/v1/tenants/")
    with pytest.raises(PlaytomicConnectionError, match="timed out"):
        await client.get_club(club.tenant_id)


async def test_s1_4_connection_refused_is_connection_error(
    session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    client = PlaytomicClient(
        session, "a@b.c", "pw", base_url="http://127.0.0.1:9", now=clock.now, request_timeout=1
    )
    with pytest.raises(PlaytomicConnectionError):
        await client.login()
    assert client.request_count == 1


async def test_s8_6_get_429_honours_retry_after_then_succeeds(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, sleeper: Sleeper
) -> None:
    await client.login()
    fake.rate_limit("GET", "^/v1/tenants/", retry_after="2", count=2)
    await client.get_club(club.tenant_id)
    assert sleeper.calls == [2.0, 2.0]
    assert len(api_requests(fake)) == 4


async def test_s8_6_get_429_gives_up_after_three_retries(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, sleeper: Sleeper
) -> None:
    await client.login()
    fake.rate_limit("GET", "^/v1/tenants/", retry_after="3", count=None)
    with pytest.raises(PlaytomicRateLimitedError) as info:
        await client.get_club(club.tenant_id)
    assert info.value.retry_after == 3
    assert info.value.http_status == 429
    assert sleeper.calls == [3.0, 3.0, 4.0]  # Retry-After, at least the exponential back-off
    assert len(api_requests(fake)) == 1 + 4


async def test_s8_6_retry_after_http_date_and_cap(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, sleeper: Sleeper, clock: FakeClock
) -> None:
    await client.login()
    when = format_datetime(clock.now() + timedelta(seconds=30), usegmt=True)
    fake.rate_limit("GET", "^/v1/tenants/", retry_after=when, count=1)
    fake.rate_limit("GET", "^/v1/tenants/", retry_after="600", count=1)
    fake.rate_limit("GET", "^/v1/tenants/", retry_after="soon", count=1)
    await client.get_club(club.tenant_id)
    assert sleeper.calls[0] == pytest.approx(30, abs=1)
    assert sleeper.calls[1:] == [120.0, 4.0]


async def test_s8_6_get_5xx_backoff(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, sleeper: Sleeper
) -> None:
    await client.login()
    fake.fail("GET", "^/v1/tenants/", status=503, count=1)
    fake.fail("GET", "^/v1/tenants/", status=502, count=1)
    fake.fail("GET", "^/v1/tenants/", status=504, count=1)
    await client.get_club(club.tenant_id)
    assert sleeper.calls == [1.0, 2.0, 4.0]
    fake.fail("GET", "^/v1/tenants/", status=503, count=None)
    with pytest.raises(PlaytomicApiError) as info:
        await client.get_club(club.tenant_id)
    assert info.value.http_status == 503


async def test_s8_6_post_429_is_never_retried(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, sleeper: Sleeper
) -> None:
    await client.login()
    fake.rate_limit("POST", "^/v1/matches/", retry_after="1", count=None)
    with pytest.raises(PlaytomicRateLimitedError) as info:
        await client.cancel_match("m-1")
    assert info.value.retry_after == 1
    assert sleeper.calls == []
    assert len(api_requests(fake)) == 2


async def test_s8_7_no_secrets_in_logs_errors_or_reprs(
    fake: FakePlaytomic,
    make_client: Callable[..., PlaytomicClient],
    club: FakeClub,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "correct-horse-battery"
    client = make_client()
    errors: list[Exception] = []
    await client.login()
    fake.expire_tokens()
    fake.expire_tokens(refresh=True)
    await client.get_club(club.tenant_id)  # 401 -> refresh 401 -> login -> replay
    faults: list[Callable[[], object]] = [
        lambda: fake.edge_block("GET", "^/v1/tenants/", count=1),
        lambda: fake.malformed("GET", "^/v1/tenants/"),
        lambda: fake.respond(
            "GET", "^/v1/tenants/", status=401, json={"status": "UNAUTHORIZED"}, count=2
        ),
    ]
    for fault in faults:
        fault()
        client.reset_edge_block()
        try:
            await client.get_club(club.tenant_id)
        except Exception as err:
            errors.append(err)
    bad = make_client(password="wrong-" + password)
    try:
        await bad.login()
    except PlaytomicAuthError as err:
        errors.append(err)
    assert len(errors) == 4
    texts = [
        caplog.text,
        repr(client),
        repr(client.tokens),
        str(client.tokens),
        repr(client._session),
        repr(client._session._auth),
    ]
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    secrets = [password, *fake.issued_tokens]
    assert len(secrets) > 4
    for text in texts:
        for secret in secrets:
            assert secret not in text


async def test_s1_1_defaults_real_clock_and_no_tokens(session: aiohttp.ClientSession) -> None:
    client = PlaytomicClient(session, "a@b.c", "pw")
    assert client.tokens is None
    assert client.user_id is None
    assert client.request_count == 0
    assert client.edge_blocked_until is None
    assert client._session.now().tzinfo is not None
    assert "api.app.playtomic.io" in repr(client)
