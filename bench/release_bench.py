"""Release benchmark: the engine, its old firing and a peer-style baseline, on the fake server.

    .venv/bin/python -m bench.release_bench [--releases 20] [--latency-ms 10] [--only TEXT]

The fake Playtomic runs in its own process (see fake_host.py) with `latency` added before every
answer (about one round trip of that length per request) and, in some scenarios, a server clock
skewed by +-800 ms. Every release gets a fresh club whose daily drop is set a fraction of a second
ahead; a scripted competitor takes the engine's top slot at release + 50/150/500 ms if it is still
free (holds off: `hold_seconds=0`, so only a confirmation counts). Fire errors come from the
server's own request log (arrival of the first create vs the server's release instant).
Contenders: `engine` (claims the loop before the instant, issue 15), `old firing` (the same
engine with `ClaimPolicy.off()`: one timer at the instant, nothing paused) and `baseline`.
Prints one markdown table per scenario with the machine's load; see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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
)
from custom_components.playtomic.engine import (
    DEFAULT_CLAIM,
    BookingEngine,
    BookingRule,
    ClaimPolicy,
    DailyDrop,
    Outcome,
    PlannedAttempt,
)

from .fake_host import EMAIL, PASSWORD, FakeHost
from .figures import DELAYS, Sample, loadavg, table
from .floor import protocol_floor
from .loads import Load, busy_loop, ha_like

MADRID = ZoneInfo("Europe/Madrid")
DAYS_AHEAD = 14
TOP_START = time(19, 0)
POLICY = ("at_club",)
VERBOSE = False
ENGINE = "engine"
OLD_FIRING = "old firing"
BASELINE = "baseline"
NO_SWITCH = "engine, switch interval untouched"
SPIN = "engine, spinning hold"


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
    contender: str,
    scenario: str,
    index: int,
    delay: float | None,
    lead: float,
) -> Sample:
    club, courts = await new_club(host, client, f"{scenario} {contender} {index}")
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
    held = result.extra.get("fire", {}).get("held_ms")
    if VERBOSE and (not won or (fire or 0) > 10):
        print(
            f"  [{scenario} {contender} #{index}] delay={delay} fire={fire} outcome={result.outcome} "
            f"fire_report={result.extra.get('fire')} tried={result.extra.get('tried')}",
            file=sys.stderr,
        )
    return Sample(
        scenario,
        contender,
        delay,
        fire,
        _sent_ms(result.extra, host.skew, release_at),
        held,
        latency,
        requests,
        won,
        result.outcome is Outcome.BOOKED,
        result.outcome.value,
    )


def _sent_ms(extra: dict[str, object], skew: timedelta, release_at: datetime) -> float | None:
    """When the engine sent its first create (its host wall clock + the true skew)."""
    sent = extra.get("first_sent_at")
    if not isinstance(sent, str):
        return None
    return (datetime.fromisoformat(sent) + skew - release_at) / timedelta(milliseconds=1)


def _server_fire_error(host: FakeHost, tenant_id: str, release_at: datetime) -> float | None:
    creates = host.call("creates", tenant_id)
    if not creates:
        return None
    return float((creates[0].received_at - release_at) / timedelta(milliseconds=1))


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
        BASELINE,
        delay,
        fire,
        None,
        None,
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


# -- scenarios -----------------------------------------------------------------------------


async def measure_floor(
    host: FakeHost, session: aiohttp.ClientSession, client: PlaytomicClient
) -> float:
    """The protocol floor on a club of its own (bench/floor.py)."""
    club, courts = await new_club(host, client, "floor")
    tokens = client.tokens
    assert tokens is not None
    return await protocol_floor(
        session,
        host.url,
        access_token=tokens.access_token,
        user_id=client.user_id or "me",
        tenant_id=club.tenant_id,
        courts=courts,
        first_day=datetime.now(UTC).astimezone(MADRID).date() + timedelta(days=3),
        zone=MADRID,
    )


async def measure_rtt(client: PlaytomicClient, probes: int = 20) -> float:
    rtts = []
    for _ in range(probes):
        sample = await client.probe_server_time()
        rtts.append(sample.round_trip / timedelta(milliseconds=1))
    return statistics.median(rtts)


@dataclass
class Scenario:
    """One table: a server clock skew and a load on the engine's loop."""

    name: str
    skew_ms: float = 0.0
    load: Callable[[], Load] | None = None
    # On a loaded loop the preparation itself is slow, so the instant is set further ahead:
    # the figure is about the shot, not about a preparation that ran late. The lag sampled
    # before the claim covers what is left of it (up to 2 s; in Home Assistant ~3 s).
    lead: float = 0.5
    contenders: tuple[str, ...] = (ENGINE, OLD_FIRING)


@dataclass
class Outcomes:
    samples: list[Sample] = field(default_factory=list)
    info: dict[str, object] = field(default_factory=dict)


CLAIMS = {
    ENGINE: DEFAULT_CLAIM,
    OLD_FIRING: ClaimPolicy.off(),
    NO_SWITCH: ClaimPolicy(switch_interval=None),
    # The hold before it learnt to sleep: spins from the claim to the instant.
    SPIN: ClaimPolicy(spin_tail=DEFAULT_CLAIM.max_hold),
}


