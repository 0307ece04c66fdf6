"""Booking rules as the engine sees them: typed, validated, time-zone aware."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
import math
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..api.contract import DEFAULT_SPORT_ID, normalize_sport_id
from ..api.daywindow import DayWindow
from ..api.models import Slot
from ..api.slots import CourtSize, SlotFilter, best_slots

# Same spelling as const.WEEKDAYS; kept here because the engine must not import the HA side.
WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Default cutoff of the cancellation watch before the window starts, and the options' bound.
DEFAULT_WATCH_CUTOFF = timedelta(hours=2)
MAX_OPTION_HOURS = timedelta(hours=168)

type CourtType = Literal["any", "indoor", "outdoor"]
COURT_TYPES: tuple[CourtType, ...] = ("any", "indoor", "outdoor")
COURT_SIZES: tuple[CourtSize, ...] = ("any", "doubles", "singles")


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
    """Subentry data that does not describe a usable rule."""


@dataclass(frozen=True, kw_only=True)
class BookingRule:
    """One booking rule (a config subentry of type `booking_rule`)."""

    rule_id: str
    name: str
    tenant_id: str
    zone: ZoneInfo
    weekdays: frozenset[int]  # 0 = Monday, as date.weekday()
    window_start: time  # earliest slot start, club-local
    window_end: time  # latest slot end, club-local
    duration: int  # minutes
    preferred_start: time | None = None
    courts: tuple[str, ...] = ()  # resource ids in order of preference; empty = any court
    court_type: CourtType = "any"
    # False: `courts` is only an order of preference, other courts are tried after them.
    only_courts: bool = True
    court_size: CourtSize = "any"
    release: ReleaseModel = DailyDrop(14, time(8, 30))
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

    @classmethod
    def from_subentry_data(cls, rule_id: str, data: Mapping[str, Any]) -> BookingRule:
        """Parse the subentry data format of docs/architecture.md; raises RuleError when unusable."""
        try:
            zone = ZoneInfo(str(data["club_timezone"]))
        except (KeyError, ZoneInfoNotFoundError, ValueError) as err:
            raise RuleError(f"bad club_timezone: {data.get('club_timezone')!r}") from err
        try:
            return cls(
                rule_id=rule_id,
                name=str(data.get("name") or rule_id),
                tenant_id=str(data["tenant_id"]),
                zone=zone,
                weekdays=frozenset(WEEKDAY_NAMES.index(str(d).lower()) for d in data["weekdays"]),
                window_start=_parse_time(data["window_start"]),
                window_end=_parse_time(data["window_end"]),
                duration=int(data["duration"]),
                preferred_start=_parse_time(preferred)
                if (preferred := data.get("preferred_start"))
                else None,
                courts=tuple(str(court) for court in data.get("courts") or ()),
                court_type=_one_of(data.get("court_type"), COURT_TYPES, "court_type"),
                # Rules stored before these keys existed meant "only these courts", any size.
                only_courts=bool(data.get("only_courts", True)),
                court_size=_one_of(data.get("court_size"), COURT_SIZES, "court_size"),
                release=_release(data),
                club_name=data.get("club_name"),
                auto_book=bool(data.get("auto_book", True)),
                sport_id=normalize_sport_id(data.get("sport")),
                watch=bool(data.get("watch", True)),
                watch_open_dates=bool(data.get("watch_open_dates", False)),
                watch_cutoff=DEFAULT_WATCH_CUTOFF
                if (cutoff := _hours(data.get("watch_cutoff_hours"))) is None
                else cutoff,
                # 0 hours (or unset) is off.
                reminder=_hours(data.get("reminder_hours")) or None,
            )
        except RuleError:
            raise
        except (KeyError, TypeError, ValueError) as err:
            raise RuleError(f"invalid booking rule data: {err}") from err

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


def _hours(value: Any) -> timedelta | None:
    """An hours option of the rule; None when unset."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RuleError(f"invalid hours {value!r}")
    hours = float(value)
    if not math.isfinite(hours):
        raise RuleError(f"invalid hours {value!r}")
    return timedelta(hours=hours)


def _one_of[T: str](value: Any, options: tuple[T, ...], field: str) -> T:
    """`value` as one of `options`; missing means "any" (every option tuple holds it)."""
    text = str(value or "any")
    for option in options:
        if option == text:
            return option
    raise RuleError(f"unknown {field} {text!r}")


def _release(data: Mapping[str, Any]) -> ReleaseModel:
    model = data.get("release_model") or "daily_drop"
    if model == "rolling":
        return Rolling(int(data["rolling_minutes"]))
    if model == "daily_drop":
        return DailyDrop(
            int(data["days_ahead"]), _parse_time(data.get("release_time") or "08:30:00")
        )
    raise RuleError(f"unknown release_model {model!r}")


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))
