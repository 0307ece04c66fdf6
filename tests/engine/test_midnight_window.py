"""A window ending at 00:00 means midnight everywhere (regression: it was refused by the engine,
the rule form and the actions while the client filter read it as midnight)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from custom_components.playtomic.api import Match
from custom_components.playtomic.engine import BookingRule, DailyDrop, covering_match, open_dates
from custom_components.playtomic.engine.candidates import local_starts
from tests.engine.conftest import MADRID, TENANT, make_rule


def late_rule() -> BookingRule:
    return make_rule(
        window_start=time(22, 0),
        window_end=time(0, 0),
        duration=60,
        preferred_start=None,
        release=DailyDrop(14, time(8, 30)),
    )


def test_a_rule_with_a_midnight_end_is_usable() -> None:
    assert late_rule().window.end == time(0, 0)


def test_candidates_run_until_midnight() -> None:
    assert local_starts(late_rule(), 30) == [time(22, 0), time(22, 30), time(23, 0)]


def test_a_late_booking_covers_its_date() -> None:
    start = datetime(2026, 3, 2, 23, 0, tzinfo=MADRID).astimezone(UTC)
    match = Match(
        match_id="m1",
        start=start,
        end=start + timedelta(minutes=60),
        status="CONFIRMED",
        tenant_id=TENANT,
    )
    assert covering_match(late_rule(), date(2026, 3, 2), [match]) is match


def test_a_date_stays_open_until_the_last_slot_before_midnight() -> None:
    # 22:30 in Madrid: the 23:00-00:00 slot is still ahead today.
    now = datetime(2026, 3, 2, 22, 30, tzinfo=MADRID).astimezone(UTC)
    assert open_dates(late_rule(), now=now)[0] == date(2026, 3, 2)
    # 23:30: no slot of 60 minutes ends by midnight any more.
    later = datetime(2026, 3, 2, 23, 30, tzinfo=MADRID).astimezone(UTC)
    assert open_dates(late_rule(), now=later)[0] == date(2026, 3, 3)