async def run_scenario(plan: Scenario, *, latency: float, releases: int) -> Outcomes:
    host = FakeHost(latency=latency, skew_ms=plan.skew_ms, hold_seconds=0.0)
    out = Outcomes()
    try:
        async with aiohttp.ClientSession() as session:
            client = PlaytomicClient(session, EMAIL, PASSWORD, base_url=host.url)
            engines = {name: BookingEngine(client, claim=CLAIMS[name]) for name in plan.contenders}
            await client.login()
            rtt = await measure_rtt(client)
            floor = await measure_floor(host, session, client)
            before = client.request_count
            started = _time.perf_counter()
            clock = await engines[plan.contenders[0]].measure_clock(force=True)
            for engine in engines.values():
                engine.set_clock(clock)
            out.info = {
                "rtt_ms": rtt,
                "floor_ms": floor,
                "clock": clock.as_dict(),
                "clock_requests": client.request_count - before,
                "clock_seconds": round(_time.perf_counter() - started, 1),
                "load_before": loadavg(),
            }
            load = plan.load() if plan.load else None
            try:
                # Contenders take turns release by release, so a burst of machine load hits
                # them alike; each sees every rival delay in turn.
                for index in range(releases):
                    delay = DELAYS[index % len(DELAYS)]
                    for name, engine in engines.items():
                        out.samples.append(
                            await engine_release(
                                host,
                                client,
                                engine,
                                contender=name,
                                scenario=plan.name,
                                index=index,
                                delay=delay,
                                lead=plan.lead,
                            )
                        )
                delays = [DELAYS[i % len(DELAYS)] for i in range(releases)]
                out.samples.extend(
                    await run_baselines(host, session, client, scenario=plan.name, delays=delays)
                )
            finally:
                if load is not None:
                    out.info["load"] = await load.stop()
            out.info["load_after"] = loadavg()
    finally:
        host.close()
    return out


# -- report --------------------------------------------------------------------------------


def report(plan: Scenario, out: Outcomes, latency: float) -> str:
    info = out.info
    clock = info["clock"]
    assert isinstance(clock, dict)
    lines = [
        f"### {plan.name}",
        "",
        f"Probe RTT {float(info['rtt_ms']):.1f} ms; floor (create+PATCH+confirm, bare aiohttp) "  # type: ignore[arg-type]
        f"{float(info['floor_ms']):.1f} ms; clock estimate {clock['offset_ms']:+.1f} ms "  # type: ignore[arg-type]
        f"+-{clock['uncertainty_ms']:.1f} (fires on {clock['firing_offset_ms']:+.1f}), "
        f"{info['clock_requests']} probes in {info['clock_seconds']} s.",
        f"Machine: {info['load_before']} before, {info['load_after']} after.",
    ]
    if "load" in info:
        lines.append(f"Load on the engine's loop: {info['load']}.")
    lines += ["", *table(out.samples, float(info["floor_ms"]), (*plan.contenders, BASELINE))]  # type: ignore[arg-type]
    return "\n".join(lines)


PLANS = (
    Scenario("host clock right", contenders=(ENGINE, SPIN, OLD_FIRING)),
    Scenario("server +800 ms", skew_ms=800.0),
    Scenario("server -800 ms", skew_ms=-800.0),
    Scenario("busy loop 50 %", load=lambda: busy_loop(duty=0.5), lead=1.0),
    Scenario("busy loop 100 %", load=lambda: busy_loop(duty=1.0), lead=1.0),
    Scenario(
        "HA-like load",
        load=ha_like,
        lead=1.5,
        contenders=(ENGINE, SPIN, NO_SWITCH, OLD_FIRING),
    ),
)


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.release_bench", description=__doc__)
    parser.add_argument("--releases", type=int, default=20, help="releases per contender")
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--only", help="run only the scenarios whose name contains this text")
    parser.add_argument("-v", "--verbose", action="store_true", help="explain lost releases")
    args = parser.parse_args(argv)
    global VERBOSE  # noqa: PLW0603 - a CLI switch for the whole run
    VERBOSE = args.verbose
    latency = args.latency_ms / 1000
    started = _time.perf_counter()
    print(
        f"Fake server over loopback, {args.latency_ms:.0f} ms added before every answer; holds "
        f"off; one fresh club per release; {args.releases} releases per contender, the rival "
        "at +50 / +150 / +500 ms in turn; median / p99 / max. Python "
        f"{sys.version.split()[0]}, {loadavg()} at the start.\n"
    )
    for plan in PLANS:
        if args.only and args.only not in plan.name:
            continue
        print(f"running: {plan.name} ...", file=sys.stderr, flush=True)
        out = await run_scenario(plan, latency=latency, releases=args.releases)
        print(report(plan, out, latency) + "\n", flush=True)
    print(f"(total {time_taken(started)}; {loadavg()} at the end)")
    return 0


def time_taken(started: float) -> str:
    return f"{_time.perf_counter() - started:.0f} s"


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
