"""Time conversions: naive-UTC wire timestamps and club-local days (DST-safe)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .contract import EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, WIRE_DATETIME_FORMAT

_LOGGER = logging.getLogger(__name__)

_END_OF_DAY = time(23, 59, 59)


def parse_utc(value: str) -> datetime:
    """Parse an API timestamp as UTC.

    The API sends naive UTC (§2.1); a trailing Z, an offset or fractional seconds are tolerated.
    Raises ValueError on anything else, a time outside 2000-2199 included (models turn it into
    PlaytomicApiError), so no later arithmetic on it can overflow.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    try:
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp out of range") from None
    return in_range(parsed)


def in_range(value: datetime) -> datetime:
    """`value` (aware) if it lies in the range answers may use; ValueError otherwise."""
    if not EARLIEST_TIMESTAMP <= value < LATEST_TIMESTAMP:
        raise ValueError("timestamp out of range")
    return value


def format_utc(value: datetime) -> str:
    """Wire format: naive UTC, seconds precision (§4, §5.1)."""
    return as_utc(value).strftime(WIRE_DATETIME_FORMAT)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused because its zone would be a guess."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return value.astimezone(UTC)


def local_to_utc(day: date, at: time, zone: tzinfo, *, latest: bool = False) -> datetime:
    """Club-local wall time to UTC.

    Ambiguous times (clocks going back) take the first occurrence, or the second with `latest`.
    Times inside a gap (clocks going forward) move forward by the gap's length (PEP 495), so a
    day window never starts before the local day does.
    """
    naive = datetime.combine(day, at.replace(tzinfo=None))
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    if _is_gap(naive, zone):
        return max(first, second)
    return max(first, second) if latest else min(first, second)


def _is_gap(naive: datetime, zone: tzinfo) -> bool:
    """A wall time is in a gap when it does not survive a round trip through UTC."""
    aware = naive.replace(tzinfo=zone)
    back = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return back != naive


def local_day_window(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """UTC bounds of a club-local day: local 00:00:00 and local 23:59:59 (§4)."""
    return local_to_utc(day, time(0, 0), zone), local_to_utc(day, _END_OF_DAY, zone, latest=True)


def to_local(value: datetime, zone: tzinfo) -> datetime:
    """The club-local wall time of a UTC instant."""
    return as_utc(value).astimezone(zone)


def zone_or_fallback(name: str | None, fallback: tzinfo | None, *, what: str) -> ZoneInfo:
    """The club's zone from `address.timezone`; else the caller's zone, else UTC, with a warning (§3)."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            _LOGGER.warning("Unknown time zone %r for %s", name, what)
    chosen = fallback if isinstance(fallback, ZoneInfo) else ZoneInfo("UTC")
    _LOGGER.warning("No usable time zone for %s: using %s", what, chosen.key)
    return chosen


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP-date header (Date, Retry-After) as an aware UTC datetime, or None."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from start to end."""
    return int((end - start) / timedelta(minutes=1))
