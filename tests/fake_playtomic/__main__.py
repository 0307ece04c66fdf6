"""Run the fake on a real clock: ``python -m tests.fake_playtomic --port 8765 --scenario demo``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import timedelta
import logging
from pathlib import Path
import signal

from . import persist
from .clock import FakeClock
from .server import FakePlaytomic

_LOGGER = logging.getLogger("tests.fake_playtomic")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_playtomic", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--scenario", default="demo", help="demo | empty")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added before each answer")
    parser.add_argument(
        "--skew-ms", type=float, default=0.0, help="server clock offset from real time (+ = ahead)"
    )
    parser.add_argument("--hold-seconds", type=float, default=600.0)
    parser.add_argument(
        "--access-ttl", type=float, default=3600.0, help="access token lifetime (s)"
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        help="keep bookings, release settings and tokens in this JSON file across restarts",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    fake = FakePlaytomic(
        clock=FakeClock.real(timedelta(milliseconds=args.skew_ms)),
        access_ttl=args.access_ttl,
        hold_seconds=args.hold_seconds,
        latency=args.latency_ms / 1000,
    )
    clubs = fake.scenario(args.scenario)
    if args.state_file is not None:
        persist.load(fake, args.state_file)
    url = await fake.start(args.host, args.port)
    _LOGGER.info(
        "fake Playtomic on %s (scenario %s); controls at %s/_fake/", url, args.scenario, url
    )
    for account in fake.accounts.values():
        _LOGGER.info(
            "account %s / %s (user_id %s)", account.email, account.password, account.user_id
        )
    now = fake.clock.now()
    for club in clubs:
        _LOGGER.info(
            "club %s [%s, %s] next release %s",
            club.name,
            club.tenant_id,
            club.timezone,
            club.next_release_after(now).isoformat(),
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    saver = (
        None
        if args.state_file is None
        else asyncio.create_task(persist.autosave(fake, args.state_file))
    )
    try:
        await stop.wait()
    finally:
        if saver is not None:
            saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await saver
            persist.save(fake, args.state_file)
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
