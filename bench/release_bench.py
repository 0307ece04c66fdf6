"""Release benchmark: the engine against a peer-style baseline, on the fake server over loopback.

    .venv/bin/python -m bench.release_bench [--releases 50] [--latency-ms 10]

The fake Playtomic runs in its own process (see fake_host.py) with `latency` added before every
answer (about one round trip of that length per request) and, in some scenarios, a server clock
skewed by +-800 ms. Every release gets a fresh club whose daily drop is set a fraction of a second
ahead; a scripted competitor takes the engine's top slot at release + 50/150/500 ms if it is still
free (holds off: `hold_seconds=0`, so only a confirmation counts). Fire errors come from the
server's own request log (arrival of the first create vs the server's release instant).
Prints markdown tables; see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
import math
import random
import statistics
import sys
import time as _time
from zoneinfo import ZoneInfo

import aiohttp

from custom_components.playtomic.api import (
    BookingTarget,
    Club,
    PlaytomicClient,
    PlaytomicError,
    SlotNotAvailableError,
    contract,
)
from custom_components.playtomic.engine import (
    BookingEngine,
    BookingRule,
    DailyDrop,
    Outcome,
    PlannedAttempt,
)

from .fake_host import EMAIL, PASSWORD, FakeHost

MADRID = ZoneInfo("Europe/Madrid")
DAYS_AHEAD = 14
TOP_START = time(19, 0)
POLICY = ("at_club",)
DELAYS = (0.05, 0.15, 0.5)
VERBOSE = False


@dataclass
class Sample:
    scenario: str
    contender: str
    delay: float | None
    fire_error_ms: float | None
    latency_ms: float | None
    requests: int
    won: bool
    booked: bool
    outcome: str


def top_start_utc(target: date) -> datetime:
    return datetime.combine(target, TOP_START, tzinfo=MADRID).astimezone(UTC)


def make_rule(tenant_id: str, courts: Sequence[str], release_at: datetime) -> BookingRule:
    return BookingRule(
        rule_id=f"bench-{tenant_id}",
        name="bench",
        tenant_id=tenant_id,
        zone=MADRID,
        weekdays=frozenset(range(7)),
        window_start=time(18, 0),
        window_end=time(21, 30),
        duration=90,
        preferred_start=TOP_START,
        courts=tuple(courts),
        release=DailyDrop(DAYS_AHEAD, release_at.astimezone(MADRID).time()),
    )


async def new_club(host: FakeHost, client: PlaytomicClient, name: str) -> tuple[Club, list[str]]:
    info = host.call("add_club", name)
    club = await client.get_club(info["tenant_id"])  # set-up, not part of the release
    return club, info["courts"]


# -- the engine ----------------------------------------------------------------------------


async def engine_release(
    host: FakeHost,
    client: PlaytomicClient,
    engine: BookingEngine,
    *,
    scenario: str,
    index: int,
    delay: float | None,
    lead: float,
) -> Sample:
    club, courts = await new_club(host, client, f"{scenario} engine {index}")
    release_at: datetime = host.call("release_in", club.tenant_id, lead, False)
    target = release_at.astimezone(MADRID).date() + timedelta(days=DAYS_AHEAD)
    top = top_start_utc(target)
    if delay is not None:
        host.call("add_competitor", club.tenant_id, courts[0], top, delay)
    rule = make_rule(club.tenant_id, courts, release_at)
    attempt = PlannedAttempt(release_at=release_at, target_date=target, rule_id=rule.rule_id)
    base = client.request_count
    await engine.prepare(rule, club, release_at)
    result = await engine.run_release(attempt, rule, club, payment_policy=POLICY)
    requests = client.request_count - base
    fire = _server_fire_error(host, club.tenant_id, release_at)
    latency = None
    if result.outcome is Outcome.BOOKED and "confirmed_at" in result.extra:
        confirmed = datetime.fromisoformat(result.extra["confirmed_at"]) + host.skew
        latency = (confirmed - release_at) / timedelta(milliseconds=1)
    won = (
        result.outcome is Outcome.BOOKED and result.resource_id == courts[0] and result.start == top
    )
    if VERBOSE and (not won or (fire or 0) > 10):
        print(
            f"  [{scenario} #{index}] delay={delay} fire={fire} outcome={result.outcome} "
            f"fire_report={result.extra.get('fire')} tried={result.extra.get('tried')}",
            file=sys.stderr,
        )
    return Sample(
        scenario,
        "engine",
        delay,
        fire,
        latency,
        requests,
        won,
        result.outcome is Outcome.BOOKED,
        result.outcome.value,
    )


def _server_fire_error(host: FakeHost, tenant_id: str, release_at: datetime) -> float | None:
    creates = host.call("creates", tenant_id)
    if not creates:
        return None
    return (creates[0].received_at - release_at) / timedelta(milliseconds=1)


# -- the peer-style baseline ---------------------------------------------------------------


async def baseline_release(
    host: FakeHost,
    session: aiohttp.ClientSession,
    club: Club,
    courts: Sequence[str],
    release_at: datetime,
    *,
    scenario: str,
    delay: float | None,
) -> Sample:
    """Sleep until the configured release second on the host clock, log in afresh, then try
    the one configured slot up to 5 times, 1 s apart (biserasavoska/playtomic-bookings style)."""
    client = PlaytomicClient(session, EMAIL, PASSWORD, base_url=host.url)
    target_day = release_at.astimezone(MADRID).date() + timedelta(days=DAYS_AHEAD)
    target = BookingTarget(club.tenant_id, courts[0], top_start_utc(target_day), 90)
    await asyncio.sleep(max(0.0, (release_at - datetime.now(UTC)).total_seconds()))
    booked_at: datetime | None = None
    try:
        await client.login()
        for attempt in range(5):
            try:
                await client.book(target, POLICY)
                booked_at = datetime.now(UTC)
                break
            except SlotNotAvailableError:
                pass
            except PlaytomicError:
                pass
            if attempt < 4:
                await asyncio.sleep(1.0)
    except PlaytomicError:
        pass
    fire = _server_fire_error(host, club.tenant_id, release_at)
    latency = None
    if booked_at is not None:
        latency = (booked_at + host.skew - release_at) / timedelta(milliseconds=1)
    return Sample(
        scenario,
        "baseline",
        delay,
        fire,
        latency,
        client.request_count,
        booked_at is not None,
        booked_at is not None,
        "booked" if booked_at else "no_slot",
    )


async def run_baselines(
    host: FakeHost,
    session: aiohttp.ClientSession,
    setup_client: PlaytomicClient,
    *,
    scenario: str,
    delays: Sequence[float],
    per_second: int = 5,
) -> list[Sample]:
    """Baselines sleep up to 5 s each, so several run at once on separate clubs, a few per
    release second; they only compete with each other for the loop, never with the engine."""
    tasks: list[asyncio.Task[Sample]] = []
    for index, delay in enumerate(delays):
        club, courts = await new_club(host, setup_client, f"{scenario} baseline {index}")
        lead = 1.2 + index // per_second
        release_at: datetime = host.call("release_in", club.tenant_id, lead, True)
        target_day = release_at.astimezone(MADRID).date() + timedelta(days=DAYS_AHEAD)
        host.call("add_competitor", club.tenant_id, courts[0], top_start_utc(target_day), delay)
        tasks.append(
            asyncio.create_task(
                baseline_release(
                    host, session, club, courts, release_at, scenario=scenario, delay=delay
                )
            )
        )
    return list(await asyncio.gather(*tasks))


# -- a loaded event loop -------------------------------------------------------------------


async def busy_loop(stop: asyncio.Event, *, duty: float, seed: int = 1) -> int:
    """CPU work in 5-20 ms slices, yielding between slices: a Home Assistant loop with heavy
    integrations (template rendering, JSON, recorder callbacks) looks like this. `duty` 1.0
    runs slices back to back (the loop is never idle); 0.5 idles as long as it works."""
    rng = random.Random(seed)
    slices = 0
    while not stop.is_set():
        work = rng.uniform(0.005, 0.020)
        end = _time.perf_counter() + work
        while _time.perf_counter() < end:
            pass
        slices += 1
        await asyncio.sleep(0 if duty >= 1 else work * (1 - duty) / duty)
    return slices


# -- scenarios -----------------------------------------------------------------------------


async def measure_floor(
    host: FakeHost, session: aiohttp.ClientSession, client: PlaytomicClient, trials: int = 15
) -> float:
    """The protocol floor: create, PATCH, confirm sent back to back with bare aiohttp on an
    already-released slot (three round trips plus the server's time), median of `trials`."""
    club, courts = await new_club(host, client, "floor")
    tokens = client.tokens
    assert tokens is not None
    headers = {"Authorization": f"Bearer {tokens.access_token}", "Accept": "application/json"}
    day = datetime.now(UTC).astimezone(MADRID).date() + timedelta(days=3)
    times = []
    for trial in range(trials):
        start = datetime.combine(day + timedelta(days=trial // 8), time(9, 0), tzinfo=MADRID)
        start += timedelta(minutes=90 * (trial % 8 // 4))
        body = contract.payment_intent_body(
            user_id=client.user_id or "me",
            tenant_id=club.tenant_id,
            resource_id=courts[trial % 4],
            start=start.astimezone(UTC).strftime(contract.WIRE_DATETIME_FORMAT),
            duration=90,
            number_of_players=4,
        )
        began = _time.perf_counter()
        async with session.post(f"{host.url}/v1/payment_intents", json=body, headers=headers) as r:
            intent = (await r.json())["payment_intent_id"]
        async with session.patch(
            f"{host.url}/v1/payment_intents/{intent}",
            json=contract.select_method_body("CASH"),
            headers=headers,
        ) as r:
            await r.read()
        async with session.post(
            f"{host.url}/v1/payment_intents/{intent}/confirmation", headers=headers
        ) as r:
            assert r.status == 200, await r.text()
            await r.read()
        times.append((_time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def measure_rtt(client: PlaytomicClient, probes: int = 20) -> float:
    rtts = []
    for _ in range(probes):
        sample = await client.probe_server_time()
        rtts.append(sample.round_trip / timedelta(milliseconds=1))
    return statistics.median(rtts)


async def scenario(
    name: str,
    *,
    skew_ms: float,
    latency: float,
    releases: int,
    per_delay: bool,
    busy: float = 0.0,
    baseline: bool = True,
    lead: float = 0.3,
) -> tuple[list[Sample], dict[str, object]]:
    host = FakeHost(latency=latency, skew_ms=skew_ms, hold_seconds=0.0)
    samples: list[Sample] = []
    info: dict[str, object] = {}
    try:
        async with aiohttp.ClientSession() as session:
            client = PlaytomicClient(session, EMAIL, PASSWORD, base_url=host.url)
            engine = BookingEngine(client)
            await client.login()
            rtt = await measure_rtt(client)
            floor = await measure_floor(host, session, client)
            before = client.request_count
            started = _time.perf_counter()
            clock = await engine.measure_clock(force=True)
            info = {
                "rtt_ms": rtt,
                "floor_ms": floor,
                "clock": clock.as_dict(),
                "clock_requests": client.request_count - before,
                "clock_seconds": round(_time.perf_counter() - started, 1),
            }
            delays: list[float] = (
                [d for d in DELAYS for _ in range(releases)]
                if per_delay
                else [DELAYS[i % len(DELAYS)] for i in range(releases)]
            )
            stop = asyncio.Event()
            burner = asyncio.create_task(busy_loop(stop, duty=busy)) if busy else None
            try:
                for index, delay in enumerate(delays):
                    samples.append(
                        await engine_release(
                            host,
                            client,
                            engine,
                            scenario=name,
                            index=index,
                            delay=delay,
                            lead=lead,
                        )
                    )
            finally:
                stop.set()
                if burner is not None:
                    info["busy_slices"] = await burner
            if baseline:
                samples.extend(
                    await run_baselines(host, session, client, scenario=name, delays=delays)
                )
    finally:
        host.close()
    return samples, info


# -- report --------------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def triple(values: Iterable[float | None], fmt: str = "{:.1f}") -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "n/a"
    return " / ".join(
        fmt.format(x) for x in (statistics.median(present), pct(present, 0.99), max(present))
    )


def win_rates(samples: Sequence[Sample]) -> str:
    parts = []
    for delay in DELAYS:
        group = [s for s in samples if s.delay == delay]
        if group:
            wins = sum(s.won for s in group)
            parts.append(f"{100 * wins / len(group):.0f} % ({wins}/{len(group)})")
        else:
            parts.append("n/a")
    return " / ".join(parts)


def report(results: list[tuple[str, list[Sample], dict[str, object]]], latency: float) -> str:
    lines = [
        f"Fake server over loopback, {latency * 1000:.0f} ms added before every answer; "
        "holds off; one fresh club per release; median / p99 / max.",
        "",
        "| scenario | contender | releases | fire error ms | release-to-booked ms | "
        "latency / floor | requests / release | wins vs +50 / +150 / +500 ms | booked |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, samples, info in results:
        floor = float(info["floor_ms"])  # type: ignore[arg-type]
        for contender in ("engine", "baseline"):
            group = [s for s in samples if s.contender == contender]
            if not group:
                continue
            booked = sum(s.booked for s in group)
            lines.append(
                f"| {name} | {contender} | {len(group)} | {triple(s.fire_error_ms for s in group)} | "
                f"{triple(s.latency_ms for s in group)} | "
                f"{triple((s.latency_ms / floor if s.latency_ms else None for s in group), '{:.2f}')} | "
                f"{triple((s.requests for s in group), '{:.0f}')} | {win_rates(group)} | "
                f"{100 * booked / len(group):.0f} % |"
            )
    lines += [
        "",
        "| scenario | probe RTT ms | floor ms (create+PATCH+confirm, bare aiohttp) | "
        "clock estimate | clock probes |",
    ]
    lines.append("|---|---|---|---|---|")
    for name, _samples, info in results:
        clock = info["clock"]
        assert isinstance(clock, dict)
        lines.append(
            f"| {name} | {float(info['rtt_ms']):.1f} | {float(info['floor_ms']):.1f} | "  # type: ignore[arg-type]
            f"{clock['offset_ms']:+.1f} ms +-{clock['uncertainty_ms']:.1f} (fires on "
            f"{clock['firing_offset_ms']:+.1f}) | {info['clock_requests']} in "
            f"{info['clock_seconds']} s |"
        )
    return "\n".join(lines)


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.release_bench", description=__doc__)
    parser.add_argument("--releases", type=int, default=50, help="releases per scenario cell")
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--only", help="run only the scenario whose name contains this text")
    parser.add_argument("-v", "--verbose", action="store_true", help="explain lost releases")
    args = parser.parse_args(argv)
    global VERBOSE  # noqa: PLW0603 - a CLI switch for the whole run
    VERBOSE = args.verbose
    latency = args.latency_ms / 1000
    n = args.releases
    plan = [
        ("host clock right", {"skew_ms": 0.0, "per_delay": True}),
        ("server +800 ms", {"skew_ms": 800.0, "per_delay": False}),
        ("server -800 ms", {"skew_ms": -800.0, "per_delay": False}),
        # On a loaded loop the preparation itself is slow, so the instant is set further ahead:
        # the figure is about the shot, not about a preparation that ran late.
        (
            "busy loop 50 %",
            {"skew_ms": 0.0, "per_delay": False, "busy": 0.5, "baseline": False, "lead": 1.0},
        ),
        (
            "busy loop 100 %",
            {"skew_ms": 0.0, "per_delay": False, "busy": 1.0, "baseline": False, "lead": 1.0},
        ),
    ]
    results = []
    started = _time.perf_counter()
    for name, kwargs in plan:
        if args.only and args.only not in name:
            continue
        print(f"running: {name} ...", file=sys.stderr, flush=True)
        samples, info = await scenario(name, latency=latency, releases=n, **kwargs)  # type: ignore[arg-type]
        results.append((name, samples, info))
    print(report(results, latency))
    print(f"\n(total {time_taken(started)})")
    return 0


def time_taken(started: float) -> str:
    return f"{_time.perf_counter() - started:.0f} s"


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
