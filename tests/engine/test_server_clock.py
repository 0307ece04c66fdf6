"""Server-clock estimation from 1-second Date headers: bounds, bisection, the fake's skewed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import math

import pytest

from custom_components.playtomic.api import ServerTimeSample
from custom_components.playtomic.engine import ClockOffset, measure_offset
from tests.engine.conftest import World

BASE = datetime(2026, 3, 2, 7, 29, 0, 123456, tzinfo=UTC)


class SimulatedServer:
    """A host clock (virtual) and a server clock `offset` ahead; probes take `rtt` seconds.

    `stamp_at` places the server's Date stamp inside the round trip (0 = on arrival, 1 = just
    before the answer leaves, like a server that sleeps before answering).
    """

    def __init__(self, offset: float, rtt: float, stamp_at: float = 0.5) -> None:
        self.host = 0.0
        self.offset = offset
        self.rtt = rtt
        self.stamp_at = stamp_at
        self.probes = 0

    def now(self) -> datetime:
        return BASE + timedelta(seconds=self.host)

    async def sleep(self, seconds: float) -> None:
        self.host += max(0.0, seconds)

    async def probe(self) -> ServerTimeSample:
        self.probes += 1
        sent = self.now()
        self.host += self.rtt * self.stamp_at
        server = BASE + timedelta(seconds=self.host + self.offset)
        date_header = server.replace(microsecond=0)
        self.host += self.rtt * (1 - self.stamp_at)
        return ServerTimeSample(sent, self.now(), date_header)


@pytest.mark.parametrize("offset", [-0.8, -0.3127, 0.0, 0.0049, 0.25, 0.8, 1.7513, 3600.2])
@pytest.mark.parametrize(("rtt", "stamp_at"), [(0.002, 0.5), (0.02, 1.0), (0.02, 0.0), (0.08, 0.5)])
async def test_bisection_brackets_the_true_offset(
    offset: float, rtt: float, stamp_at: float
) -> None:
    sim = SimulatedServer(offset, rtt, stamp_at)
    result = await measure_offset(sim.probe, now=sim.now, sleep=sim.sleep, max_probes=10)
    low, high = result.low.total_seconds(), result.high.total_seconds()
    assert low <= offset <= high
    # One second of Date resolution shrinks to about one round trip.
    assert result.uncertainty.total_seconds() <= max(0.005, rtt * 0.75)
    assert result.samples == sim.probes <= 10
    assert math.isclose(result.offset.total_seconds(), (low + high) / 2, abs_tol=2e-6)
    # Bisection needs at most a few seconds of waiting for second boundaries.
    assert sim.host < 12


async def test_default_budget_reaches_tens_of_ms() -> None:
    sim = SimulatedServer(0.8, 0.02)
    result = await measure_offset(sim.probe, now=sim.now, sleep=sim.sleep)
    assert result.samples <= 10
    assert result.uncertainty <= timedelta(milliseconds=15)


async def test_a_clock_step_restarts_the_estimate() -> None:
    sim = SimulatedServer(0.3, 0.01)
    calls = 0

    async def probe() -> ServerTimeSample:
        nonlocal calls
        calls += 1
        if calls == 4:
            sim.offset = 5.0  # the server's clock stepped
        return await sim.probe()

    result = await measure_offset(probe, now=sim.now, sleep=sim.sleep, max_probes=10)
    assert result.low.total_seconds() <= 5.0 <= result.high.total_seconds()


async def test_no_date_header_means_unknown_offset() -> None:
    async def probe() -> ServerTimeSample:
        return ServerTimeSample(BASE, BASE + timedelta(milliseconds=5), None)

    async def no_sleep(_: float) -> None:
        return None

    result = await measure_offset(probe, now=lambda: BASE, sleep=no_sleep, max_probes=3)
    assert result.samples == 0
    assert result.firing_offset == timedelta(0)
    assert result.host_instant(BASE) == BASE


def _offset(low_ms: float, high_ms: float) -> ClockOffset:
    low, high = timedelta(milliseconds=low_ms), timedelta(milliseconds=high_ms)
    return ClockOffset(
        offset=(low + high) / 2,
        uncertainty=(high - low) / 2,
        samples=6,
        measured_at=BASE,
        low=low,
        high=high,
    )


def test_firing_offset_is_never_early() -> None:
    # Interval clear of zero: fire on its low end, the earliest instant that cannot be early.
    ahead = _offset(790, 812)
    assert ahead.firing_offset == timedelta(milliseconds=790)
    release = BASE + timedelta(minutes=1)
    assert ahead.host_instant(release) == release - timedelta(milliseconds=790)
    behind = _offset(-812, -790)
    assert behind.host_instant(release) == release + timedelta(milliseconds=812)
    # Interval containing zero: the NTP-synced host clock is better than Date headers can show.
    agrees = _offset(-6, 9)
    assert agrees.host_clock_agrees
    assert agrees.firing_offset == timedelta(0)
    assert agrees.as_dict()["firing_offset_ms"] == 0.0


@pytest.mark.parametrize("server_skew", [timedelta(milliseconds=800)], indirect=False)
async def test_against_the_fake_server_running_800ms_ahead(world: World) -> None:
    await world.client.login()
    before = world.client.request_count
    clock = await world.engine.measure_clock()
    assert world.client.request_count - before == clock.samples <= 10
    assert clock.low <= timedelta(milliseconds=800) <= clock.high
    # How narrow the interval gets over real sockets depends on the host's load: the precision
    # of the bisection is tested above on scripted probes and measured in bench/.
    assert not clock.host_clock_agrees
    assert world.engine.clock is clock
    # A fresh estimate is reused rather than measured again.
    assert await world.engine.measure_clock() is clock
    print(f"offset {clock.as_dict()}")


@pytest.mark.parametrize("server_skew", [timedelta(milliseconds=-800)])
async def test_against_the_fake_server_running_800ms_behind(world: World) -> None:
    await world.client.login()
    clock = await world.engine.measure_clock()
    assert clock.low <= timedelta(milliseconds=-800) <= clock.high
    assert not clock.host_clock_agrees


async def test_against_the_fake_server_with_a_right_host_clock(world: World) -> None:
    await world.client.login()
    clock = await world.engine.measure_clock()
    assert clock.host_clock_agrees
    assert clock.firing_offset == timedelta(0)
