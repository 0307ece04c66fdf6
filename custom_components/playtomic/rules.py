"""Booking rules as the polling and "book now" paths see them: which club-local days are open.

When a rule's next release fires is the engine's business (`engine.planner`); this module only
answers which days can be searched and booked right now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import math
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from .api.contract import normalize_sport_id
from .api.models import Club, Slot
from .api.slots import SlotFilter, filter_slots, rank_slots
from .api.timeconv import local_to_utc
from .const import (
    CONF_AUTO_BOOK,
    CONF_CLUB_NAME,
    CONF_CLUB_TIMEZONE,
    CONF_COURT_TYPE,
    CONF_COURTS,
    CONF_DAYS_AHEAD,
    CONF_DURATION,
    CONF_NAME,
    CONF_NOTIFY,
    CONF_PREFERRED_START,
    CONF_RELEASE_MODEL,
    CONF_RELEASE_TIME,
    CONF_ROLLING_MINUTES,
    CONF_SPORT,
    CONF_TENANT_ID,
    CONF_WEEKDAYS,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DEFAULT_DAYS_AHEAD,
    DEFAULT_DURATION,
    DEFAULT_RELEASE_TIME,
    DEFAULT_SPORT,
    DEFAULT_WINDOW_END,
    DEFAULT_WINDOW_START,
    LOGGER,
    RELEASE_ROLLING,
    SUBENTRY_BOOKING_RULE,
    WEEKDAYS,
)
from .engine import BookingRule as EngineRule, RuleError


def parse_time(value: str | time | None, default: str | None = None) -> time | None:
    """An "HH:MM[:SS]" string (the subentry format) as a time."""
    if isinstance(value, time):
        return value
    if not value:
        value = default
    if not value:
        return None
    return time.fromisoformat(value)


def zone_of(name: str | None) -> ZoneInfo:
    """The club's zone; UTC when the stored name is unusable (a rule is never dropped for it)."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, kw_only=True)
