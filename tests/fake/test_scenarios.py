"""The demo scenario and the command line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from tests.fake_playtomic import FakeClock, FakePlaytomic
from tests.fake_playtomic.__main__ import parse_args
from tests.fake_playtomic.scenarios import DEMO_EMAIL, DEMO_PASSWORD, DEMO_USER_ID

from .conftest import Player

# 09:58:20 UTC: 10:58:20 Madrid, so the demo drop lands at 11:02 Madrid.
DEMO_T0 = datetime(2026, 3, 2, 9, 58, 20, tzinfo=UTC)


@pytest.fixture
async def demo() -> AsyncIterator[FakePlaytomic]:
    fake = FakePlaytomic(clock=FakeClock(DEMO_T0))
    fake.scenario("demo")
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def demo_player(session: aiohttp.ClientSession, demo: FakePlaytomic) -> Player:
    player = Player(session, demo, DEMO_EMAIL, DEMO_PASSWORD)
    tokens = await player.login()
    assert tokens["user_id"] == DEMO_USER_ID
    return player


async def test_demo_has_two_clubs_in_two_zones(demo: FakePlaytomic, demo_player: Player) -> None:
    tenants = (await demo_player.get("/v1/tenants")).body
    zones = {t["address"]["timezone"] for t in tenants}
    assert len(tenants) == 2
    assert zones == {"Europe/Madrid", "Europe/London"}
    for tenant in tenants:
        kinds = {r["properties"]["resource_type"] for r in tenant["resources"]}
        assert kinds == {"indoor", "outdoor"}
        assert 4 <= len(tenant["resources"]) <= 6
    mine = (await demo_player.get("/v1/matches", user_id="me")).body
    assert len(mine) == 2
    assert len(demo.matches) >= 7


async def test_demo_release_happens_a_few_minutes_after_start(
    demo: FakePlaytomic, demo_player: Player
) -> None:
    madrid = next(c for c in demo.clubs.values() if c.timezone == "Europe/Madrid")
    instant = madrid.next_release_after(demo.clock.now())
    assert instant == datetime(2026, 3, 2, 10, 2, tzinfo=UTC)
    zone = ZoneInfo("Europe/Madrid")
    day = (instant.astimezone(zone) + timedelta(days=14)).date()
    low = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    window = (
        low.strftime("%Y-%m-%dT%H:%M:%S"),
        (low + timedelta(hours=23, minutes=59)).strftime("%Y-%m-%dT%H:%M:%S"),
    )
    before = await demo_player.availability(madrid, *window)
    assert all(not e["slots"] for e in before.body)
    demo.clock.set(instant)
    after = await demo_player.availability(madrid, *window)
    free = sum(len(e["slots"]) for e in after.body)
    assert free > 100
    # Seeded competitors start taking slots within seconds.
    demo.clock.advance(60)
    later = await demo_player.availability(madrid, *window)
    assert sum(len(e["slots"]) for e in later.body) < free


async def test_demo_prices_vary_in_the_evening(demo: FakePlaytomic, demo_player: Player) -> None:
    london = next(c for c in demo.clubs.values() if c.timezone == "Europe/London")
    body = (
        await demo_player.availability(london, "2026-03-03T00:00:00", "2026-03-03T23:59:59")
    ).body
    prices = {s["price"] for e in body for s in e["slots"] if s["duration"] == 60}
    assert {"40 GBP", "48 GBP"} <= prices


def test_unknown_scenario() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        FakePlaytomic(clock=FakeClock(DEMO_T0)).scenario("nope")


def test_command_line_arguments() -> None:
    args = parse_args(
        [
            "--host",
            "127.0.0.1",
            "--port",
            "8765",
            "--scenario",
            "demo",
            "--latency-ms",
            "20",
            "--skew-ms",
            "-1500",
        ]
    )
    assert (args.host, args.port, args.scenario, args.latency_ms, args.skew_ms) == (
        "127.0.0.1",
        8765,
        "demo",
        20.0,
        -1500.0,
    )
