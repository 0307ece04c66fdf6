"""The fake Playtomic in its own process, driven over a pipe.

A separate process (not a thread, not the benchmark's own loop) so that what the benchmark does
to its event loop (a busy loop, timers) cannot delay the server's request log, and the server's
work cannot delay the engine: fire errors are then measured on an independent clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
import math
import multiprocessing
from multiprocessing.connection import Connection
import os
import threading
from typing import Any

EMAIL = "bench@example.com"
PASSWORD = "bench-password-not-a-secret"
USER_ID = "4242"
FAKE_NICE = -10


@dataclass(frozen=True)
class CreateRecord:
    received_at: datetime  # server clock
    status: int | None
    resource_id: str | None
    start: str | None


def _child(conn: Connection, latency: float, skew_ms: float, hold_seconds: float) -> None:
    # The fake stands in for Playtomic's servers, which do not share our CPU: on a loaded
    # machine it should not wait for a core behind other processes (fire errors are measured
    # on its clock). Needs the privilege to raise priority; without it, nothing changes.
    with contextlib.suppress(OSError):
        os.nice(FAKE_NICE)
    asyncio.run(_serve(conn, latency, skew_ms, hold_seconds))


async def _serve(conn: Connection, latency: float, skew_ms: float, hold_seconds: float) -> None:
    from tests.fake_playtomic import CourtSpec, DailyDrop, FakeClock, FakePlaytomic

    fake = FakePlaytomic(
        clock=FakeClock.real(offset=timedelta(milliseconds=skew_ms)),
        hold_seconds=hold_seconds,
        latency=latency,
    )
    fake.add_account(EMAIL, PASSWORD, user_id=USER_ID, name="Bench")
    url = await fake.start("127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    competitors: list[Any] = []

    def add_club(name: str) -> dict[str, Any]:
        club = fake.add_club(
            name,
            timezone="Europe/Madrid",
            courts=[CourtSpec(f"Pista {n}", indoor=n <= 2) for n in range(1, 5)],
            release=DailyDrop(days_ahead=14, time=time(8, 30)),
            payment_methods=("CASH", "CREDIT_CARD"),
        )
        return {"tenant_id": club.tenant_id, "courts": [c.resource_id for c in club.courts]}

    def release_in(tenant_id: str, seconds: float, whole_second: bool) -> datetime:
        if not whole_second:
            return fake.release_in(tenant_id, seconds)
        now = fake.clock.now()
        target = math.ceil(now.timestamp() + seconds)
        return fake.release_in(tenant_id, target - now.timestamp())

    def add_competitor(tenant_id: str, resource_id: str, start: datetime, delay: float) -> int:
        competitors.append(fake.add_competitor(tenant_id, resource_id, start, 90, delay=delay))
        return len(competitors) - 1

    def creates(tenant_id: str) -> list[CreateRecord]:
        found: list[CreateRecord] = []
        for req in fake.requests:
            if req.method != "POST" or req.path != "/v1/payment_intents":
                continue
            data = _item(req.json)
            if data.get("tenant_id") != tenant_id:
                continue
            found.append(
                CreateRecord(
                    req.received_at, req.status, data.get("resource_id"), data.get("start")
                )
            )
        return found

    def match_for(tenant_id: str) -> list[tuple[str, datetime, str]]:
        return [
            (m.resource_id, m.start, m.owner_id)
            for m in fake.matches
            if m.tenant_id == tenant_id and m.status != "CANCELED"
        ]

    def log_since(index: int) -> list[tuple[str, str, datetime, int | None]]:
        return [(r.method, r.path, r.received_at, r.status) for r in fake.requests[index:]]

    def server_now() -> datetime:
        return fake.clock.now()

    def clear() -> None:
        fake.clear_requests()

    def stop() -> None:
        stopped.set()

    handlers: dict[str, Callable[..., Any]] = {
        "add_club": add_club,
        "release_in": release_in,
        "add_competitor": add_competitor,
        "creates": creates,
        "matches": match_for,
        "now": server_now,
        "log_since": log_since,
        "clear": clear,
        "stop": stop,
    }

    def reader() -> None:
        while True:
            try:
                name, args = conn.recv()
            except EOFError:
                loop.call_soon_threadsafe(stopped.set)
                return
            future = asyncio.run_coroutine_threadsafe(_call(handlers[name], args), loop)
            try:
                conn.send(("ok", future.result()))
            except Exception as err:
                conn.send(("error", repr(err)))
            if name == "stop":
                return

    conn.send(("ok", url))
    threading.Thread(target=reader, daemon=True).start()
    await stopped.wait()
    await fake.stop()


async def _call(handler: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return handler(*args)


def _item(body: Any) -> dict[str, Any]:
    with contextlib.suppress(AttributeError, TypeError):
        data = body["cart"]["requested_item"]["cart_item_data"]
        if isinstance(data, dict):
            return data
    return {}


class FakeHost:
    """Parent-side handle: start the fake process, call its controls, stop it."""

    def __init__(self, *, latency: float, skew_ms: float, hold_seconds: float = 0.0) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_child, args=(child, latency, skew_ms, hold_seconds), daemon=True
        )
        self._proc.start()
        self.url: str = self._recv()
        self.skew = timedelta(milliseconds=skew_ms)

    def _recv(self) -> Any:
        status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"fake host: {value}")
        return value

    def call(self, name: str, *args: Any) -> Any:
        self._conn.send((name, args))
        return self._recv()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.call("stop")
        self._proc.join(timeout=5)
        if self._proc.is_alive():
            self._proc.terminate()
