"""Fixtures: a fake Playtomic server on a loopback port and clients wired to its clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
import os
import tempfile
from typing import Any

import aiohttp
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
import pytest

from custom_components.playtomic.api import PlaytomicClient
from tests.fake_playtomic import CourtSpec, DailyDrop, FakeClock, FakePlaytomic
from tests.fake_playtomic.club import FakeClub

# Property tests must not leave a .hypothesis directory (examples, constants cache) in the tree.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "playtomic-api-hypothesis"))
settings.register_profile("playtomic-api", database=None)
settings.load_profile("playtomic-api")

EMAIL = "alice@example.com"
PASSWORD = "correct-horse-battery"
USER_ID = "1001"
# Monday 2 Mar 2026, 08:00 in Madrid (winter, UTC+1).
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


class Sleeper:
    """Injected `sleep`: records the waits and moves the fake server clock instead of waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def sleeper(clock: FakeClock) -> Sleeper:
    return Sleeper(clock)


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakePlaytomic]:
    server = FakePlaytomic(clock=clock)
    server.add_account(EMAIL, PASSWORD, user_id=USER_ID, name="Alice")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def club(fake: FakePlaytomic) -> FakeClub:
    return fake.add_club(
        "Club Padel Norte",
        timezone="Europe/Madrid",
        tenant_id="tenant-norte",
        courts=[
            CourtSpec("Pista 1", indoor=True, resource_id="r1"),
            CourtSpec("Pista 2", indoor=False, durations=(60, 90), resource_id="r2"),
            CourtSpec("Pista Single", indoor=True, size="single", resource_id="r3"),
            CourtSpec("Pista Rota", resource_id="r4", active=False),
            CourtSpec("Pista Offline", resource_id="r5", bookable_online=False),
        ],
        release=DailyDrop(days_ahead=14, time=datetime(2026, 1, 1, 8, 30).time()),
        payment_methods=("CASH", "CREDIT_CARD"),
    )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(
    fake: FakePlaytomic, session: aiohttp.ClientSession, clock: FakeClock, sleeper: Sleeper
) -> Callable[..., PlaytomicClient]:
    def factory(**kwargs: Any) -> PlaytomicClient:
        options: dict[str, Any] = {
            "base_url": fake.url,
            "now": clock.now,
            "sleep": sleeper,
            "request_timeout": 2.0,
        }
        options.update(kwargs)
        email = options.pop("email", EMAIL)
        password = options.pop("password", PASSWORD)
        return PlaytomicClient(session, email, password, **options)

    return factory


@pytest.fixture
def client(make_client: Callable[..., PlaytomicClient]) -> PlaytomicClient:
    return make_client()


@pytest.fixture
def impatient_client(
    make_client: Callable[..., PlaytomicClient],
) -> Callable[[float], Awaitable[PlaytomicClient]]:
    """A logged-in client that gives up on a silent server after `request_timeout` seconds.

    It logs in with the usual timeout first, so a loaded test host cannot make the login itself
    time out; only the request the test makes hang meets the short one."""

    async def factory(request_timeout: float) -> PlaytomicClient:
        patient = make_client()
        await patient.login()
        return make_client(request_timeout=request_timeout, tokens=patient.tokens)

    return factory


def api_requests(fake: FakePlaytomic) -> list[Any]:
    """Requests the fake received on API paths (not the /_fake/ controls)."""
    return [r for r in fake.requests if not r.path.startswith("/_fake")]
