"""Claiming the event loop for the last milliseconds before a release (issue 15).

Inside Home Assistant the engine shares its event loop with every other integration. A timer
callback runs only once the callbacks ahead of it have returned, so on a busy loop a timer set
for the instant runs as late as the slowest callback in front of it. What we control is when we
ask and how we hold on:

- **Measure** the loop's lag in the seconds before the release: short timers, each noting how
  late it ran (`sample_lag`). The worst lag seen is how late the claim timer may run too.
- **Arm early** by that lag plus a margin, never more than `max_hold` before the instant
  (`ClaimPolicy.lead`), and from the claim **hold the loop** with a non-yielding wait until the
  instant (`hold`), so that no other callback can start in between; then send at once.
- The hold **sleeps, then spins**: the claim callback blocks (`block_thread`; the loop stays
  held, but the GIL and the CPU are free) until `spin_tail` before the instant, and spins only
  that last bit. Measured under load (bench/README.md): a thread spinning for tens of ms used up
  its share of the CPU and the OS preempted it for 8-60 ms right at the instant (its run-queue
  wait in /proc/thread-self/schedstat), while a thread waking from a sleep is scheduled at once.
- **No pauses of our own** from the start of the sampling (`lag_window` before the instant)
  until the first confirmation (`HotPath`): the cyclic garbage collector is off (a full
  collection of a large Home Assistant heap takes tens to hundreds of ms, more than any claim
  could cover), and the interpreter's thread switch interval may be lowered so a thread holding
  the GIL (recorder, executor jobs) hands it back sooner. Both are restored whatever happens.

Every timing constant of the claim lives in `ClaimPolicy`; `DEFAULT_CLAIM` is what the engine
uses. `ClaimPolicy.off()` is the old firing (a timer at the instant, no hold, no guard), which
the benchmark keeps as a contender.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import gc
import sys
import threading


@dataclass(frozen=True, kw_only=True)
class ClaimPolicy:
    """How early the loop is claimed and how it is held (seconds)."""

    # The loop is never held longer than this per release, however busy it looked.
    max_hold: float = 0.050
    # Armed at least this early even on a quiet loop: epoll rounds its timeout up to whole
    # milliseconds, so a timer at the instant runs up to ~1 ms late with nothing else running.
    min_lead: float = 0.002
    # Added to the worst lag measured: the next callback may run a little longer than any seen.
    lag_margin: float = 0.003
    # Lag is sampled over this long before the claim, with one short timer per `probe_period`.
    lag_window: float = 2.0
    probe_period: float = 0.010
    # The hold sleeps until this long before the instant and spins only from there (a sleep
    # wakes ~0.1 ms late on a quiet host; the spin makes up for it). >= max_hold: spin all along.
    spin_tail: float = 0.001
    # A shot later than this after the instant is logged as late (the loop was blocked longer
    # than the claim could cover).
    late_warning: float = 0.005
    # Collector off from the start of the sampling until the first confirmation.
    pause_gc: bool = True
    # sys.setswitchinterval over the same span (None: left alone).
    switch_interval: float | None = 0.0005

    def lead(self, worst_lag: float) -> float:
        """How long before the instant the claim timer is armed."""
        if self.max_hold <= 0:
            return 0.0
        return min(self.max_hold, max(self.min_lead, worst_lag + self.lag_margin))

    @classmethod
    def off(cls) -> ClaimPolicy:
        """The firing before issue 15: one timer at the instant, no hold, nothing paused."""
        return cls(max_hold=0.0, min_lead=0.0, pause_gc=False, switch_interval=None)


DEFAULT_CLAIM = ClaimPolicy()

# Reading the wall clock between two monotonic reads: a pair this tight is taken at once.
_PAIR_TIGHT = 0.0001
_PAIR_TRIES = 5


@dataclass
class LagMeter:
    """How late the loop ran short timers before the release."""

    samples: int = 0
    worst: float = 0.0
    total: float = 0.0

    def add(self, lag: float) -> None:
        """One timer's lateness (seconds, >= 0)."""
        lag = max(0.0, lag)
        self.samples += 1
        self.total += lag
        self.worst = max(self.worst, lag)


async def sample_lag(
    loop: asyncio.AbstractEventLoop, meter: LagMeter, *, stop: float, period: float
) -> None:
    """Run one short timer every `period` from now until `stop` (loop clock), noting lags.

    Each timer measures its own lateness in its callback: that is exactly how late the claim
    timer would be.
    """
    if period <= 0:
        return
    when = loop.time() + period
    while when < stop:
        meter.add(await loop_timer(loop, when))
        when = loop.time() + period


