"""Loads for the engine's event loop in the benchmark: a busy loop and a Home Assistant-like one.

Each load starts on the running loop and returns a `Load`; `await load.stop()` ends it and
returns a one-line summary (what ran, for the table's notes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import gc
import json
import random
import threading
import time


@dataclass
class Load:
    """A running load; `stop()` ends it and says what it did."""

    stop_fn: Callable[[], Awaitable[str]]

    async def stop(self) -> str:
        """End the load; a short description of what it did."""
        return await self.stop_fn()


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def busy_loop(*, duty: float, seed: int = 1) -> Load:
    """CPU work in 5-20 ms slices, yielding between slices: a Home Assistant loop with heavy
    integrations (template rendering, JSON, recorder callbacks) looks like this. `duty` 1.0
    runs slices back to back (the loop is never idle); 0.5 idles as long as it works."""
    rng = random.Random(seed)
    stop = asyncio.Event()
    slices = 0

    async def burn() -> None:
        nonlocal slices
        while not stop.is_set():
            work = rng.uniform(0.005, 0.020)
            _spin(work)
            slices += 1
            await asyncio.sleep(0 if duty >= 1 else work * (1 - duty) / duty)

    task = asyncio.get_running_loop().create_task(burn())

    async def end() -> str:
        stop.set()
        await task
        return f"{slices} slices of 5-20 ms, duty {duty:.0%}"

    return Load(end)


@dataclass
class _HaStats:
    callbacks: int = 0
    long_callbacks: int = 0
    executor_jobs: int = 0
    collections: list[int] = field(default_factory=lambda: [0, 0, 0])
    pauses_ms: list[float] = field(default_factory=list)


def ha_like(
    *,
    integrations: int = 12,
    mean_interval: float = 0.1,
    long_share: float = 0.03,
    executor_threads: int = 2,
    executor_work: float = 0.003,
    heap_objects: int = 400_000,
    seed: int = 2,
) -> Load:
    """A busy real installation, roughly:

    - `integrations` independent callback chains on the loop, each firing at random intervals
      (exponential, mean `mean_interval`); most callbacks are short (0.1-2 ms of Python work
      building dicts and JSON, like state writes and template renders), `long_share` of them
      take 10-30 ms (a slow integration, a big template);
    - `executor_threads` threads running Python code (JSON round trips, `executor_work` of
      work then a 10-40 ms sleep), competing for the GIL like the recorder and executor jobs;
    - a large heap (`heap_objects` small containers, ~100 MB) that the callbacks churn
      (replace entries, and leave cyclic garbage behind as closures and tracebacks do), so
      the cyclic collector runs, young collections often and full ones now and then.
    """
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    stats = _HaStats()
    heap: list[dict[str, object]] = [
        {"entity_id": f"sensor.s{i}", "state": i, "attrs": [i, str(i)]} for i in range(heap_objects)
    ]
    running = True
    handles: list[asyncio.TimerHandle] = []
    started = time.perf_counter()

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            on_gc.began = time.perf_counter()  # type: ignore[attr-defined]
        else:
            stats.collections[min(info["generation"], 2)] += 1
            stats.pauses_ms.append((time.perf_counter() - on_gc.began) * 1000)  # type: ignore[attr-defined]

    gc.callbacks.append(on_gc)

    def work(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            index = rng.randrange(len(heap))
            entry = {"entity_id": f"sensor.s{index}", "state": rng.random(), "attrs": [index]}
            heap[index] = entry
            cycle: dict[str, object] = {"entry": entry}
            cycle["self"] = cycle
            json.dumps(entry)

    def callback(chain: int) -> None:
        if not running:
            return
        if rng.random() < long_share:
            work(rng.uniform(0.010, 0.030))
            stats.long_callbacks += 1
        else:
            work(rng.uniform(0.0001, 0.002))
        stats.callbacks += 1
        handles.append(loop.call_later(rng.expovariate(1 / mean_interval), callback, chain))
        if len(handles) > 4 * integrations:
            del handles[: 2 * integrations]

    handles.extend(
        loop.call_later(rng.uniform(0, mean_interval), callback, chain)
        for chain in range(integrations)
    )

    halt = threading.Event()
    document = {"rows": [{"id": i, "value": i * 1.5, "name": f"row {i}"} for i in range(300)]}

    def executor_job() -> None:
        local = random.Random()
        while not halt.is_set():
            end = time.perf_counter() + executor_work
            while time.perf_counter() < end:
                json.loads(json.dumps(document))
            stats.executor_jobs += 1
            halt.wait(local.uniform(0.010, 0.040))

    # The loop's default executor: Home Assistant's own when this runs inside it.
    futures = [loop.run_in_executor(None, executor_job) for _ in range(executor_threads)]

    async def end() -> str:
        nonlocal running
        running = False
        for handle in handles:
            handle.cancel()
        halt.set()
        await asyncio.gather(*futures)
        gc.callbacks.remove(on_gc)
        heap.clear()
        seconds = time.perf_counter() - started
        pauses = sorted(stats.pauses_ms)
        worst = pauses[-1] if pauses else 0.0
        return (
            f"{stats.callbacks / seconds:.0f} loop callbacks/s ({stats.long_callbacks} of "
            f"10-30 ms), {executor_threads} executor threads ({stats.executor_jobs} jobs of "
            f"{executor_work * 1000:.0f} ms), "
            f"heap {heap_objects:,} objects churned; collections gen0/1/2 "
            f"{stats.collections[0]}/{stats.collections[1]}/{stats.collections[2]}, "
            f"longest {worst:.1f} ms"
        )

    return Load(end)
