"""Bounded waiting: every synchronisation in the end-to-end tests is a poll with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import time

POLL_INTERVAL = 0.1


async def wait_for[T](
    probe: Callable[[], Awaitable[T | None]],
    *,
    within: float,
    what: str,
    context: Callable[[], str] = lambda: "",
    interval: float = POLL_INTERVAL,
) -> T:
    """Call `probe` until it returns something other than None/False, or fail after `within` seconds.

    `context` is called only on failure and its text (e.g. the tail of hass's log) is appended
    to the assertion message. The last probe error is reported too, so a failing request is
    not mistaken for "not yet".
    """
    deadline = time.monotonic() + within
    last_error: BaseException | None = None
    last_value: object = None
    while True:
        try:
            value = await probe()
        except AssertionError:
            raise
        except Exception as err:
            last_error = err
        else:
            last_value = value
            if value is not None and value is not False:
                return value
        if time.monotonic() >= deadline:
            detail = f"last error: {last_error!r}" if last_error else f"last value: {last_value!r}"
            raise AssertionError(
                f"timed out after {within} s waiting for {what} ({detail})\n{context()}"
            )
        await asyncio.sleep(interval)


async def holds_for(
    check: Callable[[], Awaitable[None]],
    *,
    duration: float,
    interval: float = 0.5,
) -> None:
    """Run `check` (which asserts) repeatedly for `duration` seconds: "nothing happens" proofs."""
    deadline = time.monotonic() + duration
    while True:
        await check()
        if time.monotonic() >= deadline:
            return
        await asyncio.sleep(interval)