async def loop_timer(loop: asyncio.AbstractEventLoop, when: float) -> float:
    """Wait for a timer at `when` (loop clock); returns how late its callback ran."""
    waiter: asyncio.Future[float] = loop.create_future()

    def tick() -> None:
        if not waiter.done():
            waiter.set_result(loop.time() - when)

    handle = loop.call_at(when, tick)
    try:
        return await waiter
    finally:
        handle.cancel()


def monotonic_deadline(
    clock: Callable[[], float], wall: Callable[[], datetime], aimed: datetime
) -> float:
    """`aimed` (wall clock) on the monotonic clock, from the tightest of a few clock pairs.

    A thread switch between reading the two clocks (likely on a busy host: executor threads
    take the GIL) would shift the deadline by as much; the pair read closest together wins.
    """
    best_width = best = 0.0
    for attempt in range(_PAIR_TRIES):
        before = clock()
        now = wall()
        after = clock()
        width = after - before
        if attempt == 0 or width < best_width:
            best_width = width
            best = (before + after) / 2 + (aimed - now).total_seconds()
        if width <= _PAIR_TIGHT:
            break
    return best


_NEVER_SET = threading.Event()


def block_thread(seconds: float) -> None:
    """Block this thread for `seconds`, the GIL released and the CPU free: the hold's sleep.

    Not `time.sleep`: Home Assistant makes it raise inside the event loop, because a sleep there
    is almost always a mistake. Here the loop is held on purpose, for at most `max_hold`, as a
    spin would hold it; blocking instead of spinning only gives the CPU and the GIL away.
    """
    _NEVER_SET.wait(seconds)


def hold(
    clock: Callable[[], float],
    deadline: float,
    wall: Callable[[], datetime],
    aimed: datetime,
    budget_end: float,
    *,
    pause: Callable[[float], None],
    spin_tail: float,
) -> bool:
    """Hold the loop (never yielding) until both clocks reach the instant, or the budget ends.

    `pause` blocks the thread (`block_thread`: the loop is held, the GIL and the CPU are not)
    until `spin_tail` before the end; the rest is spun. True when the instant was reached on the
    monotonic clock *and* the wall clock; False when the budget ran out first (the caller
    re-arms instead of holding longer).
    """
    end = min(deadline, budget_end)
    now = clock()
    while end - now > spin_tail:
        pause(end - now - spin_tail)
        now = clock()
    while now < deadline and now < budget_end:
        now = clock()
    if now < deadline:
        return False
    while wall() < aimed:
        if clock() >= budget_end:
            return False
    return True


class _Interpreter:
    """Process-wide state the hot path changes: saved once, restored when the last one leaves.

    Two rules may fire at the same instant; the first to finish must not turn the collector
    back on under the other.
    """

    depth = 0
    gc_was_enabled = False
    switch_interval: float | None = None


class HotPath:
    """Collector off and a short switch interval from the sampling until the first confirmation.

    `enter()` and `release()` are idempotent, so the claim, the burst's first confirmation and
    the firing's own `finally` (exceptions, cancellation) can all call `release()`.
    """

    def __init__(self, policy: ClaimPolicy) -> None:
        self._policy = policy
        self._entered = False
        self._gc = False
        self._switch = False

    @property
    def active(self) -> bool:
        """Whether this hot path currently holds the interpreter settings."""
        return self._entered

    def enter(self) -> None:
        """Pause the collector and lower the switch interval (as the policy says)."""
        if self._entered:
            return
        policy = self._policy
        self._gc = policy.pause_gc
        self._switch = policy.switch_interval is not None
        if not (self._gc or self._switch):
            return
        self._entered = True
        if _Interpreter.depth == 0:
            _Interpreter.gc_was_enabled = gc.isenabled()
            _Interpreter.switch_interval = sys.getswitchinterval()
        _Interpreter.depth += 1
        if self._gc:
            gc.disable()
        if policy.switch_interval is not None:
            sys.setswitchinterval(
                min(policy.switch_interval, _Interpreter.switch_interval or policy.switch_interval)
            )

    def release(self) -> None:
        """Restore what `enter` changed, once the last hot path in the process leaves."""
        if not self._entered:
            return
        self._entered = False
        _Interpreter.depth -= 1
        if _Interpreter.depth > 0:
            return
        if _Interpreter.gc_was_enabled:
            gc.enable()
        if _Interpreter.switch_interval is not None:
            sys.setswitchinterval(_Interpreter.switch_interval)
            _Interpreter.switch_interval = None
