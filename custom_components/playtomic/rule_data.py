"""A booking rule's stored data (a `booking_rule` subentry) read into the engine's `BookingRule`.

The subentry format (docs/architecture.md, "Integration data") is Home Assistant's storage: its
keys are the `CONF_*` names of `const.py` and a field missing from an older entry means its
`STORED_*`/`DEFAULT_*` value there. `rule_schema.rule_data` writes this format; this module is
the one place that reads it, so the engine only ever sees typed, validated rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
import math
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .api.contract import normalize_sport_id
from .const import (
    CONF_AUTO_BOOK,
    CONF_CLUB_NAME,
    CONF_CLUB_TIMEZONE,
    CONF_COURT_SIZE,
    CONF_COURT_TYPE,
    CONF_COURTS,
    CONF_DAYS_AHEAD,
    CONF_DURATION,
    CONF_NAME,
    CONF_ONLY_COURTS,
    CONF_PREFERRED_START,
    CONF_RELEASE_MODEL,
    CONF_RELEASE_TIME,
    CONF_REMINDER_HOURS,
    CONF_ROLLING_MINUTES,
    CONF_SPORT,
    CONF_TENANT_ID,
    CONF_WATCH,
    CONF_WATCH_CUTOFF_HOURS,
    CONF_WATCH_OPEN_DATES,
    CONF_WEEKDAYS,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    COURT_SIZES,
    COURT_TYPES,
    DEFAULT_COURT_TYPE,
    DEFAULT_RELEASE_TIME,
    DEFAULT_WATCH_CUTOFF_HOURS,
    RELEASE_DAILY_DROP,
    RELEASE_ROLLING,
    STORED_COURT_SIZE,
    STORED_ONLY_COURTS,
    WEEKDAYS,
)
from .engine import BookingRule, DailyDrop, Rolling, RuleError
from .engine.rules import ReleaseModel


def rule_from_data(rule_id: str, data: Mapping[str, Any]) -> BookingRule:
    """The rule a subentry's data describes; RuleError when the stored data is unusable."""
    try:
        zone = ZoneInfo(str(data[CONF_CLUB_TIMEZONE]))
    except (KeyError, ZoneInfoNotFoundError, ValueError) as err:
        raise RuleError(f"bad {CONF_CLUB_TIMEZONE}: {data.get(CONF_CLUB_TIMEZONE)!r}") from err
    try:
        cutoff = _hours(data.get(CONF_WATCH_CUTOFF_HOURS))
        return BookingRule(
            rule_id=rule_id,
            name=str(data.get(CONF_NAME) or rule_id),
            tenant_id=str(data[CONF_TENANT_ID]),
            zone=zone,
            weekdays=frozenset(WEEKDAYS.index(str(day).lower()) for day in data[CONF_WEEKDAYS]),
            window_start=_time(data[CONF_WINDOW_START]),
            window_end=_time(data[CONF_WINDOW_END]),
            duration=int(data[CONF_DURATION]),
            release=_release(data),
            preferred_start=_time(preferred)
            if (preferred := data.get(CONF_PREFERRED_START))
            else None,
            courts=tuple(str(court) for court in data.get(CONF_COURTS) or ()),
            court_type=_one_of(data.get(CONF_COURT_TYPE) or DEFAULT_COURT_TYPE, COURT_TYPES),
            only_courts=bool(data.get(CONF_ONLY_COURTS, STORED_ONLY_COURTS)),
            court_size=_one_of(data.get(CONF_COURT_SIZE) or STORED_COURT_SIZE, COURT_SIZES),
            club_name=data.get(CONF_CLUB_NAME),
            auto_book=bool(data.get(CONF_AUTO_BOOK, True)),
            # Rules stored before the sport was are padel rules (the contract's default sport).
            sport_id=normalize_sport_id(data.get(CONF_SPORT)),
            watch=bool(data.get(CONF_WATCH, True)),
            watch_open_dates=bool(data.get(CONF_WATCH_OPEN_DATES, False)),
            watch_cutoff=timedelta(hours=DEFAULT_WATCH_CUTOFF_HOURS) if cutoff is None else cutoff,
            # 0 hours (or unset) is off.
            reminder=_hours(data.get(CONF_REMINDER_HOURS)) or None,
        )
    except RuleError:
        raise
    except (KeyError, TypeError, ValueError) as err:
        raise RuleError(f"invalid booking rule data: {err}") from err


def _release(data: Mapping[str, Any]) -> ReleaseModel:
    model = data.get(CONF_RELEASE_MODEL) or RELEASE_DAILY_DROP
    if model == RELEASE_ROLLING:
        return Rolling(int(data[CONF_ROLLING_MINUTES]))
    if model == RELEASE_DAILY_DROP:
        return DailyDrop(
            int(data[CONF_DAYS_AHEAD]), _time(data.get(CONF_RELEASE_TIME) or DEFAULT_RELEASE_TIME)
        )
    raise RuleError(f"unknown {CONF_RELEASE_MODEL} {model!r}")


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


def _one_of[T: str](value: Any, options: tuple[T, ...]) -> T:
    """`value` as one of `options` (the engine refuses anything else with a RuleError)."""
    text = str(value)
    for option in options:
        if option == text:
            return option
    raise RuleError(f"unknown value {text!r}, expected one of {options}")


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))
