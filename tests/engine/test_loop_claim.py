"""Claiming the loop before the instant: bounded, never early, late but reported when blocked.

Deterministic: these run on `ScriptedLoop` (virtual clock, scripted lag), not on real time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import gc
import logging
import sys
from typing import Any

import pytest

from custom_components.playtomic.engine import ClaimPolicy, FireReport, HotPath, fire_at
from custom_components.playtomic.engine.firing import GUARD_MARGIN
from custom_components.playtomic.engine.loop_claim import hold, monotonic_deadline

from .scripted_loop import ScriptedLoop, uniform_slices

MS = timedelta(milliseconds=1)
BOUND_MS = ClaimPolicy().max_hold * 1000


@dataclass
class Shot:
    report: FireReport
    sent: datetime  # wall clock when the action ran its first step
    target: datetime


def shoot(
    script: Callable[[ScriptedLoop, datetime], None],
    *,
    claim: ClaimPolicy | None = None,
    ahead: timedelta = timedelta(seconds=3),
    pauses: list[float] | None = None,
) -> Shot:
    """Fire 3 s ahead on a scripted loop; `script` sets up the load before the wait starts.

    The hold's sleeps pass the loop's virtual time (and are noted in `pauses`).
    """
    loop = ScriptedLoop()
    slept = pauses if pauses is not None else []

    def pause(seconds: float) -> None:
        slept.append(seconds)
        loop.block(seconds)

    try:
        target = loop.wall() + ahead
        sent: list[datetime] = []

        async def action() -> None:
            sent.append(loop.wall())

        async def main() -> FireReport:
            script(loop, target)
            kwargs: dict[str, Any] = {} if claim is None else {"claim": claim}
            _, report = await fire_at(target, action, wall=loop.wall, pause=pause, **kwargs)
            return report

        report = loop.run_until_complete(main())
        return Shot(report, sent[0], target)
    finally:
        loop.close()


def busy(slice_low: float, slice_high: float, idle: float = 0.0) -> Callable[..., None]:
    def script(loop: ScriptedLoop, _target: datetime) -> None:
        loop.burner(uniform_slices(slice_low, slice_high), idle=idle)

    return script


def quiet(_loop: ScriptedLoop, _target: datetime) -> None:
    return


def test_quiet_loop_holds_only_the_minimum_lead() -> None:
    shot = shoot(quiet)
    assert shot.sent >= shot.target + GUARD_MARGIN
    assert shot.sent - shot.target < GUARD_MARGIN + MS
    assert shot.report.lag_samples > 100  # the lag was sampled over the seconds before
    assert shot.report.loop_lag_ms < 0.1
    assert shot.report.lead_ms == pytest.approx(ClaimPolicy().lead(0.0) * 1000, abs=0.1)
    assert shot.report.lead_ms < 5
    assert 0 < shot.report.held_ms <= shot.report.lead_ms + 0.1


def test_a_busy_loop_is_claimed_early_held_within_the_bound_and_never_early() -> None:
    # 100 % busy: callbacks of 5-20 ms back to back, the claim timer waits behind them.
    shot = shoot(busy(0.005, 0.020))
    assert shot.report.loop_lag_ms > 10  # the sampling saw the load
    assert shot.report.lead_ms == pytest.approx(  # armed to cover the worst lag seen ...
        ClaimPolicy().lead(shot.report.loop_lag_ms / 1000) * 1000
    )
    assert shot.report.lead_ms <= BOUND_MS  # ... and never earlier than the bound
    assert shot.report.claim_lag_ms > 0  # the claim timer itself ran late, behind the load
    assert 0 < shot.report.held_ms <= BOUND_MS
    assert shot.sent >= shot.target + GUARD_MARGIN  # never before the instant
    assert shot.sent - shot.target < GUARD_MARGIN + MS  # and on time


def test_the_hold_sleeps_and_spins_only_the_last_bit() -> None:
    """The held loop is not a spinning thread: the GIL and the CPU are free until `spin_tail`
    before the instant (a spinning thread gets preempted by the OS right at the instant)."""
    pauses: list[float] = []
    shot = shoot(busy(0.005, 0.020), pauses=pauses)
    tail_ms = ClaimPolicy().spin_tail * 1000
    assert pauses  # it slept ...
    assert sum(pauses) * 1000 == pytest.approx(shot.report.held_ms - tail_ms, abs=0.2)  # ... all
    # but the tail, and still not a moment early.
    assert shot.sent >= shot.target + GUARD_MARGIN
    assert shot.sent - shot.target < GUARD_MARGIN + MS


def test_a_spinning_hold_never_sleeps() -> None:
    """`spin_tail` at the bound: the hold before issue 15's sleep (a bench contender)."""
    pauses: list[float] = []
    shot = shoot(busy(0.005, 0.020), claim=ClaimPolicy(spin_tail=0.050), pauses=pauses)
    assert not pauses
    assert shot.report.held_ms > 0
    assert shot.sent >= shot.target + GUARD_MARGIN


