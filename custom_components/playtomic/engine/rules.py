"""Booking rules as the engine sees them: typed, validated, time-zone aware.

The engine takes rules built with the typed constructor only. Where a rule comes from (a
Home Assistant subentry, a one-off booking) and what a missing stored field means is the
integration's business (`rule_data.py`), so no storage key or form default is spelled here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..api.contract import DEFAULT_SPORT_ID
from ..api.daywindow import DayWindow
from ..api.models import Slot
from ..api.slots import COURT_SIZES, COURT_TYPES, CourtSize, CourtType, SlotFilter, best_slots

# Weekday names as rules store and translate them (index = date.weekday()); const.WEEKDAYS is this.
WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Default cutoff of the cancellation watch before the window starts, and the options' bound.
DEFAULT_WATCH_CUTOFF = timedelta(hours=2)
MAX_OPTION_HOURS = timedelta(hours=168)


@dataclass(frozen=True)
class DailyDrop:
    """At `release_time` club-local every day, the club-local date `days_ahead` days later opens."""

    days_ahead: int
    release_time: time


@dataclass(frozen=True)
class Rolling:
    """Each slot opens exactly `minutes` before it starts."""

    minutes: int

    @property
    def lead(self) -> timedelta:
        return timedelta(minutes=self.minutes)


type ReleaseModel = DailyDrop | Rolling


class RuleError(ValueError):
    """Values that do not describe a usable rule."""


@dataclass(frozen=True, kw_only=True)
class BookingRule:
    """One booking rule: a stored rule (read by the integration's `rule_data.py`) or a one-off goal."""

    rule_id: str
    name: str
    tenant_id: str
    zone: ZoneInfo
    weekdays: frozenset[int]  # 0 = Monday, as date.weekday()
    window_start: time  # earliest slot start, club-local
    window_end: time  # latest slot end, club-local
    duration: int  # minutes
    release: ReleaseModel
    preferred_start: time | None = None
    courts: tuple[str, ...] = ()  # resource ids in order of preference; empty = any court
    court_type: CourtType = "any"
    # False: `courts` is only an order of preference, other courts are tried after them.
    only_courts: bool = True
    court_size: CourtSize = "any"
    club_name: str | None = None
    auto_book: bool = True
    # Availability is listed per sport, and a club may have courts of several sports.
    sport_id: str = DEFAULT_SPORT_ID
    # The cancellation watch (engine.watch): on by default; dates that opened before the rule
    # existed only when asked; it stops this long before the window starts.
    watch: bool = True
    watch_open_dates: bool = False
    watch_cutoff: timedelta = DEFAULT_WATCH_CUTOFF
    # Remind the notify targets this long before a booking's free-cancellation deadline.
    reminder: timedelta | None = None

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise RuleError("weekdays must be a non-empty subset of 0..6")
        if self.duration <= 0:
            raise RuleError("duration must be positive")
        if not DayWindow.valid(self.window_start, self.window_end):
            raise RuleError("window_end must be after window_start")
        if self.court_type not in COURT_TYPES:
            raise RuleError(f"unknown court_type {self.court_type!r}")
        if self.court_size not in COURT_SIZES:
            raise RuleError(f"unknown court_size {self.court_size!r}")
        if isinstance(self.release, DailyDrop) and self.release.days_ahead < 0:
            raise RuleError("days_ahead must not be negative")
        if isinstance(self.release, Rolling) and self.release.minutes <= 0:
            raise RuleError("rolling minutes must be positive")
        if self.watch_cutoff < timedelta(0) or self.watch_cutoff > MAX_OPTION_HOURS:
            raise RuleError("watch cutoff must be between 0 and 168 hours")
        if self.reminder is not None and not timedelta(0) < self.reminder <= MAX_OPTION_HOURS:
            raise RuleError("reminder must be between 0 and 168 hours")

    @property
    def window(self) -> DayWindow:
        """The times of day the rule's slots lie in (an end of 00:00 is midnight)."""
        return DayWindow(self.window_start, self.window_end)

    @property
    def first_start(self) -> time:
        """The start the release is aimed at: the preferred start if set, else the window start."""
        return self.preferred_start if self.preferred_start is not None else self.window_start

    def slot_filter(self) -> SlotFilter:
        """The client's filter for this rule."""
        return SlotFilter(
            weekdays=self.weekdays,
            window_start=self.window_start,
            window_end=self.window_end,
            durations=frozenset({self.duration}),
            court_type=self.court_type,
            courts=self.courts,
            preferred_start=self.preferred_start,
            only_courts=self.only_courts,
            court_size=self.court_size,
        )

    def rank(
        self, slots: Iterable[Slot], zone: ZoneInfo, *, after: datetime | None = None
    ) -> list[Slot]:
        """The slots that fit the rule, best first; with `after`, only those starting later.

        Listed availability, a release burst's candidates and the "next open slot" sensor all
        rank through here, so they agree on which slot is best.
        """
        return best_slots(slots, self.slot_filter(), zone, after=after)
