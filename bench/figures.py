"""The figures every benchmark prints: one sample per release, one markdown table per scenario.

Shared by `release_bench` (engine on the fake over loopback) and `hass_bench` (a real Home
Assistant), so both report the same columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
import math
import os
import statistics

DELAYS = (0.05, 0.15, 0.5)  # the rival books the top slot this long after the release


@dataclass
class Sample:
    """One release by one contender."""

    scenario: str
    contender: str
    delay: float | None  # the rival's delay, None without a rival
    fire_error_ms: float | None  # first create's arrival at the server minus the release
    sent_ms: float | None  # first create sent (the engine's own report) minus the release
    held_ms: float | None  # loop time held before the shot (None: not measured / baseline)
    latency_ms: float | None  # release to confirmation answer (booked only)
    requests: int
    won: bool  # booked the top slot the rival wanted
    booked: bool
    outcome: str


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def triple(values: Iterable[float | None], fmt: str = "{:.1f}") -> str:
    """median / p99 / max of the values present."""
    present = [v for v in values if v is not None]
    if not present:
        return "n/a"
    return " / ".join(
        fmt.format(x) for x in (statistics.median(present), pct(present, 0.99), max(present))
    )


def win_rates(samples: Sequence[Sample]) -> str:
    """Share of releases won against each rival delay."""
    parts = []
    for delay in DELAYS:
        group = [s for s in samples if s.delay == delay]
        if group:
            wins = sum(s.won for s in group)
            parts.append(f"{100 * wins / len(group):.0f} % ({wins}/{len(group)})")
        else:
            parts.append("n/a")
    return " / ".join(parts)


def creates_first(samples: Sequence[Sample], delay: float = DELAYS[0]) -> str:
    """Share of releases whose first create (the top slot) reached the server before `delay`.

    The bench runs with holds off (only a confirmation counts). docs/playtomic-api.md §11.5
    says the real server keeps an unconfirmed intent's court for 10-15 minutes: there the race
    against a rival at +50 ms is decided by the create alone, and this is the win rate.
    """
    fires = [s.fire_error_ms for s in samples]
    first = sum(1 for f in fires if f is not None and 0 <= f < delay * 1000)
    return f"{100 * first / len(samples):.0f} %" if samples else "n/a"


def loadavg() -> str:
    """The machine's load average (1 / 5 / 15 min) and core count."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


HEADER = [
    "| contender | releases | fire error ms | sent ms | loop held ms | release-to-booked ms | "
    "latency / floor | wins vs +50 / +150 / +500 ms | create before +50 ms | booked | "
    "requests / release |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
]


def table(samples: Sequence[Sample], floor_ms: float, contenders: Sequence[str]) -> list[str]:
    """One scenario's table (median / p99 / max in every triple)."""
    lines = list(HEADER)
    for contender in contenders:
        group = [s for s in samples if s.contender == contender]
        if not group:
            continue
        booked = sum(s.booked for s in group)
        ratio = (s.latency_ms / floor_ms if s.latency_ms else None for s in group)
        lines.append(
            f"| {contender} | {len(group)} | {triple(s.fire_error_ms for s in group)} | "
            f"{triple(s.sent_ms for s in group)} | {triple(s.held_ms for s in group)} | {triple(s.latency_ms for s in group)} | "
            f"{triple(ratio, '{:.2f}')} | {win_rates(group)} | {creates_first(group)} | "
            f"{100 * booked / len(group):.0f} % | {triple((s.requests for s in group), '{:.0f}')} |"
        )
    return lines