def test_a_sleep_that_wakes_early_or_late_never_fires_early() -> None:
    """Sleeps may end early (signals) or late (a loaded host): the hold goes on sleeping or
    spinning until the instant, and a late wake-up is simply late."""
    base = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    now = [100.0]

    def clock() -> float:
        now[0] += 1e-6
        return now[0]

    def wall() -> datetime:
        return base + timedelta(seconds=now[0] - 100.0)

    aimed = base + timedelta(milliseconds=30)
    woke_early: list[float] = []

    def short_sleep(seconds: float) -> None:  # wakes after a third of what was asked
        woke_early.append(seconds)
        now[0] += seconds / 3

    assert hold(clock, 100.030, wall, aimed, 100.050, pause=short_sleep, spin_tail=0.001)
    assert len(woke_early) > 1
    assert now[0] >= 100.030
    assert wall() >= aimed

    now[0] = 100.0

    def late_sleep(seconds: float) -> None:  # wakes 5 ms after it was due
        now[0] += seconds + 0.005

    assert hold(clock, 100.030, wall, aimed, 100.050, pause=late_sleep, spin_tail=0.001)
    assert now[0] == pytest.approx(100.034, abs=1e-4)  # late by what the OS cost, no more


def test_without_the_claim_the_same_load_makes_the_shot_late() -> None:
    """The old firing (a timer at the instant) on the same load: what the claim is for."""
    shot = shoot(busy(0.005, 0.020), claim=ClaimPolicy.off())
    assert shot.report.held_ms < 0.01
    assert shot.sent - shot.target > 5 * MS


def test_lag_beyond_the_bound_arms_at_the_bound_and_holds_no_longer() -> None:
    # Callbacks of 40-80 ms back to back: the lag seen exceeds what the claim may cover.
    shot = shoot(busy(0.040, 0.080))
    assert shot.report.loop_lag_ms > BOUND_MS
    assert shot.report.lead_ms == BOUND_MS
    assert shot.report.held_ms <= BOUND_MS
    assert shot.sent >= shot.target + GUARD_MARGIN


def test_half_busy_loop_is_held_less_than_the_bound() -> None:
    shot = shoot(busy(0.005, 0.020, idle=0.0125))
    assert shot.report.lead_ms <= BOUND_MS
    assert shot.report.held_ms <= shot.report.lead_ms
    assert shot.sent >= shot.target + GUARD_MARGIN
    assert shot.sent - shot.target < GUARD_MARGIN + MS


def test_a_loop_blocked_beyond_the_bound_still_fires_late_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def script(loop: ScriptedLoop, target: datetime) -> None:
        # Quiet while sampling, then one callback that holds the loop for 200 ms, starting
        # 40 ms before the instant: more than any claim may cover.
        start = (target - loop.wall()).total_seconds() - 0.040
        loop.call_at(loop.time() + start, loop.block, 0.200)

    with caplog.at_level(logging.WARNING):
        shot = shoot(script)
    assert shot.sent - shot.target > 150 * MS  # fired, late
    assert shot.report.lateness_ms > 150
    assert shot.report.claim_lag_ms > 150
    assert shot.report.held_ms < 1  # nothing left to hold: sent at once
    assert "fired" in caplog.text
    assert "late" in caplog.text


def test_a_target_already_past_fires_at_once() -> None:
    shot = shoot(quiet, ahead=timedelta(seconds=-1))
    assert shot.report.lateness_ms > 900
    assert shot.report.held_ms < 1


# -- the hot path: collector and switch interval ---------------------------------------------


