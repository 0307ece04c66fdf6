"""End-to-end release benchmark: a real Home Assistant with the integration and a busy companion.

    .venv/bin/python -m bench.hass_bench [--releases 10] [--load ha_like] [--spacing 8]

Not part of `scripts/test`. It starts, as child processes stopped by PID at the end, the fake
Playtomic (demo scenario, 10 ms added before every answer, holds off) and a real `hass` whose
configuration has the integration and `bench_busy` (bench/busy_companion: the same loads as
`release_bench`, here on Home Assistant's own loop and executor). Over the REST API it adds the
demo account with one booking rule per release: rule i drops `4 + i` days ahead at its own
whole second, `--spacing` s after the previous one, only on its target's weekday. Before each
instant the fake's club is set to open exactly that date at that second, and rivals are set to
take every court at the rule's best start (18:00) at +50 / +150 / +500 ms in turn. The
scheduler does the rest, as it would at a real club.

Per release it reads the fake's request log (first create's arrival vs the instant) and the
attempt the integration reports in its diagnostics (fire report: time sent, loop time held,
confirmation), and prints the same table as `release_bench`.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
import os
from pathlib import Path
import sys
import tempfile
import time as _time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from custom_components.playtomic.api import PlaytomicClient
from tests.e2e.fake_api import FakeApi, is_create, received_at
from tests.e2e.harness import E2EStack
from tests.e2e.hass_api import HassApi, HassApiError
from tests.e2e.playtomic_flow import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    MADRID_TENANT_ID,
    Release,
    add_entry_until_rule,
    expect_form,
    finish_rule,
    rule_input,
    rule_subentry_ids,
    weekday,
)

from .figures import DELAYS, Sample, loadavg, table
from .floor import protocol_floor

MADRID = ZoneInfo("Europe/Madrid")
FIRST_DAYS_AHEAD = 4  # the demo account's own booking covers day 3
BEST_START = time(18, 0)  # the rule's window starts here: its best slot
DURATION = 90
LATENCY_MS = 10
FAKE_NICE = -10
CONTENDER = "engine in Home Assistant"
# The demo's Madrid club (tests/fake_playtomic/scenarios.py).
MADRID_COURTS = [f"c0a80101-0000-4000-8000-00000000000{n}" for n in range(1, 7)]
RESULT_TIMEOUT = 40.0


class BenchStack(E2EStack):
    """The end-to-end stack, with `bench` importable in hass instead of the repository root.

    With the root on PYTHONPATH, the repository's `custom_components` package would hide the
    configuration's, where `bench_busy` is linked in.
    """

    def _env(self) -> dict[str, str]:
        env = super()._env()
        path = self.workdir / "pythonpath"
        path.mkdir(exist_ok=True)
        link = path / "bench"
        if not link.exists():
            link.symlink_to(Path(__file__).resolve().parent)
        env["PYTHONPATH"] = str(path)
        return env


@dataclass
class Planned:
    index: int
    days_ahead: int
    release_at: datetime  # server (= host) clock, whole second
    delay: float
    rule_id: str = ""

    def target(self, today: date) -> date:
        return today + timedelta(days=self.days_ahead)


def add_companion(config_dir: Path, load: str) -> None:
    """Link bench/busy_companion in as `bench_busy`; diagnostics to read the results."""
    link = config_dir / "custom_components" / "bench_busy"
    if not link.exists():
        link.symlink_to(Path(__file__).resolve().parent / "busy_companion")
    yaml = config_dir / "configuration.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8") + f"diagnostics:\nbench_busy:\n  load: {load}\n",
        encoding="utf-8",
    )


async def add_rule_subentry(api: HassApi, entry_id: str, fields: dict[str, Any]) -> None:
    """One more booking rule on the account: the subentry flow club → club_select → rule."""
    flow = await api.request(
        "POST",
        "/api/config/config_entries/subentries/flow",
        json={"handler": [entry_id, "booking_rule"]},
    )
    flow_id = flow["flow_id"]
    path = f"/api/config/config_entries/subentries/flow/{flow_id}"
    if flow.get("step_id") != "club":
        raise RuntimeError(f"unexpected subentry flow start: {flow}")
    result = await api.request("POST", path, json={"query": "Norte", "sport": "PADEL"})
    expect_form(result, "club_select")
    result = await api.request("POST", path, json={"tenant_id": MADRID_TENANT_ID})
    expect_form(result, "rule")
    result = await api.request("POST", path, json=fields)
    if result.get("type") != "create_entry":
        raise RuntimeError(f"rule not created: {result}")


def rule_fields(plan: Planned, today: date) -> dict[str, Any]:
    local = plan.release_at.astimezone(MADRID)
    release = Release(days_ahead=plan.days_ahead, at=local.time())
    return rule_input(
        weekdays=[weekday(plan.target(today))], release=release, name=f"Bench {plan.index}"
    )


async def add_rules(api: HassApi, plans: list[Planned], today: date) -> str:
    """The entry with the first rule, then one subentry per further release; sets rule ids."""
    flow_id = await add_entry_until_rule(api)
    added = await finish_rule(api, flow_id, rule_fields(plans[0], today))
    plans[0].rule_id = added.rule_id
    known = {added.rule_id}
    for plan in plans[1:]:
        await add_rule_subentry(api, added.entry_id, rule_fields(plan, today))
        new = set(await rule_subentry_ids(api, added.entry_id)) - known
        (plan.rule_id,) = new
        known |= new
    return added.entry_id


async def open_at(fake: FakeApi, plan: Planned) -> None:
    """The club drops `plan`'s date at its instant; rivals want every court at 18:00."""
    local = plan.release_at.astimezone(MADRID)
    changed = await fake.set_release(
        MADRID_TENANT_ID,
        {"model": "daily_drop", "days_ahead": plan.days_ahead, "time": local.time().isoformat()},
    )
    if datetime.fromisoformat(changed["next_release"]) != plan.release_at:
        raise RuntimeError(f"the fake opens at {changed['next_release']}, not {plan.release_at}")


