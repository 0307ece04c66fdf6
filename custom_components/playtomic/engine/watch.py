"""The cancellation watch, HA-free: which dates a rule watches, and how polling rounds stay bounded.

A release is one shot; courts come back when players cancel. For a date whose release was
attempted without a booking, the watch looks at that date's availability every polling round
and books the best fitting slot through the same engine entry as "book now"
(`BookingEngine.book_best`: same ranking, payment policy, lock and one booking per rule and date).

Request volume is the other half: one availability request per club-day per round, rounds every
few minutes with jitter, shared with the slot sensors' polling, and an hourly ceiling per
account that `RequestBudget` enforces. These are the only timing constants of the rounds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
import math
import random

from ..api.models import Match
from ..api.timeconv import as_utc, local_to_utc
from .outcome import AttemptResult, Outcome
from .planner import covered_dates, open_dates, release_instant
from .rules import BookingRule

# Outcomes of a release after which its date is watched: nothing of ours was booked, and nothing
# says the next try would fail the same way (a payment the policy refuses would; an unknown
# outcome may be a booking, which reconciliation finds first).
WATCH_OUTCOMES = frozenset({Outcome.NO_SLOT, Outcome.FAILED, Outcome.MISSED})
# A round while something is watched; the slot sensors alone poll at the slower pace.
ROUND_INTERVAL = timedelta(minutes=5)
IDLE_ROUND_INTERVAL = timedelta(minutes=10)
# Rounds never line up with other clients' polls (human scale, docs/playtomic-api.md §8 rule 5).
ROUND_JITTER = timedelta(seconds=30)
MIN_ROUND_INTERVAL = timedelta(minutes=2)
# Requests the rounds may send per account in any hour, whatever the number of rules and dates.
HOURLY_REQUEST_CEILING = 30
CEILING_WINDOW = timedelta(hours=1)

# (tenant id, sport id, club-local date): what one availability request lists.
type ClubDay = tuple[str, str, date]


def starts_watch(result: AttemptResult) -> bool:
    """Whether a result is a release attempted without booking (its date is then watched)."""
    return (
        result.rule_id is not None
        and result.target_date is not None
        and result.release_at is not None
        and result.trigger is None
        and result.outcome in WATCH_OUTCOMES
    )


def watch_cutoff(rule: BookingRule, day: date) -> datetime:
    """When watching `day` stops: the rule's cutoff before its window starts (UTC)."""
    return local_to_utc(day, rule.window_start, rule.zone) - rule.watch_cutoff


def watched_dates(
    rule: BookingRule,
    *,
    now: datetime,
    attempted: Iterable[date],
    own_matches: Sequence[Match],
) -> list[date]:
    """The rule's dates being watched now, nearest first.

    Attempted dates (releases that ended without a booking), plus every open date when the
    rule asks for it; each still on the rule's weekdays, released, before its cutoff, and not
    covered by a booking of ours at the club inside the window. Nothing when the watch is off.
    """
    if not rule.watch:
        return []
    now_utc = as_utc(now)
    candidates = set(attempted)
    if rule.watch_open_dates:
        candidates.update(open_dates(rule, now=now_utc))
    covered = covered_dates(rule, own_matches)
    return sorted(day for day in candidates if watchable(rule, day, now=now_utc, covered=covered))


def watchable(rule: BookingRule, day: date, *, now: datetime, covered: Iterable[date]) -> bool:
    """Whether `day` can be watched for the rule at all (the watch switch aside): on its
    weekdays, released, before the cutoff, and not already covered by a booking of ours."""
    return (
        day.weekday() in rule.weekdays
        and day not in set(covered)
        and release_instant(rule, day) <= as_utc(now) < watch_cutoff(rule, day)
    )


def club_day(rule: BookingRule, day: date) -> ClubDay:
    """The availability request that lists `day` for the rule."""
    return (rule.tenant_id, rule.sport_id, day)


def round_interval(*, watching: bool, rng: random.Random) -> timedelta:
    """The wait before the next round: 5 min while watching, else 10, with jitter, never < 2."""
    base = ROUND_INTERVAL if watching else IDLE_ROUND_INTERVAL
    return max(MIN_ROUND_INTERVAL, base + ROUND_JITTER * rng.uniform(-1.0, 1.0))


def plan_round(
    watched: Sequence[ClubDay],
    wanted: Sequence[ClubDay],
    *,
    limit: int,
    last_fetched: Mapping[ClubDay, datetime],
    batch: Callable[[ClubDay], Hashable] = lambda key: key,
) -> list[ClubDay]:
    """The club-days one round fetches, in at most `limit` requests.

    `batch` names the request a club-day is listed by (clubs whose day shares a UTC window are
    asked together). Watched club-days come first, then the slot sensors' days; inside each
    group the least recently fetched first (never fetched before anything), in the given order
    on ties, so a limit below the number of days rotates through all of them over the rounds.
    Every club-day a chosen request lists anyway is included.
    """
    everything = list(dict.fromkeys([*watched, *wanted]))
    requests: set[Hashable] = set()
    for group in (watched, wanted):
        order = {key: index for index, key in enumerate(dict.fromkeys(group))}
        for key in sorted(
            order, key=lambda key: (_fetched_rank(last_fetched.get(key)), order[key])
        ):
            if len(requests) < limit:
                requests.add(batch(key))
    return [key for key in everything if batch(key) in requests]


def _fetched_rank(fetched: datetime | None) -> float:
    return -math.inf if fetched is None else fetched.timestamp()


class RequestBudget:
    """The hourly ceiling of the rounds' requests for one account (a sliding window)."""

    def __init__(
        self, ceiling: int = HOURLY_REQUEST_CEILING, window: timedelta = CEILING_WINDOW
    ) -> None:
        self.ceiling = ceiling
        self.window = window
        self._sent: deque[datetime] = deque()
        self.peak = 0  # the most requests seen in one window so far

    def _forget(self, now: datetime) -> None:
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()

    def used(self, now: datetime) -> int:
        """Requests sent in the window ending now."""
        self._forget(now)
        return len(self._sent)

    def remaining(self, now: datetime) -> int:
        """Requests still allowed now."""
        return max(0, self.ceiling - self.used(now))

    def per_round(self, interval: timedelta) -> int:
        """A round's share of the ceiling, so that rounds at `interval` never exhaust it early."""
        return max(1, math.floor(self.ceiling * (interval / self.window)))

    def spend(self, now: datetime) -> None:
        """Count one request sent now."""
        self._forget(now)
        self._sent.append(now)
        self.peak = max(self.peak, len(self._sent))

    def summary(self, now: datetime) -> dict[str, int]:
        """Diagnostics: the ceiling, what the last hour used, and the peak."""
        return {
            "ceiling_per_hour": self.ceiling,
            "used_last_hour": self.used(now),
            "peak_per_hour": self.peak,
        }
