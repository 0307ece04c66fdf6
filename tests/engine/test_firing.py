"""Firing on the monotonic loop clock: never early, a few ms late, measured as behaviour."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import gc
import time

import pytest

from custom_components.playtomic.engine import ClaimPolicy, fire_at
from custom_components.playtomic.engine.firing import GUARD_MARGIN
from tests.engine.conftest import World, make_rule, release_soon


async def test_fires_at_the_instant_never_before() -> None:
    target = datetime.now(UTC) + timedelta(milliseconds=60)
    seen: list[datetime] = []

    async def action() -> str:
        seen.append(datetime.now(UTC))
        return "done"

    result, report = await fire_at(target, action)
    assert result == "done"
    assert seen[0] >= target
    assert report.fired_at >= report.target >= target
    assert report.lateness_ms >= 0
    assert report.rearms == 0
    print(f"fired {(seen[0] - target) / timedelta(milliseconds=1):.3f} ms after the target")


async def test_a_past_target_fires_at_once() -> None:
    target = datetime.now(UTC) - timedelta(seconds=5)

    async def action() -> int:
        return 7

    result, report = await fire_at(target, action)
    assert result == 7
    assert report.lateness_ms > 4000  # honest about how late


async def test_rearms_when_the_wall_clock_says_early() -> None:
    """If the wall clock was stepped back during the wait by more than the hold may cover,
    the shot is re-armed (the loop is not held longer) and waits for the wall clock."""
    start = datetime.now(UTC)
    lag = timedelta(milliseconds=200)

    def lagging_wall() -> datetime:
        # True while arming; 200 ms behind from 5 ms on (stepped back during the wait).
        now = datetime.now(UTC)
        return now - lag if now >= start + timedelta(milliseconds=5) else now

    target = start + timedelta(milliseconds=20)

    async def action() -> datetime:
        return lagging_wall()

    fired, report = await fire_at(target, action, wall=lagging_wall)
    assert report.rearms >= 1
    assert fired >= target


async def test_the_action_starts_eagerly_inside_the_timer_callback() -> None:
    """No extra loop iteration between the timer and the action's first step."""
    order: list[str] = []
    loop = asyncio.get_running_loop()
    target = datetime.now(UTC) + timedelta(milliseconds=20)

    async def action() -> None:
        order.append("action")

    spoiled = asyncio.Event()

    def spoiler() -> None:
        order.append("other callback")
        spoiled.set()

    async def run() -> None:
        await fire_at(target, action)

    task = asyncio.create_task(run())
    # A callback scheduled right after the timer would run before a lazily started action.
    loop.call_at(loop.time() + 0.0205, spoiler)
    await task
    await spoiled.wait()  # both have run, however loaded the host (no timer left behind)
    assert order == ["action", "other callback"]


async def test_cancellation_leaves_no_timer() -> None:
    target = datetime.now(UTC) + timedelta(seconds=30)

    async def action() -> None:
        raise AssertionError("must not run")

    task = asyncio.create_task(fire_at(target, action))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _fire_and_check(world: World, lead: float) -> float:
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    await world.engine.measure_clock()  # virtual seconds of bisection, before the instant is set
    attempt = release_soon(world, lead)
    await world.engine.prepare(rule, club, attempt.release_at)
    world.fake.clear_requests()
    result = await world.engine.run_release(attempt, rule, club, payment_policy=("at_club",))
    creates = [
        r for r in world.fake.requests if r.method == "POST" and r.path == "/v1/payment_intents"
    ]
    first = creates[0]
    delay_ms = (first.received_at - attempt.release_at) / timedelta(milliseconds=1)
    print(
        f"first create reached the server {delay_ms:+.2f} ms after the release "
        f"(engine fire_error_ms {result.fire_error_ms}, loop lateness "
        f"{result.extra['fire']['loop_lateness_ms']} ms, outcome {result.outcome})"
    )
    # Never before the release instant on the server's clock.
    assert first.received_at >= attempt.release_at
    assert result.outcome == "booked"
    assert result.fire_error_ms is not None
    return delay_ms


async def test_first_create_reaches_the_server_at_or_after_the_release(world: World) -> None:
    await _fire_and_check(world, 0.3)


@pytest.mark.parametrize("server_skew", [timedelta(milliseconds=800)])
async def test_fires_on_the_server_clock_when_it_runs_800ms_ahead(world: World) -> None:
    """Fired on the host clock, the request would be 800 ms late; on the estimate it is not."""
    delay = await _fire_and_check(world, 0.3)
    assert world.engine.clock is not None
    assert not world.engine.clock.host_clock_agrees
    print(f"skew +800 ms: {delay:.2f} ms late (clock {world.engine.clock.as_dict()})")


@pytest.mark.parametrize("server_skew", [timedelta(milliseconds=-800)])
async def test_fires_on_the_server_clock_when_it_runs_800ms_behind(world: World) -> None:
    """Fired on the host clock, the request would be 800 ms early and get a 409."""
    await _fire_and_check(world, 0.3)


async def test_collector_paused_from_the_claim_until_the_first_confirmation(world: World) -> None:
    """The create's answer (on_progress) comes while the collector is off; it is back on
    once the run is over."""
    await world.client.login()
    club = await world.club()
    rule = make_rule()
    await world.engine.measure_clock()
    attempt = release_soon(world, 0.2)
    await world.engine.prepare(rule, club, attempt.release_at)
    assert gc.isenabled()
    seen: list[tuple[tuple[str, ...], bool]] = []

    def progress(ids: tuple[str, ...]) -> None:
        seen.append((ids, gc.isenabled()))

    result = await world.engine.run_release(
        attempt, rule, club, payment_policy=("at_club",), on_progress=progress
    )
    assert result.outcome == "booked"
    assert seen[0][0]  # an intent was created ...
    assert seen[0][1] is False  # ... while the collector was paused
    assert seen[-1] == ((), True)  # final outcome: collector back on
    assert gc.isenabled()
    # The attempt's history (and so diagnostics) says how long the loop was held.
    assert {"lead_ms", "held_ms", "claim_lag_ms", "loop_lag_ms", "lag_samples"} <= set(
        result.extra["fire"]
    )


async def test_the_hold_works_where_time_sleep_is_forbidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Home Assistant makes `time.sleep` raise inside the event loop; the hold blocks without it."""

    def forbidden(_seconds: float) -> None:
        raise RuntimeError("Caught blocking call to sleep inside the event loop")

    monkeypatch.setattr(time, "sleep", forbidden)
    target = datetime.now(UTC) + timedelta(milliseconds=300)
    seen: list[datetime] = []

    async def action() -> str:
        seen.append(datetime.now(UTC))
        return "done"

    # Armed 20 ms early even on this quiet loop, so the hold has something to sleep through.
    result, report = await asyncio.wait_for(
        fire_at(target, action, claim=ClaimPolicy(min_lead=0.020)), timeout=5
    )
    assert result == "done"
    assert seen[0] >= target + GUARD_MARGIN
    assert report.held_ms > 5


async def test_a_claim_that_fails_fails_the_firing_instead_of_hanging() -> None:
    target = datetime.now(UTC) + timedelta(milliseconds=300)

    def broken(_seconds: float) -> None:
        raise OSError("cannot block")

    async def action() -> str:
        return "never"

    with pytest.raises(OSError, match="cannot block"):
        await asyncio.wait_for(
            fire_at(target, action, claim=ClaimPolicy(min_lead=0.020), pause=broken), timeout=5
        )
