"""Server-clock estimation from `Date` headers (1-second resolution) by bisection.

Each probe sent at host time `s` and answered at `r` with `Date: D` says the server's clock read
somewhere in `[D, D + 1)` at some host instant in `[s, r]`, so

    offset = server - host  lies in  (D - r, D + 1 - s).

Intersecting samples narrows the interval. A second-resolution header only carries information
near a second boundary, so after the first probe every later probe is timed to reach the server
when, by the current midpoint estimate, the server's clock ticks over a whole second: whether
the `Date` shows the old or the new second then halves the interval. After 6-10 probes the width
is about one round trip (tens of ms on the internet, ~10 ms on loopback with injected latency).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import logging
import math
from typing import Any

from ..api.models import ServerTimeSample

_LOGGER = logging.getLogger(__name__)

# Headroom between deciding on a probe time and sending it, so the timer is never already late.
_SCHEDULE_HEADROOM = 0.02
_ZERO = timedelta(0)
# Bisection converges to about half a round trip; stop there instead of spending requests.
_RTT_FLOOR = 0.75
# With no sample at all (a failed probe, a restart just before the release) the host clock is
# all we have, and a host without NTP can be seconds off. The burst treats "not available"
# answers as possibly early for this long after the instant and paces its tries over it, so a
# fast host clock cannot spend the request budget before the release (engine/burst.py).
UNMEASURED_SPREAD = timedelta(seconds=6)


@dataclass(frozen=True, kw_only=True)
class ClockOffset:
    """Estimated `server clock - host clock`, with the interval it is known to lie in."""

    offset: timedelta  # midpoint estimate
    uncertainty: timedelta  # half-width of [low, high]
    samples: int
    measured_at: datetime  # host wall clock, UTC
    low: timedelta
    high: timedelta
    round_trip: timedelta | None = None  # fastest probe round trip seen

    @classmethod
    def unknown(cls, measured_at: datetime) -> ClockOffset:
        """No usable sample: fire on the host clock."""
        return cls(
            offset=_ZERO,
            uncertainty=_ZERO,
            samples=0,
            measured_at=measured_at,
            low=_ZERO,
            high=_ZERO,
        )

    @property
    def spread(self) -> timedelta:
        """How far off the firing reading may be: the measured interval's width, or
        `UNMEASURED_SPREAD` when nothing was measured."""
        if self.samples == 0:
            return UNMEASURED_SPREAD
        return self.high - self.low

    @property
    def host_clock_agrees(self) -> bool:
        """The measured interval contains zero: the host clock is right as far as we can tell."""
        return self.low <= _ZERO <= self.high

    @property
    def firing_offset(self) -> timedelta:
        """The offset to fire on so the request is never early on the server's clock.

        If the interval contains zero, an NTP-synced host (HA's normal state) is more precise
        than `Date` headers can ever show, so we keep the host clock: adding the interval's
        width would only make us late. Otherwise the server's release happens at host time
        `release - offset` for some offset in [low, high]; firing at `release - low` is the
        earliest instant that is at or after the release for every offset still possible.
        """
        if self.samples == 0 or self.host_clock_agrees:
            return _ZERO
        return self.low

    def host_instant(self, server_instant: datetime) -> datetime:
        """The host wall instant at which the server's clock will read `server_instant`."""
        return server_instant - self.firing_offset

    def to_server(self, host_instant: datetime) -> datetime:
        """Best estimate of the server's clock at a host wall instant."""
        return host_instant + self.firing_offset

    def as_dict(self) -> dict[str, Any]:
        """Diagnostics form (milliseconds)."""
        return {
            "offset_ms": round(self.offset / timedelta(milliseconds=1), 1),
            "uncertainty_ms": round(self.uncertainty / timedelta(milliseconds=1), 1),
            "low_ms": round(self.low / timedelta(milliseconds=1), 1),
            "high_ms": round(self.high / timedelta(milliseconds=1), 1),
            "firing_offset_ms": round(self.firing_offset / timedelta(milliseconds=1), 1),
            "samples": self.samples,
            "round_trip_ms": None
            if self.round_trip is None
            else round(self.round_trip / timedelta(milliseconds=1), 1),
            "measured_at": self.measured_at.isoformat(),
        }


class OffsetInterval:
    """The running intersection of per-sample bounds, in seconds."""

    def __init__(self) -> None:
        self.low = -math.inf
        self.high = math.inf
        self.samples = 0
        self.resets = 0
        self.min_round_trip: float | None = None

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def add(self, sample: ServerTimeSample) -> bool:
        """Intersect with one sample's bounds; False when the sample has no usable Date."""
        if sample.server_date is None:
            return False
        sent = sample.sent_local.timestamp()
        received = sample.received_local.timestamp()
        server = sample.server_date.timestamp()
        low, high = server - received, server + 1.0 - sent
        rtt = received - sent
        self.min_round_trip = rtt if self.min_round_trip is None else min(self.min_round_trip, rtt)
        new_low, new_high = max(self.low, low), min(self.high, high)
        if new_low > new_high:
            # Contradiction: one of the clocks stepped. Old samples describe a clock that no
            # longer exists, so start over from this one.
            self.resets += 1
            new_low, new_high = low, high
        self.low, self.high = new_low, new_high
        self.samples += 1
        return True

    def next_send_delay(self, now: float) -> float:
        """Seconds from `now` (host epoch) until the next probe should leave.

        Aim for the server to stamp the response just as its clock crosses a whole second, by
        the current midpoint, assuming the stamp falls half a round trip after sending.
        """
        half_rtt = (self.min_round_trip or 0.0) / 2
        mid = self.midpoint
        boundary = math.ceil(now + mid + half_rtt + _SCHEDULE_HEADROOM)
        return max(0.0, boundary - mid - half_rtt - now)

    def result(self, measured_at: datetime) -> ClockOffset:
        if not self.bounded:
            return ClockOffset.unknown(measured_at)
        return ClockOffset(
            offset=timedelta(seconds=self.midpoint),
            uncertainty=timedelta(seconds=self.half_width),
            samples=self.samples,
            measured_at=measured_at,
            low=timedelta(seconds=self.low),
            high=timedelta(seconds=self.high),
            round_trip=None
            if self.min_round_trip is None
            else timedelta(seconds=self.min_round_trip),
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def measure_offset(
    probe: Callable[[], Awaitable[ServerTimeSample]],
    *,
    now: Callable[[], datetime] = _utcnow,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    max_probes: int = 10,
    target_uncertainty: timedelta = timedelta(milliseconds=5),
) -> ClockOffset:
    """Estimate the server clock offset with at most `max_probes` cheap requests.

    `probe` is usually `client.probe_server_time`. Stops early once the half-width is within
    `target_uncertainty`, or within 3/4 of the fastest round trip (bisection cannot resolve
    much below one round trip, so further probes would only add requests). Takes about one
    second per probe after the first (each waits for a second boundary), so call it ahead of
    time, not inside a burst.
    """
    interval = OffsetInterval()
    for index in range(max_probes):
        if index > 0 and interval.bounded:
            delay = interval.next_send_delay(now().timestamp())
            if delay > 0:
                await sleep(delay)
        interval.add(await probe())
        enough = max(
            target_uncertainty.total_seconds(), _RTT_FLOOR * (interval.min_round_trip or 0)
        )
        if interval.bounded and interval.half_width <= enough:
            break
    result = interval.result(now())
    _LOGGER.debug(
        "Server clock offset %+.1f ms +-%.1f ms from %d samples (%d resets)",
        result.offset / timedelta(milliseconds=1),
        result.uncertainty / timedelta(milliseconds=1),
        result.samples,
        interval.resets,
    )
    return result
