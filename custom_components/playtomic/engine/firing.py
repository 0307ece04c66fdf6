"""Fire at an instant from inside the running asyncio loop, on the monotonic clock.

Design (why, not what):
- The wall-clock target is converted to a `loop.time()` deadline once, so NTP slewing or a
  wall-clock step during the wait cannot move the shot; HA's own `async_track_point_in_utc_time`
  does the same conversion.
- One `loop.call_at(deadline)`: the selector sleeps until then (epoll rounds its timeout *up* to
  whole milliseconds, so the loop never wakes early and at most ~1 ms late on an idle loop).
  No busy-waiting, no polling, no thread.
- The action is started as an *eager* task from inside the timer callback. An ordinary
  `await sleep()` would resume the waiting coroutine one loop iteration later, behind every
  callback queued meanwhile: on a loaded loop that is one extra slice of someone else's work.
  Eagerly started, the coroutine runs synchronously up to its first real suspension, which for
  an aiohttp request on a warm keep-alive connection is after the request bytes were written.
- Never early: in the callback the wall clock is checked against the target plus a guard
  margin; if the two clocks disagree (wall stepped back during the wait), the timer is re-armed
  for the remainder instead of firing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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
    lateness_ms: float  # loop.time() at the callback minus the monotonic deadline
    rearms: int  # how often the wall clock said "still early"


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def fire_at[T](
    target: datetime,
    action: Callable[[], Coroutine[Any, Any, T]],
    *,
    wall: Callable[[], datetime] = _utcnow,
    guard: timedelta = GUARD_MARGIN,
) -> tuple[T, FireReport]:
    """Run `action()` at host wall instant `target` (+ guard) and return its result and a report.

    If `target` has already passed, the action starts at once (lateness then shows how late).
    """
    loop = asyncio.get_running_loop()
    aimed = target + guard
    started: asyncio.Future[tuple[asyncio.Task[T], FireReport]] = loop.create_future()
    handles: list[asyncio.TimerHandle] = []

    def arm(deadline: float) -> None:
        handles.append(loop.call_at(deadline, shoot, deadline))

    def shoot(deadline: float) -> None:
        if started.done():  # cancelled meanwhile
            return
        woke = loop.time()
        now = wall()
        rearms = len(handles) - 1
        if now < aimed and rearms < _MAX_REARMS:
            arm(woke + (aimed - now).total_seconds())
            return
        report = FireReport(
            target=aimed,
            fired_at=now,
            lateness_ms=(woke - deadline) * 1000,
            rearms=rearms,
        )
        # eager_start: the action writes its first request before this callback returns.
        task: asyncio.Task[T] = asyncio.Task(action(), loop=loop, eager_start=True)
        started.set_result((task, report))

    arm(loop.time() + (aimed - wall()).total_seconds())
    try:
        task, report = await started
    except asyncio.CancelledError:
        if started.done() and not started.cancelled():
            started.result()[0].cancel()
        raise
    finally:
        for handle in handles:
            handle.cancel()
    return await task, report
