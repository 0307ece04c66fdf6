"""Fixtures of the end-to-end tests: a stack of real processes, stopped by PID in every case."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
import signal
from types import FrameType

import aiohttp
import pytest

from .harness import E2EStack


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override tests/conftest.py's fixture: these tests need no in-process `hass`."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report, so teardown knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture
def stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[E2EStack]:
    """The fake server (demo scenario) running; hass is started by the test.

    Teardown stops every started process by its PID (SIGTERM, then SIGKILL), whether the test
    passed, failed or was interrupted, and prints the logs' tails when it failed.
    """
    stack = E2EStack(workdir=tmp_path)
    # A CI job being cancelled sends SIGTERM; as KeyboardInterrupt it unwinds through this
    # fixture's `finally`, so the children are stopped instead of orphaned.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        stack.start_fake()
        yield stack
    finally:
        signal.signal(signal.SIGTERM, previous)
        report = getattr(request.node, "report_call", None)
        if report is None or report.failed:
            print(f"\n{stack.context()}")
        stack.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP session for the REST, websocket and fake-control calls of a test."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(autouse=True)
def enable_event_loop_debug() -> None:
    """Override phcc's: asyncio debug mode only adds slow-callback noise to process tests."""