class BookingRule:
    """One booking rule: which slots are wanted and when they open."""

    rule_id: str | None
    name: str
    tenant_id: str
    club_name: str
    zone: ZoneInfo
    weekdays: frozenset[int]  # 0 = Monday
    window_start: time
    window_end: time
    duration: int
    preferred_start: time | None = None
    courts: tuple[str, ...] = ()
    court_type: str = "any"
    release_model: str = "daily_drop"
    days_ahead: int = DEFAULT_DAYS_AHEAD
    release_time: time = time(8, 30)
    rolling_minutes: int = DEFAULT_DAYS_AHEAD * 1440
    auto_book: bool = True
    notify: tuple[str, ...] = ()
    sport_id: str = DEFAULT_SPORT
    # An explicit one-off target ("book this date") instead of the weekly pattern.
    only_dates: tuple[date, ...] | None = None

    @classmethod
    def from_data(cls, rule_id: str | None, data: Mapping[str, Any]) -> BookingRule:
        """Read subentry data, filling what older or hand-edited data may lack."""
        # Missing means every day; an empty list (never saved by the flow) means none.
        weekdays = data.get(CONF_WEEKDAYS)
        if weekdays is None:
            weekdays = list(WEEKDAYS)
        return cls(
            rule_id=rule_id,
            name=str(data.get(CONF_NAME) or data.get(CONF_CLUB_NAME) or rule_id or ""),
            tenant_id=str(data[CONF_TENANT_ID]),
            club_name=str(data.get(CONF_CLUB_NAME) or ""),
            zone=zone_of(data.get(CONF_CLUB_TIMEZONE)),
            weekdays=frozenset(WEEKDAYS.index(day) for day in weekdays if day in WEEKDAYS),
            window_start=parse_time(data.get(CONF_WINDOW_START), DEFAULT_WINDOW_START)
            or time(0, 0),
            window_end=parse_time(data.get(CONF_WINDOW_END), DEFAULT_WINDOW_END) or time(23, 59),
            duration=int(data.get(CONF_DURATION) or DEFAULT_DURATION),
            preferred_start=parse_time(data.get(CONF_PREFERRED_START)),
            courts=tuple(data.get(CONF_COURTS) or ()),
            court_type=str(data.get(CONF_COURT_TYPE) or "any"),
            release_model=str(data.get(CONF_RELEASE_MODEL) or "daily_drop"),
            days_ahead=int(data.get(CONF_DAYS_AHEAD) or DEFAULT_DAYS_AHEAD),
            release_time=parse_time(data.get(CONF_RELEASE_TIME), DEFAULT_RELEASE_TIME)
            or time(8, 30),
            rolling_minutes=int(data.get(CONF_ROLLING_MINUTES) or DEFAULT_DAYS_AHEAD * 1440),
            auto_book=bool(data.get(CONF_AUTO_BOOK, True)),
            notify=tuple(data.get(CONF_NOTIFY) or ()),
            sport_id=normalize_sport_id(data.get(CONF_SPORT)),
        )

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> BookingRule:
        """The rule stored in a booking-rule subentry."""
        return cls.from_data(subentry.subentry_id, subentry.data)

    # Calendar logic --------------------------------------------------------------------

    def qualifies(self, day: date) -> bool:
        """Whether the rule wants a slot on this club-local date."""
        if self.only_dates is not None:
            return day in self.only_dates
        return day.weekday() in self.weekdays

    def window_utc(self, day: date) -> tuple[datetime, datetime]:
        """UTC bounds of the rule's window on a club-local date."""
        return (
            local_to_utc(day, self.window_start, self.zone),
            local_to_utc(day, self.window_end, self.zone, latest=True),
        )

    def release_instant(self, day: date) -> datetime:
        """When the first slot of the window on this date opens (UTC)."""
        if self.release_model == RELEASE_ROLLING:
            return self.window_utc(day)[0] - timedelta(minutes=self.rolling_minutes)
        return local_to_utc(day - timedelta(days=self.days_ahead), self.release_time, self.zone)

    def horizon_days(self) -> int:
        """How many days ahead of today the release model ever opens."""
        if self.release_model == RELEASE_ROLLING:
            return math.ceil(self.rolling_minutes / 1440)
        return self.days_ahead

    def _window_still_usable(self, day: date, now: datetime) -> bool:
        """A slot of the window can still start after `now`."""
        _, end = self.window_utc(day)
        return end - timedelta(minutes=self.duration) > now

    def open_days(
        self, now: datetime, *, horizon_minutes: int | None = None, skip: Iterable[date] = ()
    ) -> list[date]:
        """Qualifying club-local dates, nearest first, that are open now and not yet over."""
        skipped = set(skip)
        today = now.astimezone(self.zone).date()
        if self.only_dates is not None:
            # An explicit target: the server decides whether the date is open yet.
            return [
                day
                for day in sorted(self.only_dates)
                if day >= today and day not in skipped and self._window_still_usable(day, now)
            ]
        days = self.horizon_days()
        if horizon_minutes is not None:
            days = min(days, math.ceil(horizon_minutes / 1440))
        result: list[date] = []
        for offset in range(days + 1):
            day = today + timedelta(days=offset)
            if (
                day in skipped
                or not self.qualifies(day)
                or self.release_instant(day) > now
                or not self._window_still_usable(day, now)
            ):
                continue
            result.append(day)
        return result

    def slot_filter(self) -> SlotFilter:
        """The client's filter for this rule (weekdays are handled by the day choice)."""
        court_type = self.court_type if self.court_type in ("indoor", "outdoor") else "any"
        return SlotFilter(
            window_start=self.window_start,
            window_end=self.window_end,
            durations=frozenset({self.duration}),
            court_type=court_type,  # type: ignore[arg-type]
            courts=self.courts,
            preferred_start=self.preferred_start,
        )

    def rank(self, club: Club, slots: Iterable[Slot], *, now: datetime) -> list[Slot]:
        """The slots that fit the rule, best first; slots already started are dropped."""
        future = [slot for slot in slots if slot.start > now]
        flt = self.slot_filter()
        return rank_slots(filter_slots(future, flt, club.zone), flt, club.zone)

    def day_of(self, start: datetime) -> date:
        """The club-local date of a UTC instant."""
        return start.astimezone(self.zone).date()


def engine_rules(entry: ConfigEntry) -> dict[str, EngineRule]:
    """Every usable booking rule of an entry as the engine plans it (unusable ones are logged)."""
    rules: dict[str, EngineRule] = {}
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_BOOKING_RULE:
            continue
        try:
            rules[subentry.subentry_id] = EngineRule.from_subentry_data(
                subentry.subentry_id, subentry.data
            )
        except RuleError as err:
            LOGGER.warning("Booking rule %s is not usable: %s", subentry.title, err)
    return rules


def rules_of(entry: ConfigEntry) -> dict[str, BookingRule]:
    """Every booking rule of an account entry, by subentry id."""
    return {
        subentry.subentry_id: BookingRule.from_subentry(subentry)
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_BOOKING_RULE
    }
