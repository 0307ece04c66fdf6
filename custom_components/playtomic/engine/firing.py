"""Fire at an instant from inside the running asyncio loop, on the monotonic clock.

Design (why, not what):
- The wall-clock target is converted to a `loop.time()` deadline once, so NTP slewing or a
  wall-clock step during the wait cannot move the shot; HA's own `async_track_point_in_utc_time`
  does the same conversion.
- The loop is claimed just before the instant (`loop_claim`): the loop's lag is sampled in the
  seconds before (collector already paused), one `loop.call_at` is armed that much early (at
  most `max_hold`), and its callback holds the loop without yielding until the instant (asleep
  until the last millisecond, then spinning). On a busy loop a timer at the instant itself would
  run only after whatever callback was running or queued ahead of it.
- The action is started as an *eager* task from inside that callback. An ordinary
  `await sleep()` would resume the waiting coroutine one loop iteration later, behind every
  callback queued meanwhile. Eagerly started, the coroutine runs synchronously up to its first
  real suspension, which for an aiohttp request on a warm keep-alive connection is after the
  request bytes were written.
- Never early: the hold ends only when both the monotonic deadline and the wall-clock target
  (plus a guard margin) are reached; if the wall clock still says "early" when the hold's budget
  is spent (it was stepped back during the wait), the timer is re-armed for the remainder.
- Logging happens after the action has finished, never between the claim and the first answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

from .loop_claim import (
    DEFAULT_CLAIM,
    ClaimPolicy,
    HotPath,
    LagMeter,
    block_thread,
    hold,
    loop_timer,
    monotonic_deadline,
    sample_lag,
)

_LOGGER = logging.getLogger(__name__)

# Added to every target so that rounding between the wall and monotonic clocks (µs) and a
# sub-millisecond disagreement between them can never make the first request early. 0.5 ms costs
# 0.5 ms of fire error; a request that arrives before the release costs a 409 and a retry.
GUARD_MARGIN = timedelta(microseconds=500)
# Re-arming happens only when the wall clock stepped during the wait; a few rounds suffice.
_MAX_REARMS = 5


@dataclass(frozen=True, kw_only=True)
class FireReport:
    """How the shot went, for diagnostics and the benchmark."""

    target: datetime  # host wall instant aimed at (guard included)
    fired_at: datetime  # host wall clock when the action started
    lateness_ms: float  # fired_at minus target (host wall clock)
    rearms: int  # how often the wall clock said "still early"
    lead_ms: float = 0.0  # how long before the instant the claim timer was armed
    claim_lag_ms: float = 0.0  # how late the claim timer's callback ran
    held_ms: float = 0.0  # loop time held without yielding, claim to action start
    loop_lag_ms: float = 0.0  # worst timer lag measured before the release
    lag_samples: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def fire_at[T](
    target: datetime,
    action: Callable[[], Coroutine[Any, Any, T]],
    *,
    wall: Callable[[], datetime] = _utcnow,
    guard: timedelta = GUARD_MARGIN,
    claim: ClaimPolicy = DEFAULT_CLAIM,
    hot_path: HotPath | None = None,
    pause: Callable[[float], None] = block_thread,
) -> tuple[T, FireReport]:
    """Run `action()` at host wall instant `target` (+ guard) and return its result and a report.

    `hot_path` (collector off, short switch interval) is entered at the claim; the action may
    release it early (after its first confirmation), and it is released here in any case.
    If `target` has already passed, the action starts at once (lateness then shows how late).
    `pause` is how the hold blocks the thread before its final spin (a virtual clock in tests).
    """
    loop = asyncio.get_running_loop()
    aimed = target + guard
    hot = hot_path if hot_path is not None else HotPath(claim)
    meter = LagMeter()
    started: asyncio.Future[tuple[asyncio.Task[T], FireReport]] = loop.create_future()
    handles: list[asyncio.TimerHandle] = []
    lead = 0.0
    deadline = monotonic_deadline(loop.time, wall, aimed)

    def arm(at: float) -> None:
        handles.append(loop.call_at(at - lead, shoot, at - lead))

    def shoot(claimed_for: float) -> None:
        if started.done():  # cancelled meanwhile
            return
        try:
            claim_and_fire(claimed_for)
        except Exception as err:  # handed to fire_at's caller, never lost
            # An error in a timer callback would only reach the loop's exception handler and
            # leave fire_at waiting forever for a shot that died.
            if not started.done():
                started.set_exception(err)

    def claim_and_fire(claimed_for: float) -> None:
        nonlocal deadline
        woke = loop.time()
        hot.enter()
        rearms = len(handles) - 1
        reached = hold(
            loop.time,
            deadline,
            wall,
            aimed,
            woke + claim.max_hold,
            pause=pause,
            spin_tail=claim.spin_tail,
        )
        if not reached and rearms < _MAX_REARMS:
            # The wall clock was stepped back: wait again instead of holding longer.
            hot.release()
            deadline = monotonic_deadline(loop.time, wall, aimed)
            arm(deadline)
            return
        fired_at = wall()
        fired = loop.time()
        report = FireReport(
            target=aimed,
            fired_at=fired_at,
            lateness_ms=(fired_at - aimed) / timedelta(milliseconds=1),
            rearms=rearms,
            lead_ms=lead * 1000,
            claim_lag_ms=(woke - claimed_for) * 1000,
            held_ms=(fired - woke) * 1000,
            loop_lag_ms=meter.worst * 1000,
            lag_samples=meter.samples,
        )
        # eager_start: the action writes its first request before this callback returns.
        task: asyncio.Task[T] = asyncio.Task(action(), loop=loop, eager_start=True)
        started.set_result((task, report))

    try:
        if claim.max_hold > 0:
            window = deadline - claim.max_hold - claim.lag_window
            if window > loop.time():
                await loop_timer(loop, window)
            # The hot path starts with the sampling: no collection can begin in the seconds
            # before the instant (a full one on a large heap would outlast any claim), and the
            # lag is sampled under the switch interval the claim will run with.
            hot.enter()
            await sample_lag(
                loop,
                meter,
                # Probes end before the earliest possible claim, so none runs while we hold.
                stop=deadline - claim.max_hold - claim.probe_period,
                period=claim.probe_period,
            )
            deadline = monotonic_deadline(loop.time, wall, aimed)
            lead = claim.lead(meter.worst)
        arm(deadline)
        task, report = await started
        result = await task
    except asyncio.CancelledError:
        if started.done() and not started.cancelled():
            started.result()[0].cancel()
        raise
    finally:
        for handle in handles:
            handle.cancel()
        hot.release()
    _log_if_unusual(report, claim)
    return result, report


def _log_if_unusual(report: FireReport, claim: ClaimPolicy) -> None:
    if report.held_ms > claim.max_hold * 1000 and claim.max_hold > 0:
        _LOGGER.warning(
            "The event loop was held %.1f ms before the release, more than the %.0f ms bound",
            report.held_ms,
            claim.max_hold * 1000,
        )
    if report.lateness_ms > claim.late_warning * 1000:
        _LOGGER.warning(
            "The release fired %.1f ms late: the event loop was busy for %.1f ms when it was "
            "claimed %.1f ms ahead (worst lag before: %.1f ms)",
            report.lateness_ms,
            report.claim_lag_ms,
            report.lead_ms,
            report.loop_lag_ms,
        )
