"""Release planning: both models, DST nights, other zones, skipped dates, one per date; which
dates are open now, and own bookings covering dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.api import Match
from custom_components.playtomic.engine import (
    DailyDrop,
    PlannedAttempt,
    Rolling,
    covered_dates,
    covering_match,
    next_attempt,
    open_dates,
    plan_attempts,
    release_instant,
    target_date_for,
)
from tests.engine.conftest import MADRID, TENANT, make_rule

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Madrid


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_daily_drop_winter_and_summer_utc() -> None:
    rule = make_rule(release=DailyDrop(14, time(8, 30)))
    # Winter (CET, UTC+1): 08:30 local is 07:30 UTC. Summer (CEST, UTC+2): 06:30 UTC.
    assert release_instant(rule, date(2026, 2, 16)) == utc(2026, 2, 2, 7, 30)
    assert release_instant(rule, date(2026, 7, 20)) == utc(2026, 7, 6, 6, 30)


def test_daily_drop_plan_across_spring_forward() -> None:
    """Clocks go forward on Sunday 29 March 2026 in Madrid: the release moves one hour in UTC."""
    rule = make_rule(release=DailyDrop(14, time(8, 30)))
    plan = plan_attempts(rule, after=utc(2026, 3, 27), until=utc(2026, 3, 31))
    assert [p.release_at for p in plan] == [
        utc(2026, 3, 27, 7, 30),
        utc(2026, 3, 28, 7, 30),
        utc(2026, 3, 29, 6, 30),
        utc(2026, 3, 30, 6, 30),
    ]
    assert [p.target_date for p in plan] == [date(2026, 4, d) for d in (10, 11, 12, 13)]
    assert all(p.rule_id == "rule-1" for p in plan)


def test_daily_drop_plan_across_fall_back() -> None:
    """Clocks go back on Sunday 25 October 2026: 08:30 is 06:30 UTC before, 07:30 UTC after."""
    rule = make_rule(release=DailyDrop(7, time(8, 30)))
    plan = plan_attempts(rule, after=utc(2026, 10, 24), until=utc(2026, 10, 27))
    assert [p.release_at for p in plan] == [
        utc(2026, 10, 24, 6, 30),
        utc(2026, 10, 25, 7, 30),
        utc(2026, 10, 26, 7, 30),
    ]


def test_release_time_inside_the_dst_gap_and_the_repeated_hour() -> None:
    # 02:30 does not exist on 29 March: it moves forward by the gap (03:30 CEST = 01:30 UTC).
    rule = make_rule(release=DailyDrop(0, time(2, 30)))
    assert release_instant(rule, date(2026, 3, 29)) == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October: the first occurrence (02:30 CEST = 00:30 UTC).
    assert release_instant(rule, date(2026, 10, 25)) == utc(2026, 10, 25, 0, 30)


def test_rolling_release_uses_preferred_start_else_window_start() -> None:
    rolling = Rolling(2880)  # 48 h
    with_pref = make_rule(release=rolling, preferred_start=time(19, 30))
    without = make_rule(release=rolling, preferred_start=None)
    # 19:30 CET on 20 Feb = 18:30 UTC; minus 48 h.
    assert release_instant(with_pref, date(2026, 2, 20)) == utc(2026, 2, 18, 18, 30)
    assert release_instant(without, date(2026, 2, 20)) == utc(2026, 2, 18, 17, 0)


def test_rolling_release_across_dst_counts_real_minutes() -> None:
    """The slot starts after the change (CEST), the release instant is before it (CET)."""
    rule = make_rule(release=Rolling(2880), preferred_start=time(19, 0))
    # 19:00 CEST on 30 March = 17:00 UTC; 48 real hours earlier = 17:00 UTC on 28 March,
    # which is 18:00 on the club's wall clock (still CET).
    at = release_instant(rule, date(2026, 3, 30))
    assert at == utc(2026, 3, 28, 17, 0)
    assert at.astimezone(MADRID).time() == time(18, 0)
    assert target_date_for(rule, at) == date(2026, 3, 30)
    plan = plan_attempts(rule, after=utc(2026, 3, 28), until=utc(2026, 3, 29))
    assert [p.target_date for p in plan] == [date(2026, 3, 30)]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/New_York", utc(2026, 1, 5, 13, 30)),  # EST, UTC-5
        ("Australia/Sydney", utc(2026, 1, 4, 21, 30)),  # AEDT, UTC+11: previous UTC day
        ("Asia/Kolkata", utc(2026, 1, 5, 3, 0)),  # UTC+5:30
    ],
)
def test_daily_drop_in_other_zones(zone: str, expected: datetime) -> None:
    rule = make_rule(zone=ZoneInfo(zone), release=DailyDrop(14, time(8, 30)))
    assert release_instant(rule, date(2026, 1, 19)) == expected
    assert target_date_for(rule, expected) == date(2026, 1, 19)
    [attempt] = plan_attempts(
        rule, after=expected - timedelta(hours=1), until=expected + timedelta(hours=1)
    )
    assert attempt.target_date == date(2026, 1, 19)


def test_only_the_rule_weekdays_and_sorted_one_per_date() -> None:
    rule = make_rule(weekdays=frozenset({0, 2}), release=DailyDrop(14, time(8, 30)))
    plan = plan_attempts(rule, after=utc(2026, 2, 1), until=utc(2026, 2, 22))
    assert plan == sorted(plan)
    assert all(p.target_date.weekday() in (0, 2) for p in plan)
    assert len({p.target_date for p in plan}) == len(plan) == 6
    # Bounds: after <= release_at < until.
    assert all(utc(2026, 2, 1) <= p.release_at < utc(2026, 2, 22) for p in plan)


def test_bounds_are_inclusive_at_after_and_exclusive_at_until() -> None:
    rule = make_rule(release=DailyDrop(14, time(8, 30)))
    at = utc(2026, 2, 2, 7, 30)
    assert [p.release_at for p in plan_attempts(rule, after=at, until=at + timedelta(1))] == [at]
    assert plan_attempts(rule, after=at - timedelta(hours=1), until=at) == []
    assert plan_attempts(rule, after=at, until=at) == []


def _match(start_local: datetime, *, tenant: str = TENANT, status: str = "CONFIRMED") -> Match:
    start = start_local.astimezone(UTC)
    return Match(
        match_id=f"m-{start.isoformat()}-{tenant}-{status}",
        start=start,
        end=start + timedelta(minutes=90),
        status=status,
        tenant_id=tenant,
    )


def test_dates_covered_by_an_own_booking_are_skipped() -> None:
    rule = make_rule(release=DailyDrop(14, time(8, 30)))
    after, until = utc(2026, 2, 2), utc(2026, 2, 6)
    full = plan_attempts(rule, after=after, until=until)
    dates = [p.target_date for p in full]
    assert dates == [date(2026, 2, d) for d in (16, 17, 18, 19)]

    def local(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 2, day, hour, minute, tzinfo=MADRID)

    own = [
        _match(local(16, 19)),  # covers the 16th
        _match(local(17, 19), status="CANCELED"),  # cancelled: does not cover
        _match(local(18, 19), tenant="another-club"),  # another club: does not cover
        _match(local(19, 10)),  # outside the window: does not cover
    ]
    plan = plan_attempts(rule, after=after, until=until, own_matches=own)
    assert [p.target_date for p in plan] == [date(2026, 2, d) for d in (17, 18, 19)]


def test_next_attempt() -> None:
    rule = make_rule(release=DailyDrop(14, time(8, 30)), weekdays=frozenset({4}))
    nxt = next_attempt(rule, now=utc(2026, 2, 2, 12))
    assert nxt == PlannedAttempt(
        release_at=utc(2026, 2, 6, 7, 30), target_date=date(2026, 2, 20), rule_id="rule-1"
    )
    assert next_attempt(rule, now=utc(2026, 2, 2), horizon=timedelta(hours=1)) is None


def test_covered_dates_agree_with_covering_match() -> None:
    rule = make_rule(release=DailyDrop(14, time(8, 30)))

    def local(day: int, hour: int) -> datetime:
        return datetime(2026, 2, day, hour, 0, tzinfo=MADRID)

    own = [
        _match(local(16, 19)),
        _match(local(17, 19), status="CANCELED"),
        _match(local(18, 19), tenant="another-club"),
        _match(local(19, 10)),
        _match(local(20, 18)),  # at the window start: covers
        _match(local(23, 21) + timedelta(minutes=30)),  # at the window end: does not
    ]
    assert covered_dates(rule, own) == {date(2026, 2, 16), date(2026, 2, 20)}
    for day in range(16, 24):
        covered = covering_match(rule, date(2026, 2, day), own) is not None
        assert covered == (date(2026, 2, day) in covered_dates(rule, own))


def test_open_dates_daily_drop() -> None:
    """Released weekdays from today on, nearest first; a day whose window is over drops out."""
    rule = make_rule(weekdays=frozenset(range(5)), preferred_start=None)
    days = open_dates(rule, now=MONDAY)
    assert days[0] == date(2026, 3, 2)
    # 16 March opened at 08:30 today; 17 March opens tomorrow.
    assert days[-1] == date(2026, 3, 16)
    assert all(day.weekday() < 5 for day in days)
    assert open_dates(rule, now=MONDAY, horizon_minutes=2 * 1440) == [
        date(2026, 3, 2),
        date(2026, 3, 3),
        date(2026, 3, 4),
    ]
    # Before 08:30 the 16th is not open yet.
    assert open_dates(rule, now=utc(2026, 3, 2, 7, 29))[-1] == date(2026, 3, 13)
    # Evening over: today's window can no longer fit a 90-minute slot.
    late = utc(2026, 3, 2, 19, 30)
    assert open_dates(rule, now=late)[0] == date(2026, 3, 3)
    assert date(2026, 3, 3) not in open_dates(rule, now=MONDAY, skip=[date(2026, 3, 3)])


def test_open_dates_rolling_open_at_the_scheduler_instant() -> None:
    """Rolling 48 h aimed at 19:30: a date opens when the release for its preferred start fires,
    not when its window start (18:00) is 48 h away."""
    rule = make_rule(release=Rolling(2880), preferred_start=time(19, 30))
    # Monday 2 March 18:45 Madrid: Wednesday's 18:00 slot is less than 48 h away, its 19:30 not.
    now = datetime(2026, 3, 2, 18, 45, tzinfo=MADRID)
    assert open_dates(rule, now=now) == [date(2026, 3, 2), date(2026, 3, 3)]
    wednesday = release_instant(rule, date(2026, 3, 4))
    assert wednesday == datetime(2026, 3, 2, 19, 30, tzinfo=MADRID)
    assert next_attempt(rule, now=now) == PlannedAttempt(
        release_at=wednesday, target_date=date(2026, 3, 4), rule_id="rule-1"
    )
    assert open_dates(rule, now=wednesday)[-1] == date(2026, 3, 4)


@pytest.mark.parametrize(
    "release", [DailyDrop(14, time(8, 30)), DailyDrop(0, time(0, 0)), Rolling(2880), Rolling(90)]
)
@pytest.mark.parametrize("preferred", [None, time(20, 0)])
def test_every_date_is_either_open_or_planned(
    release: DailyDrop | Rolling, preferred: time | None
) -> None:
    """The split "book now"/polling versus scheduler leaves no date out and none in both."""
    rule = make_rule(release=release, preferred_start=preferred, weekdays=frozenset({0, 2, 5}))
    # Across the spring-forward night; off the half-hour grid, as at a release instant itself
    # the date is both open and still planned (the scheduler fires at it).
    for hour in range(0, 24 * 3, 5):
        now = utc(2026, 3, 27, 0, 7) + timedelta(hours=hour)
        opened = set(open_dates(rule, now=now))
        planned = {p.target_date for p in plan_attempts(rule, after=now, until=now + timedelta(20))}
        assert not opened & planned
        today = now.astimezone(MADRID).date()
        for day in (today + timedelta(days=n) for n in range(16)):
            if day.weekday() not in rule.weekdays or release_instant(rule, day) > now + timedelta(
                20
            ):
                continue
            window_end = datetime.combine(day, rule.window_end, tzinfo=MADRID)
            if window_end - timedelta(minutes=rule.duration) <= now:
                continue
            assert (day in opened) != (day in planned), (now, day)