async def add_rivals(fake: FakeApi, courts: Sequence[str], plan: Planned, today: date) -> None:
    start = datetime.combine(plan.target(today), BEST_START, tzinfo=MADRID).astimezone(UTC)
    for resource_id in courts:
        await fake._call(
            "POST",
            "/competitors",
            {
                "tenant_id": MADRID_TENANT_ID,
                "resource_id": resource_id,
                "start": start.isoformat(),
                "duration": DURATION,
                "delay": plan.delay,
            },
        )


async def result_for(api: HassApi, entry_id: str, plan: Planned, today: date) -> dict[str, Any]:
    """The integration's report of this release (diagnostics' last results)."""
    target = plan.target(today).isoformat()
    wait = (plan.release_at - datetime.now(UTC)).total_seconds() + 1.0
    if wait > 0:
        await asyncio.sleep(wait)
    deadline = _time.monotonic() + RESULT_TIMEOUT
    while _time.monotonic() < deadline:
        try:
            diagnostics = await api.request("GET", f"/api/diagnostics/config_entry/{entry_id}")
        except HassApiError:  # the entry is (re)loading
            await asyncio.sleep(1.0)
            continue
        for result in reversed(diagnostics["data"]["last_results"]):
            if result["rule_id"] == plan.rule_id and result["target_date"] == target:
                return dict(result)
        await asyncio.sleep(1.0)
    raise RuntimeError(f"no result for release {plan.index} ({plan.rule_id}, {target})")


def sample_of(
    plan: Planned, result: dict[str, Any], requests: list[dict[str, Any]], today: date
) -> Sample:
    day = plan.target(today)
    creates = [
        r
        for r in requests
        if is_create(r) and _create_day(r) == day and received_at(r) >= plan.release_at - _PROBE
    ]
    fire = (
        (min(received_at(r) for r in creates) - plan.release_at) / timedelta(milliseconds=1)
        if creates
        else None
    )
    extra = result.get("extra") or {}
    booked = result["outcome"] == "booked"
    latency = None
    if booked and extra.get("confirmed_at"):
        confirmed = datetime.fromisoformat(extra["confirmed_at"])
        latency = (confirmed - plan.release_at) / timedelta(milliseconds=1)
    start = result.get("start")
    won = (
        booked
        and start is not None
        and datetime.fromisoformat(start).astimezone(MADRID).time() == BEST_START
    )
    return Sample(
        scenario="hass",
        contender=CONTENDER,
        delay=plan.delay,
        fire_error_ms=fire,
        sent_ms=(
            (datetime.fromisoformat(extra["first_sent_at"]) - plan.release_at)
            / timedelta(milliseconds=1)
            if extra.get("first_sent_at")
            else None
        ),
        held_ms=(extra.get("fire") or {}).get("held_ms"),
        latency_ms=latency,
        requests=int(result.get("requests_used") or 0) + int(extra.get("prepared_requests") or 0),
        won=won,
        booked=booked,
        outcome=str(result["outcome"]),
    )


_PROBE = timedelta(seconds=5)


def _create_day(request: dict[str, Any]) -> date | None:
    try:
        start = request["json"]["cart"]["requested_item"]["cart_item_data"]["start"]
        return datetime.fromisoformat(start).replace(tzinfo=UTC).astimezone(MADRID).date()
    except (KeyError, TypeError, ValueError):
        return None


