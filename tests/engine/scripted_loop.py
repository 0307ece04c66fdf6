"""An asyncio event loop on a virtual clock, with scripted lag, for the loop-claim tests.

The selector never waits: a `select(timeout)` moves the clock forward by `timeout`, so timers
run exactly when due unless a callback "runs" for a while (`block(seconds)` moves the clock on
while the callback holds the loop). Every `time()` read costs one microsecond, so a wait that
spins on the loop clock ends deterministically.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import random
import selectors
from typing import Any

EPOCH = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
_START = 1000.0
_TICK = 1e-6


class _VirtualSelector(selectors.SelectSelector):
    def __init__(self, loop: ScriptedLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        if timeout is None:
            raise RuntimeError("the scripted loop would wait forever")
        self._loop.now += timeout
        return []


class ScriptedLoop(asyncio.SelectorEventLoop):
    """Virtual time; `block()` stands for a callback that keeps the loop for a while."""

    def __init__(self) -> None:
        self.now = _START
        super().__init__(selector=_VirtualSelector(self))

    def time(self) -> float:
        self.now += _TICK
        return self.now

    def wall(self) -> datetime:
        """The host wall clock, in step with the loop clock."""
        return EPOCH + timedelta(seconds=self.now - _START)

    def block(self, seconds: float) -> None:
        """The running callback takes `seconds` of loop time."""
        self.now += seconds

    def burner(self, slices: Callable[[], float], *, idle: float = 0.0) -> Callable[[], None]:
        """Callbacks back to back (idle 0) or `idle` apart, each `slices()` long; returns stop."""
        running = True

        def step() -> None:
            if not running:
                return
            self.block(slices())
            if idle:
                self.call_later(idle, step)
            else:
                self.call_soon(step)

        def stop() -> None:
            nonlocal running
            running = False

        self.call_soon(step)
        return stop


def uniform_slices(low: float, high: float, seed: int = 1) -> Callable[[], float]:
    """Slice lengths drawn uniformly from [low, high], reproducibly."""
    rng = random.Random(seed)
    return lambda: rng.uniform(low, high)
