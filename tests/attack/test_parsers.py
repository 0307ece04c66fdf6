"""Every model parser over generated payloads: a value or a malformed-answer error, nothing else.

Payloads are objects with the keys each parser reads, holding hostile values (huge and negative
numbers, NaN and infinities, out-of-range dates, wrong types, deep nesting), and arbitrary JSON.
What a parser accepts must also be safe to compute with (ends, durations, deadlines, horizons):
an OverflowError there would escape just as surely.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.playtomic.api import (
    Club,
    Court,
    Match,
    Money,
    PaymentIntent,
    PaymentMethod,
    PlaytomicApiError,
    TokenPair,
)
from custom_components.playtomic.api.errors import UNEXPECTED_RESPONSE
from custom_components.playtomic.api.models import (
    Profile,
    clubs_from_json,
    matches_from_json,
    slots_from_availability,
)
from custom_components.playtomic.engine import BookingRule, DailyDrop, open_dates
from tests.attack.tally import tally

EXAMPLES = 120
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MADRID = ZoneInfo("Europe/Madrid")

HOSTILE_TEXT = st.sampled_from(
    [
        "9999-12-31T23:59:59",
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "2026-03-02T10:00:00",
        "2026-03-02T10:00:00Z",
        "2026-03-02",
        "9999-12-31",
        "23:30",
        "23:30:00",
        "24:00",
        "NaN",
        "1e999",
        "-1",
        "35 EUR",
        "1e400 EUR",
        "EUR",
        "",
        " ",
        "Europe/Madrid",
        "Not/AZone",
        "../../etc/passwd",
        "x" * 300,
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 30, 90, 1800, 5400, 10**9, 10**18, 2**63, 10**300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    HOSTILE_TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def shaped(keys: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with some of `keys`, each holding its own strategy or any hostile value."""
    return st.fixed_dictionaries(
        {},
        optional={key: st.one_of(strategy, JSON) for key, strategy in keys.items()},
    )


def one_of_or_json(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, JSON)


MONEY = one_of_or_json(st.one_of(SCALARS, shaped({"amount": SCALARS, "currency": SCALARS})))
DURATION_OBJ = shaped(
    {"amount": SCALARS, "unit": st.sampled_from(["HOURS", "DAYS", "MINUTES", "YEARS"])}
)
COURT = shaped(
    {
        "resource_id": SCALARS,
        "name": SCALARS,
        "sport_id": SCALARS,
        "is_active": SCALARS,
        "properties": shaped(
            {"resource_type": SCALARS, "resource_size": SCALARS, "resource_feature": SCALARS}
        ),
        "booking_settings": shaped(
            {
                "allowed_duration_increments": st.lists(SCALARS, max_size=4),
                "is_bookable_online": SCALARS,
                "allows_onsite_payment": SCALARS,
            }
        ),
    }
)
TENANT = shaped(
    {
        "tenant_id": SCALARS,
        "tenant_name": SCALARS,
        "address": shaped(
            {"timezone": SCALARS, "coordinate": shaped({"lat": SCALARS, "lon": SCALARS})}
        ),
        "booking_settings": shaped({"booking_ahead_limit": SCALARS}),
        "resources": st.lists(COURT, max_size=3),
        "sport_ids": st.lists(SCALARS, max_size=3),
        "default_cancelation_policy": DURATION_OBJ,
        "cancelation_policies": st.lists(
            shaped(
                {
                    "duration": DURATION_OBJ,
                    "sport_id": SCALARS,
                    "sport_ids": st.lists(SCALARS, max_size=2),
                }
            ),
            max_size=2,
        ),
        "opening_hours": shaped(
            {
                day: shaped({"opening_time": SCALARS, "closing_time": SCALARS})
                for day in ("MONDAY", "SUNDAY")
            }
        ),
    }
)
MATCH = shaped(
    {
        "match_id": SCALARS,
        "start_date": SCALARS,
        "end_date": SCALARS,
        "duration": SCALARS,
        "status": SCALARS,
        "owner_id": SCALARS,
        "sport_id": SCALARS,
        "tenant": shaped({"tenant_id": SCALARS, "tenant_name": SCALARS}),
        "resource_id": SCALARS,
        "price": MONEY,
        "created_at": SCALARS,
        "teams": JSON,
        "registration_info": JSON,
    }
)
METHOD = shaped(
    {
        "payment_method_id": SCALARS,
        "method_type": SCALARS,
        "name": SCALARS,
        "amount": MONEY,
        "data": JSON,
    }
)
INTENT = shaped(
    {
        "payment_intent_id": SCALARS,
        "status": SCALARS,
        "available_payment_methods": st.lists(METHOD, max_size=3),
        "next_payment_action": JSON,
        "price": MONEY,
        "cart": JSON,
    }
)
AVAILABILITY = st.lists(
    shaped(
        {
            "resource_id": st.sampled_from(["r1", "r2"]),
            "start_date": SCALARS,
            "slots": st.lists(
                shaped({"start_time": SCALARS, "duration": SCALARS, "price": MONEY}), max_size=3
            ),
        }
    ),
    max_size=3,
)
TOKENS = shaped(
    {
        "access_token": SCALARS,
        "refresh_token": SCALARS,
        "access_token_expiration": SCALARS,
        "refresh_token_expiration": SCALARS,
        "user_id": SCALARS,
    }
)

