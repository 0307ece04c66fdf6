"""Time conversion (docs/playtomic-api.md §2.1 timestamps, §4 club-local day windows, DST)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.playtomic.api.timeconv import (
    as_utc,
    format_utc,
    local_day_window,
    local_to_utc,
    parse_http_date,
    parse_utc,
    to_local,
    zone_or_fallback,
)

MADRID = ZoneInfo("Europe/Madrid")
ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/Madrid",
        "Europe/London",
        "America/Santiago",
        "America/Havana",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Asia/Kolkata",
        "UTC",
    )
]
HYPO = settings(
    database=None,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-18T06:04:09", datetime(2026, 7, 18, 6, 4, 9, tzinfo=UTC)),
        ("2026-07-18T06:04:09Z", datetime(2026, 7, 18, 6, 4, 9, tzinfo=UTC)),
        ("2026-07-18T08:04:09+02:00", datetime(2026, 7, 18, 6, 4, 9, tzinfo=UTC)),
        ("2026-07-18T06:04:09.123456", datetime(2026, 7, 18, 6, 4, 9, 123456, tzinfo=UTC)),
        ("2026-07-18T06:04:09.5Z", datetime(2026, 7, 18, 6, 4, 9, 500000, tzinfo=UTC)),
    ],
)
def test_s2_1_parse_naive_utc_and_tolerated_variants(text: str, expected: datetime) -> None:
    parsed = parse_utc(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_s2_1_parse_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        parse_utc("tomorrow")


def test_s4_format_is_naive_utc_seconds() -> None:
    aware = datetime(2026, 2, 20, 18, 30, 5, 999, tzinfo=MADRID)
    assert format_utc(aware) == "2026-02-20T17:30:05"
    with pytest.raises(ValueError):
        as_utc(datetime(2026, 1, 1))  # naive input is refused, never guessed


def test_s4_window_winter_day_madrid() -> None:
    start, end = local_day_window(date(2026, 2, 20), MADRID)
    assert format_utc(start) == "2026-02-19T23:00:00"
    assert format_utc(end) == "2026-02-20T22:59:59"


def test_s4_window_spring_forward_night_madrid() -> None:
    # 29 Mar 2026: 02:00 -> 03:00 local; the day is 23 h long.
    start, end = local_day_window(date(2026, 3, 29), MADRID)
    assert format_utc(start) == "2026-03-28T23:00:00"
    assert format_utc(end) == "2026-03-29T21:59:59"
    assert end - start == timedelta(hours=23) - timedelta(seconds=1)


def test_s4_window_fall_back_night_madrid_stays_under_25h() -> None:
    # 25 Oct 2026: 03:00 -> 02:00 local; the day is 25 h long.
    start, end = local_day_window(date(2026, 10, 25), MADRID)
    assert format_utc(start) == "2026-10-24T22:00:00"
    assert format_utc(end) == "2026-10-25T22:59:59"
    assert end - start < timedelta(hours=25)


def test_s4_ambiguous_and_gap_local_times() -> None:
    # 02:30 exists twice on 25 Oct: first is CEST, latest is CET.
    first = local_to_utc(date(2026, 10, 25), time(2, 30), MADRID)
    second = local_to_utc(date(2026, 10, 25), time(2, 30), MADRID, latest=True)
    assert (first.hour, second.hour) == (0, 1)
    # 02:30 does not exist on 29 Mar: it moves forward by the gap (03:30 CEST = 01:30 UTC).
    gap = local_to_utc(date(2026, 3, 29), time(2, 30), MADRID)
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_s4_midnight_gap_zone_window_starts_at_first_real_instant() -> None:
    # America/Havana skips 00:00-01:00 on 8 Mar 2026.
    havana = ZoneInfo("America/Havana")
    start, _ = local_day_window(date(2026, 3, 8), havana)
    assert to_local(start, havana).date() == date(2026, 3, 8)
    assert to_local(start, havana).time() == time(1, 0)


@HYPO
@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    zone=st.sampled_from(ZONES),
)
def test_s4_property_day_window_covers_the_local_day_within_25h(day: date, zone: ZoneInfo) -> None:
    start, end = local_day_window(day, zone)
    assert start < end
    assert end - start < timedelta(hours=25)
    assert to_local(start, zone).date() == day
    assert to_local(end, zone).date() == day
    assert to_local(end, zone).time() == time(23, 59, 59)
    # nothing of the local day lies outside the window
    assert to_local(start - timedelta(seconds=1), zone).date() < day
    assert to_local(end + timedelta(seconds=1), zone).date() > day


@HYPO
@given(
    instant=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
)
def test_s4_property_utc_local_roundtrip(instant: datetime, zone: ZoneInfo) -> None:
    local = to_local(instant, zone)
    back = local_to_utc(local.date(), local.time(), zone, latest=bool(local.fold))
    assert back == instant.replace(microsecond=0) + timedelta(microseconds=instant.microsecond)
    assert parse_utc(format_utc(instant)) == instant.replace(microsecond=0)


def test_s3_zone_fallback_logs_warning(caplog: pytest.LogCaptureFixture) -> None:
    assert zone_or_fallback("Europe/Berlin", None, what="x").key == "Europe/Berlin"
    assert zone_or_fallback(None, MADRID, what="club a").key == "Europe/Madrid"
    assert zone_or_fallback("Not/AZone", None, what="club b").key == "UTC"
    assert "club a" in caplog.text
    assert "Not/AZone" in caplog.text


def test_s8_http_date_parsing() -> None:
    assert parse_http_date("Tue, 24 Nov 2026 04:00:00 GMT") == datetime(2026, 11, 24, 4, tzinfo=UTC)
    assert parse_http_date(None) is None
    assert parse_http_date("not a date") is None
