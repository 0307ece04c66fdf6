"""Fixtures of the engine tests: a fake Playtomic on loopback and a virtual timeline.

The timeline is real time plus a virtual offset. The engine's and the client's `sleep` advance
the offset instead of waiting, and the fake server's clock follows the same offset, so a 30 s
burst with 0.5 s retry spacing runs in milliseconds while requests still cross real sockets.
Firing itself runs on the real event loop clock (tests keep release instants <= 0.3 s ahead).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
import time as _time
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.playtomic.api import Club, PlaytomicClient
from custom_components.playtomic.engine import (
    AttemptResult,
    BookingEngine,
    BookingRule,
    BurstPolicy,
    ClockOffset,
    DailyDrop,
    PlannedAttempt,
)
from tests.fake_playtomic import CourtSpec, DailyDrop as FakeDailyDrop, FakeClock, FakePlaytomic
from tests.fake_playtomic.models import RecordedRequest

EMAIL = "alice@example.com"
PASSWORD = "correct-horse-battery"
USER_ID = "1001"
TENANT = "6b1f0c34-0f5e-4d7e-9c1a-2a1d6e0b7a11"
MADRID = ZoneInfo("Europe/Madrid")
COURT_IDS = ("court-1", "court-2", "court-3", "court-4")


class Timeline:
    """Real time plus a virtual offset that `sleep` advances (and the fake's clocks with it)."""

    def __init__(self, *clocks: FakeClock) -> None:
        self.virtual = timedelta(0)
        self.clocks = list(clocks)
        self.slept: list[float] = []

    def wall(self) -> datetime:
        return datetime.now(UTC) + self.virtual

    def monotonic(self) -> float:
        return _time.monotonic() + self.virtual.total_seconds()

    def jump_to(self, instant: datetime) -> None:
        """Move virtual time so the host clock reads `instant` now (the fake's clocks follow)."""
        step = instant - self.wall()
        self.virtual += step
        for clock in self.clocks:
            clock.advance(step)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if seconds > 0:
            step = timedelta(seconds=seconds)
            self.virtual += step
            for clock in self.clocks:
                clock.advance(step)
        await asyncio.sleep(0)


@dataclass
class World:
    fake: FakePlaytomic
    timeline: Timeline
    client: PlaytomicClient
    engine: BookingEngine
    session: aiohttp.ClientSession
    tokens_seen: list[object]

    async def club(self) -> Club:
        return await self.client.get_club(TENANT)


def make_rule(**overrides: object) -> BookingRule:
    values: dict[str, object] = {
        "rule_id": "rule-1",
        "name": "Evenings",
        "tenant_id": TENANT,
        "zone": MADRID,
        "weekdays": frozenset(range(7)),
        "window_start": time(18, 0),
        "window_end": time(21, 30),
        "duration": 90,
        "preferred_start": time(19, 0),
        "courts": COURT_IDS,
        "court_type": "any",
        "release": DailyDrop(14, time(8, 30)),
        "club_name": "Club Padel Norte",
    }
    values.update(overrides)
    return BookingRule(**values)  # type: ignore[arg-type]


def release_soon(world: World, seconds: float = 0.0, days_ahead: int = 14) -> PlannedAttempt:
    """Make the fake's daily drop happen `seconds` from now (server clock); the planned attempt."""
    instant = world.fake.release_in(TENANT, seconds=seconds)
    target = instant.astimezone(MADRID).date() + timedelta(days=days_ahead)
    return PlannedAttempt(release_at=instant, target_date=target, rule_id="rule-1")


def next_club_time(now: datetime, at: time) -> datetime:
    """The next instant after `now` that reads `at` on the club's (Madrid) clock."""
    local = now.astimezone(MADRID)
    candidate = datetime.combine(local.date(), at, tzinfo=MADRID)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=MADRID)
    return candidate.astimezone(UTC)


def slot_start(target: date, at: time) -> datetime:
    return datetime.combine(target, at, tzinfo=MADRID).astimezone(UTC)


@pytest.fixture
def server_skew() -> timedelta:
    """How far the fake server's clock runs ahead of the host's (tests override it)."""
    return timedelta(0)


@pytest.fixture
def access_ttl() -> float:
    """Lifetime of the fake's access tokens in seconds (tests override it)."""
    return 3600


@pytest.fixture
def hold_seconds() -> float:
    """How long an unconfirmed intent holds its slot on the fake (tests override it)."""
    return 600