CLUB = Club(
    tenant_id="t",
    name="Norte",
    zone=MADRID,
    courts=(Court("r1", "Pista 1", durations=(60, 90)),),
)
RULE = BookingRule(
    rule_id="r",
    name="Evenings",
    tenant_id="t",
    zone=MADRID,
    weekdays=frozenset(range(7)),
    window_start=time(18, 0),
    window_end=time(21, 30),
    duration=90,
    release=DailyDrop(14, time(8, 30)),
)


def _use_club(club: Club) -> None:
    club.free_cancellation_deadline(NOW)
    open_dates(RULE, now=NOW, horizon_minutes=club.booking_ahead_limit)
    for court in club.courts:
        assert all(0 < d <= 24 * 60 for d in court.durations)


def _use_match(match: Match) -> None:
    assert match.duration is not None
    match.start.astimezone(MADRID)
    match.end.astimezone(MADRID)


def _tokens(payload: object) -> None:
    pair = TokenPair.from_json(payload, now=NOW)
    pair.access_valid_for(NOW)
    TokenPair.from_dict(pair.to_dict())


def _slots(payload: object) -> None:
    for slot in slots_from_availability(payload, CLUB):
        slot.local_start(MADRID)
        slot.local_end(MADRID)
        assert 0 < slot.duration <= 24 * 60


PARSERS: dict[str, tuple[st.SearchStrategy[Any], Callable[[object], object]]] = {
    "token": (TOKENS, _tokens),
    "court": (COURT, Court.from_json),
    "club": (TENANT, lambda p: _use_club(Club.from_json(p))),
    "clubs": (
        st.one_of(st.lists(TENANT, max_size=2), JSON),
        lambda p: [_use_club(c) for c in clubs_from_json(p)],
    ),
    "availability": (st.one_of(AVAILABILITY, JSON), _slots),
    "profile": (shaped({"user_id": SCALARS, "full_name": SCALARS}), Profile.from_json),
    "match": (MATCH, lambda p: _use_match(Match.from_json(p))),
    "matches": (
        st.one_of(
            st.lists(MATCH, max_size=2), shaped({"content": st.lists(MATCH, max_size=2)}), JSON
        ),
        lambda p: [_use_match(m) for m in matches_from_json(p)],
    ),
    "payment_method": (METHOD, PaymentMethod.from_json),
    "payment_intent": (INTENT, PaymentIntent.from_json),
    "money": (MONEY, lambda p: str(Money.parse(p))),
}


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_parser_returns_a_value_or_a_malformed_answer(name: str) -> None:
    strategy, parse = PARSERS[name]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy)
    def check(payload: object) -> None:
        tally(f"parser {name}")
        code = UNEXPECTED_RESPONSE
        try:
            parse(payload)
        except PlaytomicApiError as err:
            code = err.code
        assert code == UNEXPECTED_RESPONSE

    check()


@pytest.mark.parametrize(
    ("payload", "parse"),
    [
        (
            {"match_id": "m", "start_date": "2026-03-02T10:00:00", "duration": 10**12},
            Match.from_json,
        ),
        ({"match_id": "m", "start_date": "9999-12-31T23:00:00", "duration": 90}, Match.from_json),
        (
            {"match_id": "m", "start_date": "0001-01-01T00:00:00+14:00", "duration": 90},
            Match.from_json,
        ),
        (
            [
                {
                    "resource_id": "r1",
                    "start_date": "9999-12-31",
                    "slots": [{"start_time": "23:30", "duration": 90}],
                }
            ],
            lambda p: slots_from_availability(p, CLUB),
        ),
        (
            [
                {
                    "resource_id": "r1",
                    "start_date": "2026-03-02",
                    "slots": [{"start_time": "10:00", "duration": 10**15}],
                }
            ],
            lambda p: slots_from_availability(p, CLUB),
        ),
        ({"tenant_id": "t", "booking_settings": {"booking_ahead_limit": 10**15}}, Club.from_json),
        (
            {"tenant_id": "t", "default_cancelation_policy": {"amount": 1e300, "unit": "DAYS"}},
            Club.from_json,
        ),
        (
            {"tenant_id": "t", "default_cancelation_policy": {"amount": float("nan")}},
            Club.from_json,
        ),
    ],
    ids=[
        "match-duration",
        "match-year-9999",
        "match-year-1",
        "slot-year-9999",
        "slot-duration",
        "club-ahead-limit",
        "club-cancellation-hours",
        "club-cancellation-nan",
    ],
)
def test_out_of_range_values_are_malformed_answers(
    payload: object, parse: Callable[[object], object]
) -> None:
    """The cases that used to overflow (in the parser or in later arithmetic)."""
    with pytest.raises(PlaytomicApiError) as err:
        parse(payload)
    assert err.value.code == UNEXPECTED_RESPONSE


def test_bounds_hold_for_the_last_day_before_the_limit() -> None:
    match = Match.from_json({"match_id": "m", "start_date": "2199-12-31T20:00:00", "duration": 90})
    assert match.end.year == 2199
    assert date(2199, 12, 31) == match.start.date()
