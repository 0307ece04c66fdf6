"""Slot filtering and ranking (booking-rule criteria on club-local wall time)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.playtomic.api import Slot, SlotFilter, best_slots, filter_slots, rank_slots

MADRID = ZoneInfo("Europe/Madrid")
HYPO = settings(
    database=None,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def slot(
    start: datetime, duration: int = 90, resource: str = "r1", indoor: bool | None = True
) -> Slot:
    return Slot("t1", resource, f"Court {resource}", start, duration, None, indoor)


# 2026-03-02 is a Monday; Madrid is UTC+1 in winter.
MON_18_LOCAL = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def test_s4_slots_window_is_club_local_start_after_and_end_before() -> None:
    flt = SlotFilter(window_start=time(18, 0), window_end=time(21, 0))
    inside = slot(MON_18_LOCAL, 90)  # 18:00-19:30 local
    at_end = slot(MON_18_LOCAL + timedelta(hours=1, minutes=30), 90)  # 19:30-21:00
    too_late = slot(MON_18_LOCAL + timedelta(hours=2), 90)  # 20:00-21:30
    too_early = slot(MON_18_LOCAL - timedelta(minutes=30), 60)  # 17:30-18:30
    assert filter_slots([inside, at_end, too_late, too_early], flt, MADRID) == [inside, at_end]


def test_s4_slots_window_end_and_midnight() -> None:
    late = slot(datetime(2026, 3, 2, 22, 30, tzinfo=UTC), 90)  # 23:30-01:00 local
    last = slot(datetime(2026, 3, 2, 21, 30, tzinfo=UTC), 90)  # 22:30-24:00 local
    assert filter_slots([late, last], SlotFilter(window_end=time(23, 59, 59)), MADRID) == []
    # 00:00 as a window end stands for midnight
    assert filter_slots([late, last], SlotFilter(window_end=time(0, 0)), MADRID) == [last]
    assert filter_slots([late, last], SlotFilter(), MADRID) == [late, last]


def test_s4_slots_window_on_spring_forward_night_uses_wall_clock() -> None:
    # 29 Mar 2026: 01:30 CET + 90 min = 04:00 CEST on the wall.
    s = slot(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 90)
    assert filter_slots([s], SlotFilter(window_start=time(1, 30), window_end=time(4, 0)), MADRID)
    assert not filter_slots([s], SlotFilter(window_end=time(3, 0)), MADRID)


def test_s4_slots_weekdays_durations_and_court_type() -> None:
    monday = slot(MON_18_LOCAL, 60, "r1", indoor=True)
    tuesday = slot(MON_18_LOCAL + timedelta(days=1), 90, "r2", indoor=False)
    unknown = slot(MON_18_LOCAL, 90, "r3", indoor=None)
    allslots = [monday, tuesday, unknown]
    assert filter_slots(allslots, SlotFilter(weekdays=frozenset({0})), MADRID) == [monday, unknown]
    assert filter_slots(allslots, SlotFilter(durations=frozenset({90})), MADRID) == [
        tuesday,
        unknown,
    ]
    assert filter_slots(allslots, SlotFilter(court_type="indoor"), MADRID) == [monday]
    assert filter_slots(allslots, SlotFilter(court_type="outdoor"), MADRID) == [tuesday]
    assert filter_slots(allslots, SlotFilter(courts=("r2", "r3")), MADRID) == [tuesday, unknown]


def test_s4_slots_weekday_uses_club_zone_not_utc() -> None:
    # 23:30 UTC Monday is 00:30 Tuesday in Madrid.
    s = slot(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), 60)
    assert filter_slots([s], SlotFilter(weekdays=frozenset({1})), MADRID) == [s]
    assert filter_slots([s], SlotFilter(weekdays=frozenset({0})), ZoneInfo("UTC")) == [s]


def test_s4_slots_rank_court_preference_then_preferred_start() -> None:
    a18 = slot(MON_18_LOCAL, 90, "a")
    b19 = slot(MON_18_LOCAL + timedelta(hours=1), 90, "b")
    b18 = slot(MON_18_LOCAL, 90, "b")
    c20 = slot(MON_18_LOCAL + timedelta(hours=2), 90, "c")
    flt = SlotFilter(courts=("b", "a"), preferred_start=time(19, 0))
    assert rank_slots([a18, b19, b18, c20], flt, MADRID) == [b19, b18, a18, c20]


def test_s4_slots_rank_earliest_first_without_preferences() -> None:
    s1 = slot(MON_18_LOCAL + timedelta(hours=1), 60, "a")
    s2 = slot(MON_18_LOCAL, 90, "b")
    s3 = slot(MON_18_LOCAL, 60, "b")
    s4 = slot(MON_18_LOCAL, 60, "a")
    assert rank_slots([s1, s2, s3, s4], SlotFilter(), MADRID) == [s4, s3, s2, s1]


def test_s4_slots_rank_preferred_start_is_wall_clock_on_dst_night() -> None:
    # 25 Oct 2026 (clocks go back at 03:00): 19:00 local is 18:00 UTC.
    day = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    s19 = slot(day + timedelta(hours=18), 60, "a")
    s18 = slot(day + timedelta(hours=17), 60, "a")
    ranked = rank_slots([s18, s19], SlotFilter(preferred_start=time(19, 0)), MADRID)
    assert ranked[0] is s19


slot_strategy = st.builds(
    slot,
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.replace(second=0, microsecond=0)),
    duration=st.sampled_from([60, 90, 120]),
    resource=st.sampled_from(["a", "b", "c", "d"]),
    indoor=st.sampled_from([True, False, None]),
)
filter_strategy = st.builds(
    SlotFilter,
    courts=st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3).map(tuple),
    preferred_start=st.none() | st.times().map(lambda t: t.replace(microsecond=0)),
)


@HYPO
@given(slots=st.lists(slot_strategy, max_size=12), flt=filter_strategy)
def test_s4_slots_property_rank_is_a_deterministic_permutation(
    slots: list[Slot], flt: SlotFilter
) -> None:
    ranked = rank_slots(slots, flt, MADRID)
    assert sorted(ranked, key=id) == sorted(slots, key=id)
    assert rank_slots(list(reversed(slots)), flt, MADRID) == ranked
    # a preferred court never comes after a less preferred one
    order = {r: i for i, r in enumerate(flt.courts)}
    ranks = [order.get(s.resource_id, len(flt.courts)) for s in ranked]
    assert ranks == sorted(ranks)


whole_seconds = st.times().map(lambda t: t.replace(microsecond=0))


@HYPO
@given(slots=st.lists(slot_strategy, max_size=12), start=whole_seconds, end=whole_seconds)
def test_s4_slots_property_filtered_slots_lie_inside_the_window(
    slots: list[Slot], start: time, end: time
) -> None:
    flt = SlotFilter(window_start=start, window_end=end)
    kept = filter_slots(slots, flt, MADRID)
    for s in slots:
        local_start = s.local_start(MADRID).replace(tzinfo=None)
        local_end = s.local_end(MADRID).replace(tzinfo=None)
        limit = datetime.combine(local_start.date(), end)
        if end == time(0):
            limit += timedelta(days=1)
        inside = local_start.time() >= start and local_end <= limit
        assert (s in kept) == inside


def test_best_slots_filters_ranks_and_drops_what_started() -> None:
    """What a rule, "book now" and find_slots all use: fitting slots, best first, not started."""
    flt = SlotFilter(window_start=time(18, 0), window_end=time(21, 30), preferred_start=time(19, 0))
    early = slot(MON_18_LOCAL, 90)  # 18:00 local
    preferred = slot(MON_18_LOCAL + timedelta(hours=1), 90)  # 19:00
    late = slot(MON_18_LOCAL + timedelta(hours=2), 90)  # 20:00
    outside = slot(MON_18_LOCAL + timedelta(hours=3), 90)  # 21:00-22:30
    every = [late, outside, early, preferred]
    assert best_slots(every, flt, MADRID) == [preferred, early, late]
    # At 18:30 local the 18:00 slot has started: it is no longer offered.
    assert best_slots(every, flt, MADRID, after=MON_18_LOCAL + timedelta(minutes=30)) == [
        preferred,
        late,
    ]


def sized(resource: str, *, single: bool) -> Slot:
    return Slot("t1", resource, f"Court {resource}", MON_18_LOCAL, 90, None, True, single)


def test_courts_are_a_preference_unless_only_these() -> None:
    """Listed courts come first in their order; others follow unless "only these courts"."""
    r1, r2, r3 = (sized(r, single=False) for r in ("r1", "r2", "r3"))
    preference = SlotFilter(courts=("r3", "r1"), only_courts=False)
    assert best_slots([r1, r2, r3], preference, MADRID) == [r3, r1, r2]
    only = SlotFilter(courts=("r3", "r1"), only_courts=True)
    assert best_slots([r1, r2, r3], only, MADRID) == [r3, r1]
    # The default keeps the meaning stored rules had: a courts list excludes the others.
    assert best_slots([r1, r2, r3], SlotFilter(courts=("r2",)), MADRID) == [r2]


def test_court_size() -> None:
    """A doubles group is never offered a singles court, and the other way round."""
    double, single = sized("d", single=False), sized("s", single=True)
    assert filter_slots([double, single], SlotFilter(court_size="doubles"), MADRID) == [double]
    assert filter_slots([double, single], SlotFilter(court_size="singles"), MADRID) == [single]
    assert filter_slots([double, single], SlotFilter(), MADRID) == [double, single]
