"""How values look on the wire: naive-UTC timestamps, price strings, HTTP dates, paging."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from email.utils import format_datetime
from zoneinfo import ZoneInfo


def naive_utc(when: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC without an offset, as the real API writes timestamps."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def parse_utc(text: str) -> datetime | None:
    """Read a timestamp that a client sent; naive means UTC (docs/playtomic-api.md §2.1, §4, §5.1)."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_local(text: str, zone: ZoneInfo) -> datetime | None:
    """Read a club-local wall time (``local_start_min``) and return it in UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def price_text(amount: Decimal, currency: str) -> str:
    """``"36 EUR"`` / ``"38.33 EUR"``: two decimals at most, no trailing zeros."""
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(rounded.normalize(), "f")
    return f"{text} {currency}"


def http_date(when: datetime) -> str:
    """RFC 7231 IMF-fixdate at second resolution, for the ``Date`` header."""
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


def non_negative_int(text: str | None, default: int) -> int | None:
    """A paging query parameter (``size``, ``page``); None when it is not a whole number >= 0."""
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 0 else None