@pytest.fixture
async def world(
    server_skew: timedelta, access_ttl: float, hold_seconds: float
) -> AsyncIterator[World]:
    clock = FakeClock.real(offset=server_skew)
    timeline = Timeline(clock)
    # A fixed time of day (10:00 in Madrid, after the 08:30 drop): which of today's evening slots
    # still lie ahead must not depend on when the suite runs.
    timeline.jump_to(next_club_time(timeline.wall(), time(10, 0)))
    fake = FakePlaytomic(clock=clock, hold_seconds=hold_seconds, access_ttl=access_ttl)
    fake.add_account(EMAIL, PASSWORD, user_id=USER_ID, name="Alice")
    fake.add_club(
        "Club Padel Norte",
        timezone="Europe/Madrid",
        tenant_id=TENANT,
        courts=[
            CourtSpec("Pista 1", indoor=True, resource_id=COURT_IDS[0]),
            CourtSpec("Pista 2", indoor=True, resource_id=COURT_IDS[1]),
            CourtSpec("Pista 3", indoor=False, resource_id=COURT_IDS[2]),
            CourtSpec("Pista 4", indoor=False, resource_id=COURT_IDS[3]),
        ],
        release=FakeDailyDrop(days_ahead=14, time=time(8, 30)),
        payment_methods=("CASH", "CREDIT_CARD"),
    )
    await fake.start(host="127.0.0.1", port=0)
    tokens_seen: list[object] = []
    session = aiohttp.ClientSession()
    client = PlaytomicClient(
        session,
        EMAIL,
        PASSWORD,
        base_url=fake.url,
        on_tokens=tokens_seen.append,
        now=timeline.wall,
        sleep=timeline.sleep,
    )
    engine = BookingEngine(
        client,
        wall=timeline.wall,
        monotonic=timeline.monotonic,
        sleep=timeline.sleep,
        # A 409 counts as "maybe early" until the release is surely past (50 ms after it by
        # default). Burst waits are virtual here but round trips are real: on a loaded 2-core
        # host two of them can take longer than 50 ms, which would make a test's early probes
        # conclusive. 0.5 s keeps the same logic clear of that.
        policy=BurstPolicy(settle=0.5),
    )
    try:
        yield World(fake, timeline, client, engine, session, tokens_seen)
    finally:
        await session.close()
        await fake.stop()


# The attempts the engine tests run, and what the fake server saw of them ----------------------

CREATE = "/v1/payment_intents"
POLICY = ("at_club",)


def creates(world: World) -> list[RecordedRequest]:
    return [r for r in world.fake.requests if r.method == "POST" and r.path == CREATE]


def confirms(world: World) -> list[RecordedRequest]:
    return [r for r in world.fake.requests if r.path.endswith("/confirmation")]


def patches(world: World) -> list[RecordedRequest]:
    return [r for r in world.fake.requests if r.method == "PATCH"]


def own_matches(world: World, day: date | None = None) -> list[object]:
    return [
        m
        for m in world.fake.matches
        if m.owner_id == USER_ID
        and m.status != "CANCELED"
        and (day is None or m.start.astimezone(make_rule().zone).date() == day)
    ]


async def ready(
    world: World, rule: BookingRule | None = None, lead: float = 0.05
) -> tuple[BookingRule, Club, PlannedAttempt]:
    await world.client.login()
    club = await world.club()
    rule = rule or make_rule()
    attempt = release_soon(world, lead)
    await world.engine.prepare(rule, club, attempt.release_at, measure_clock=False)
    world.fake.clear_requests()
    return rule, club, attempt


async def run(
    world: World, rule: BookingRule, club: Club, attempt: PlannedAttempt, **kwargs: object
) -> AttemptResult:
    kwargs.setdefault("payment_policy", POLICY)
    return await world.engine.run_release(attempt, rule, club, **kwargs)  # type: ignore[arg-type]


def tried(result: AttemptResult) -> list[str]:
    return [entry["result"] for entry in result.extra["tried"]]


def narrow_estimate(world: World, around: timedelta = timedelta(0)) -> ClockOffset:
    """A server-clock estimate 10 ms wide around `around`, as `prepare` measures it on a quiet
    host a minute before a release (over loopback under load the interval is wider)."""
    ms = timedelta(milliseconds=5)
    return ClockOffset(
        offset=around,
        uncertainty=ms,
        samples=8,
        measured_at=world.timeline.wall(),
        low=around - ms,
        high=around + ms,
    )


def clock_known(world: World) -> None:
    """A narrow estimate of a right host clock installed in the engine.

    Without one the burst cannot tell a taken slot from an early answer for
    `UNMEASURED_SPREAD` (see `test_fast_host_clock_without_an_estimate_...`)."""
    world.engine.set_clock(narrow_estimate(world))