@dataclass
class Seen:
    gc_enabled: bool
    switch_interval: float


async def _fire_soon(action: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    target = datetime.now(UTC) + timedelta(milliseconds=30)
    return await fire_at(target, action)


def _observe(seen: list[Seen]) -> None:
    seen.append(Seen(gc.isenabled(), sys.getswitchinterval()))


@pytest.fixture
def interpreter() -> Any:
    """The interpreter settings before the test, checked to be untouched afterwards too."""
    assert gc.isenabled()
    before = sys.getswitchinterval()
    yield before
    gc.enable()
    sys.setswitchinterval(before)


async def test_hot_path_restored_after_success(interpreter: float) -> None:
    seen: list[Seen] = []

    async def action() -> str:
        _observe(seen)
        return "ok"

    result, _ = await _fire_soon(action)
    assert result == "ok"
    assert seen == [Seen(False, ClaimPolicy().switch_interval or 0)]
    assert gc.isenabled()
    assert sys.getswitchinterval() == interpreter


async def test_hot_path_restored_after_failure(interpreter: float) -> None:
    seen: list[Seen] = []

    async def action() -> None:
        _observe(seen)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await _fire_soon(action)
    assert seen[0].gc_enabled is False
    assert gc.isenabled()
    assert sys.getswitchinterval() == interpreter


async def test_hot_path_restored_after_cancellation(interpreter: float) -> None:
    seen: list[Seen] = []
    forever: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    running = asyncio.Event()

    async def action() -> None:
        _observe(seen)
        running.set()
        await forever

    task = asyncio.create_task(_fire_soon(action))
    await running.wait()
    assert not gc.isenabled()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert forever.cancelled()
    assert gc.isenabled()
    assert sys.getswitchinterval() == interpreter


def test_collector_paused_from_the_sampling_not_before(interpreter: float) -> None:
    """No collection may start in the seconds before the instant; long before, nothing changes."""
    seen: dict[str, bool] = {}

    def script(loop: ScriptedLoop, target: datetime) -> None:
        ahead = (target - loop.wall()).total_seconds()
        loop.call_at(loop.time() + ahead - 2.5, lambda: seen.setdefault("-2.5 s", gc.isenabled()))
        loop.call_at(loop.time() + ahead - 1.0, lambda: seen.setdefault("-1 s", gc.isenabled()))

    shoot(script, ahead=timedelta(seconds=5))
    assert seen == {"-2.5 s": True, "-1 s": False}
    assert gc.isenabled()
    assert sys.getswitchinterval() == interpreter


def test_hot_path_restores_only_when_the_last_one_leaves(interpreter: float) -> None:
    """Two rules firing at the same instant: the first to finish leaves the other paused."""
    first, second = HotPath(ClaimPolicy()), HotPath(ClaimPolicy())
    first.enter()
    second.enter()
    first.release()
    assert not gc.isenabled()
    first.release()  # idempotent
    assert not gc.isenabled()
    second.release()
    assert gc.isenabled()
    assert sys.getswitchinterval() == interpreter


def test_hot_path_keeps_a_disabled_collector_disabled(interpreter: float) -> None:
    gc.disable()
    hot = HotPath(ClaimPolicy())
    hot.enter()
    hot.release()
    assert not gc.isenabled()


def test_old_firing_touches_nothing(interpreter: float) -> None:
    hot = HotPath(ClaimPolicy.off())
    hot.enter()
    assert gc.isenabled()
    assert sys.getswitchinterval() == interpreter
    assert not hot.active


def test_deadline_comes_from_the_tightest_clock_pair() -> None:
    """A thread switch between reading the two clocks must not move the deadline."""

    base = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    # monotonic reads: the first pair is 8 ms apart (switched away in between), the second tight.
    monotonic = iter([100.000, 100.008, 100.010, 100.01001])
    walls = iter([base + timedelta(milliseconds=8), base + timedelta(milliseconds=10)])
    aimed = base + timedelta(seconds=1)
    deadline = monotonic_deadline(lambda: next(monotonic), lambda: next(walls), aimed)
    # Second pair: wall 07:30:00.010 at monotonic ~100.010 -> aimed at ~100.010 + 0.990.
    assert deadline == pytest.approx(101.000005, abs=1e-6)