async def floor_ms(http: aiohttp.ClientSession, stack: E2EStack, courts: Sequence[str]) -> float:
    client = PlaytomicClient(http, DEMO_EMAIL, DEMO_PASSWORD, base_url=stack.fake_url)
    tokens = await client.login()
    return await protocol_floor(
        http,
        stack.fake_url,
        access_token=tokens.access_token,
        user_id=client.user_id or "",
        tenant_id=MADRID_TENANT_ID,
        # Not court 4 (index 3): the demo has a booking on it on day 2 at 10:00.
        courts=[courts[0], courts[1], courts[2], courts[4]],
        first_day=datetime.now(UTC).astimezone(MADRID).date() + timedelta(days=1),
        zone=MADRID,
    )


async def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="playtomic-hass-bench-"))
    stack = BenchStack(workdir=workdir)
    started = _time.perf_counter()
    print(
        f"Real Home Assistant ({sys.executable}), the integration, bench_busy load "
        f"'{args.load}', the fake over loopback with {LATENCY_MS} ms before every answer, holds "
        f"off; {args.releases} releases {args.spacing} s apart; {loadavg()} at the start; "
        f"run directory {workdir}.\n",
        flush=True,
    )
    try:
        stack.start_fake()
        assert stack.fake is not None
        with contextlib.suppress(OSError):  # raising priority needs the privilege
            os.setpriority(os.PRIO_PROCESS, stack.fake.pid, FAKE_NICE)
        stack.write_config()
        add_companion(stack.config_dir, args.load)
        async with aiohttp.ClientSession() as http:
            api, fake = stack.clients(http)
            boot = await stack.boot_hass(api)
            print(f"hass up in {boot} s", file=sys.stderr, flush=True)
            await fake._call("POST", "/settings", {"latency_ms": LATENCY_MS, "hold_seconds": 0})
            courts = MADRID_COURTS
            floor = await floor_ms(http, stack, courts)
            now = await fake.now()
            today = now.astimezone(MADRID).date()
            first = now.replace(microsecond=0) + timedelta(
                seconds=args.setup_seconds + 3 * args.releases
            )
            plans = [
                Planned(
                    index=i,
                    days_ahead=FIRST_DAYS_AHEAD + i,
                    release_at=first + timedelta(seconds=i * args.spacing),
                    delay=DELAYS[i % len(DELAYS)],
                )
                for i in range(args.releases)
            ]
            if any(p.release_at.astimezone(MADRID).date() != today for p in plans):
                raise RuntimeError("the releases would cross midnight in Madrid; run later")
            await open_at(fake, plans[0])
            entry_id = await add_rules(api, plans, today)
            if await fake.now() > plans[0].release_at - timedelta(seconds=8):
                raise RuntimeError("set-up took too long; raise --setup-seconds")
            print(f"{len(plans)} rules armed", file=sys.stderr, flush=True)
            samples: list[Sample] = []
            for plan in plans:
                if plan.index:
                    await open_at(fake, plan)
                await add_rivals(fake, courts, plan, today)
                result = await result_for(api, entry_id, plan, today)
                sample = sample_of(plan, result, await fake.requests(), today)
                samples.append(sample)
                print(
                    f"release {plan.index}: {sample.outcome}, fire {sample.fire_error_ms} ms, "
                    f"held {sample.held_ms} ms, rival +{plan.delay * 1000:.0f} ms, "
                    f"won {sample.won}",
                    file=sys.stderr,
                    flush=True,
                )
            load_after = loadavg()
        stack.stop_hass()
        companion = _companion_summary(stack)
    finally:
        stack.stop()
    lines = [
        f"### Home Assistant, bench_busy load '{args.load}'",
        "",
        f"Floor (create+PATCH+confirm, bare aiohttp) {floor:.1f} ms. Machine: {load_after} "
        "at the end.",
    ]
    if companion:
        lines.append(f"Load on Home Assistant's loop: {companion}.")
    lines += ["", *table(samples, floor, (CONTENDER,))]
    print("\n".join(lines))
    print(f"\n(total {_time.perf_counter() - started:.0f} s; logs in {workdir})")
    return 0


def _companion_summary(stack: E2EStack) -> str:
    for line in reversed(stack.hass_log.read_text(encoding="utf-8").splitlines()):
        if "bench_busy: " in line and "load running" not in line:
            return line.split("bench_busy: ", 1)[1].strip()
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hass_bench", description=__doc__)
    parser.add_argument("--releases", type=int, default=10)
    parser.add_argument("--spacing", type=int, default=8, help="whole seconds between releases")
    parser.add_argument(
        "--load", default="ha_like", choices=("ha_like", "busy_50", "busy_100", "none")
    )
    parser.add_argument(
        "--setup-seconds", type=float, default=30.0, help="time for the flows before release 0"
    )
    args = parser.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
