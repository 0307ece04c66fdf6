"""BookingRule: the typed constructor's checks and the client's slot filter.

Reading Home Assistant's stored rule format is the integration's (tests/test_rule_data.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.api import Club, Court
from custom_components.playtomic.engine import DailyDrop, Rolling, RuleError
from custom_components.playtomic.engine.candidates import build_candidates
from tests.engine.conftest import make_rule


def test_typed_rule_and_its_slot_filter() -> None:
    rule = make_rule(
        weekdays=frozenset({5, 6}),
        preferred_start=time(19, 30),
        courts=("r2", "r1"),
        court_type="indoor",
        release=Rolling(2880),
    )
    assert rule.first_start == time(19, 30)
    assert replace(rule, preferred_start=None).first_start == time(18, 0)
    assert rule.window.end == time(21, 30)
    flt = rule.slot_filter()
    assert flt.weekdays == frozenset({5, 6})
    assert flt.durations == frozenset({90})
    assert flt.courts == ("r2", "r1")
    assert flt.court_type == "indoor"
    assert flt.preferred_start == time(19, 30)
    assert (flt.window_start, flt.window_end) == (time(18, 0), time(21, 30))
    assert (flt.only_courts, flt.court_size) == (True, "any")


@pytest.mark.parametrize(
    "change",
    [
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"window_start": time(22, 0)},
        {"duration": 0},
        {"court_type": "roof"},
        {"court_size": "triples"},
        {"release": Rolling(0)},
        {"release": DailyDrop(-1, time(8, 30))},
        {"watch_cutoff": timedelta(hours=-1)},
        {"watch_cutoff": timedelta(hours=169)},
        {"reminder": timedelta(0)},
        {"reminder": timedelta(hours=169)},
    ],
)
def test_the_typed_constructor_refuses_unusable_rules(change: dict[str, object]) -> None:
    with pytest.raises(RuleError):
        make_rule(**change)


def test_release_candidates_follow_court_preference_and_size() -> None:
    """A burst tries the preferred court first, then the others of the right size."""
    zone = ZoneInfo("Europe/Madrid")
    club = Club(
        tenant_id="t",
        name="Club",
        zone=zone,
        courts=(
            Court("d1", "Doubles 1", durations=(90,)),
            Court("d2", "Doubles 2", durations=(90,)),
            Court("s1", "Singles 1", size="single", durations=(90,)),
        ),
    )
    rule = make_rule(
        tenant_id="t",
        zone=zone,
        window_start=time(18, 0),
        window_end=time(19, 30),
        preferred_start=None,
        courts=("d2",),
    )
    preference = replace(rule, only_courts=False, court_size="doubles")
    day = date(2026, 3, 2)
    assert [s.resource_id for s in build_candidates(preference, club, day)] == ["d2", "d1"]
    only = replace(rule, only_courts=True)
    assert [s.resource_id for s in build_candidates(only, club, day)] == ["d2"]
    singles = replace(rule, courts=(), court_size="singles")
    assert [s.resource_id for s in build_candidates(singles, club, day)] == ["s1"]
