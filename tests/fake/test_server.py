"""Server-wide behaviour: Date header, request log, unknown paths, real clock, lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from tests.fake_playtomic import FakeClock, FakePlaytomic

from .conftest import T0, Player


async def test_date_header_follows_the_fake_clock(clock: FakeClock, alice: Player) -> None:
    reply = await alice.get("/v2/users/me")
    assert reply.headers["Date"] == "Mon, 02 Mar 2026 08:00:00 GMT"
    clock.advance(61.7)
    reply = await alice.get("/v2/users/me")
    assert reply.headers["Date"] == "Mon, 02 Mar 2026 08:01:01 GMT"
    assert parsedate_to_datetime(reply.headers["Date"]) == datetime(2026, 3, 2, 8, 1, 1, tzinfo=UTC)


async def test_date_header_on_errors_and_faults(fake: FakePlaytomic, anon: Player) -> None:
    assert (await anon.get("/v1/tenants")).headers["Date"] == "Mon, 02 Mar 2026 08:00:00 GMT"
    fake.edge_block()
    assert (await anon.get("/v1/tenants")).headers["Date"] == "Mon, 02 Mar 2026 08:00:00 GMT"


async def test_real_clock_with_skew() -> None:
    clock = FakeClock.real(timedelta(hours=1))
    assert clock.is_real
    assert abs(clock.now() - datetime.now(UTC) - timedelta(hours=1)) < timedelta(seconds=1)
    clock.advance(60)
    assert abs(clock.now() - datetime.now(UTC) - timedelta(hours=1, minutes=1)) < timedelta(
        seconds=1
    )
    clock.set(T0)
    assert abs(clock.now() - T0) < timedelta(seconds=1)


def test_frozen_clock_rules() -> None:
    with pytest.raises(ValueError, match="aware"):
        FakeClock(datetime(2026, 1, 1))
    clock = FakeClock(T0)
    assert clock.advance(timedelta(minutes=1)) == T0 + timedelta(minutes=1)
    assert clock.now() == T0 + timedelta(minutes=1)
    assert not clock.is_real


async def test_request_log_records_api_calls_only(fake: FakePlaytomic, alice: Player) -> None:
    fake.clear_requests()
    await alice.get("/v1/tenants", tenant_name="Norte")
    await alice.call(
        "POST", "/v3/auth/token", json={"refresh_token": alice.tokens["refresh_token"]}, auth=False
    )
    await alice.session.get(fake.url + "/_fake/state")
    assert [(r.method, r.path, r.status) for r in fake.requests] == [
        ("GET", "/v1/tenants", 200),
        ("POST", "/v3/auth/token", 200),
    ]
    first = fake.requests[0]
    assert first.query == {"tenant_name": "Norte"}
    assert first.user_id == "1001"
    assert first.received_at == T0
    assert first.headers["Authorization"].startswith("Bearer ")
    assert first.json is None
    assert fake.requests[1].json == {"refresh_token": alice.tokens["refresh_token"]}
    assert fake.requests[1].received_monotonic >= first.received_monotonic


async def test_unknown_api_path_is_a_json_404(alice: Player) -> None:
    reply = await alice.get("/v1/nothing-here")
    assert reply.status == 404
    assert reply.body["status"] == "NOT_FOUND"


async def test_url_requires_a_running_server() -> None:
    fake = FakePlaytomic(clock=FakeClock(T0))
    with pytest.raises(RuntimeError):
        _ = fake.url
    async with fake:
        assert fake.url.startswith("http://127.0.0.1:")
    with pytest.raises(RuntimeError):
        _ = fake.url


async def test_fixed_port(unused_tcp_port: int) -> None:
    fake = FakePlaytomic(clock=FakeClock(T0))
    url = await fake.start(port=unused_tcp_port)
    try:
        assert url == f"http://127.0.0.1:{unused_tcp_port}"
    finally:
        await fake.stop()
