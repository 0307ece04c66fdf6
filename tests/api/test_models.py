"""Model parsers: documented variants accepted, malformed payloads rejected (docs/playtomic-api.md §2-§6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.playtomic.api import (
    UNEXPECTED_RESPONSE,
    BookingTarget,
    Club,
    Court,
    Match,
    Money,
    PaymentIntent,
    PaymentMethod,
    PlaytomicApiError,
    ServerTimeSample,
    TokenPair,
)
from custom_components.playtomic.api.models import (
    clubs_from_json,
    matches_from_json,
    slots_from_availability,
)

NOW = datetime(2026, 7, 18, 5, 4, 9, tzinfo=UTC)

TENANT: dict[str, Any] = {
    "tenant_id": "53dbecb5",
    "tenant_uid": "lemon-padel-club",
    "slug": "lemon-padel-club",
    "tenant_name": "Lemon Padel Club | Limburg",
    "tenant_status": "ACTIVE",
    "playtomic_status": "ACTIVE",
    "default_currency": "EUR",
    "address": {
        "city": "Limburg an der Lahn",
        "country_code": "DE",
        "coordinate": {"lat": 50.40198432, "lon": 8.0497365},
        "timezone": "Europe/Berlin",
    },
    "sport_ids": ["PADEL"],
    "opening_hours": {
        "MONDAY": {"opening_time": "09:00", "closing_time": "22:00"},
        "SUNDAY": {"opening_time": "09:00", "closing_time": "00:00"},
    },
    "booking_settings": {"booking_ahead_limit": 43200, "max_number_of_active_bookings": None},
    "default_cancelation_policy": {"amount": 20, "unit": "HOURS"},
    "cancelation_policies": [
        {"sport_id": "PADEL", "sport_ids": ["PADEL"], "duration": {"amount": 1, "unit": "DAYS"}},
        {"sport_id": "TENNIS", "duration": {"amount": 90, "unit": "MINUTES"}},
        {"sport_id": "SQUASH", "duration": None},
    ],
    "resources": [
        {
            "resource_id": "r2",
            "name": "Nr.02",
            "sport_id": "PADEL",
            "is_active": True,
            "properties": {"resource_type": "indoor", "resource_size": "double"},
            "booking_settings": {
                "allowed_duration_increments": [60, 120, 90],
                "is_bookable_online": True,
                "allows_onsite_payment": True,
            },
        },
        {"resource_id": "r3", "name": "Old", "is_active": False},
        {"resource_id": "r4", "name": "Phone", "booking_settings": {"is_bookable_online": False}},
        {"resource_id": "r5", "name": "Bare", "properties": None, "booking_settings": None},
    ],
    "unknown_future_key": {"x": 1},
}


def test_s3_tenant_parses_the_contract_example() -> None:
    club = Club.from_json(TENANT)
    assert club.zone == ZoneInfo("Europe/Berlin")
    assert club.slug == "lemon-padel-club"
    assert club.booking_ahead_limit == 43200  # minutes: 30 days
    assert club.cancellation_hours("PADEL") == 24
    assert club.cancellation_hours("TENNIS") == 1.5
    assert club.cancellation_hours("SQUASH") == 20  # falls back to the default policy
    assert club.is_active
    assert [c.resource_id for c in club.courts] == ["r2", "r5"]  # inactive and offline skipped
    court = club.courts[0]
    assert court.durations == (60, 90, 120)
    assert court.indoor is True
    assert court.allows_onsite_payment is True
    bare = club.courts[1]
    assert bare.indoor is None
    assert bare.durations == ()
    assert club.latitude == pytest.approx(50.40198432)


def test_s3_inactive_playtomic_status() -> None:
    club = Club.from_json({**TENANT, "playtomic_status": "INACTIVE", "tenant_status": "ACTIVE"})
    assert not club.is_active


def test_s3_missing_timezone_falls_back_with_warning(caplog: pytest.LogCaptureFixture) -> None:
    data = {**TENANT, "address": {"city": "X"}}
    assert Club.from_json(data).zone == ZoneInfo("UTC")
    assert Club.from_json(data, fallback_zone=ZoneInfo("Europe/Madrid")).zone.key == "Europe/Madrid"
    assert "No usable time zone" in caplog.text


def test_s3_tenant_list_bare_and_wrapped() -> None:
    assert [c.tenant_id for c in clubs_from_json([TENANT])] == ["53dbecb5"]
    wrapped = {"tenants": [TENANT], "total": 1}
    assert [c.tenant_id for c in clubs_from_json(wrapped)] == ["53dbecb5"]


def test_s3_resource_null_booking_settings_and_seconds_durations() -> None:
    court = Court.from_json(
        {
            "resource_id": "r",
            "name": "Single",
            "properties": {"resource_type": "OUTDOOR", "resource_size": "SINGLE"},
            "booking_settings": {"allowed_duration_increments": [3600, 5400]},
        }
    )
    assert court.indoor is False
    assert court.single
    assert court.durations == (60, 90)
    # No sport_id: the court counts as the default sport.
    assert court.offers("PADEL")
    assert not court.offers("TENNIS")
    assert Court(resource_id="t", name="Tenis 1", sport_id="TENNIS").offers("tennis")


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "tenant",
        {"tenant_name": "no id"},
        {**TENANT, "tenant_id": 12.5},
        {**TENANT, "address": "Calle"},
        {**TENANT, "resources": {"r": 1}},
        {**TENANT, "resources": [{"name": "no id"}]},
        {**TENANT, "resources": [{"resource_id": "r", "is_active": "yes"}]},
        {**TENANT, "booking_settings": {"booking_ahead_limit": "soon"}},
        {**TENANT, "address": {"coordinate": {"lat": "north"}}},
        {**TENANT, "sport_ids": ["PADEL", 7]},
        {
            **TENANT,
            "resources": [
                {"resource_id": "r", "booking_settings": {"allowed_duration_increments": ["60"]}}
            ],
        },
    ],
)
def test_s3_malformed_tenant_is_unexpected_response(payload: object) -> None:
    with pytest.raises(PlaytomicApiError) as info:
        Club.from_json(payload)
    assert info.value.code == UNEXPECTED_RESPONSE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("35 EUR", Money(Decimal(35), "EUR")),
        ("38.33 EUR", Money(Decimal("38.33"), "EUR")),
        ("1 234.5 SEK", None),  # malformed amount
        (35, Money(Decimal(35), "GBP")),
        (12.5, Money(Decimal("12.5"), "GBP")),
        ({"amount": 20, "currency": "EUR"}, Money(Decimal(20), "EUR")),
        ({"amount": "20.50"}, Money(Decimal("20.50"), "GBP")),
        ("42", Money(Decimal(42), "GBP")),
        (None, None),
        ("  ", None),
    ],
)
def test_s4_price_variants(value: object, expected: Money | None) -> None:
    if value == "1 234.5 SEK":
        with pytest.raises(PlaytomicApiError):
            Money.parse(value)
        return
    assert Money.parse(value, default_currency="GBP") == expected


@pytest.mark.parametrize("value", [True, {"currency": "EUR"}, "abc EUR", [1], "NaN EUR"])
def test_s4_price_malformed(value: object) -> None:
    with pytest.raises(PlaytomicApiError):
        Money.parse(value)


def test_s4_money_str() -> None:
    assert str(Money(Decimal("35.00"), "EUR")) == "35.00 EUR"
    assert str(Money(Decimal(1), "")) == "1"


TOKEN_ANSWER = {
    "access_token": "eyJhbGciOiJSUzI1NiJ9.AAA.c2ln",
    "access_token_expiration": "2026-07-18T06:04:09",
    "refresh_token": "eyJhbGciOiJSUzI1NiJ9.RRR.c2ln",
    "refresh_token_expiration": "2026-09-16T05:04:09Z",
    "user_id": "1234567",
}


def test_s2_1_token_answer_and_repr_hides_tokens() -> None:
    pair = TokenPair.from_json(TOKEN_ANSWER, now=NOW)
    assert pair.access_expires == datetime(2026, 7, 18, 6, 4, 9, tzinfo=UTC)
    assert pair.refresh_expires == datetime(2026, 9, 16, 5, 4, 9, tzinfo=UTC)
    assert pair.user_id == "1234567"
    for text in (repr(pair), str(pair)):
        assert "AAA" not in text
        assert "RRR" not in text


def test_s2_1_missing_expiry_means_55_minutes() -> None:
    answer: dict[str, object] = {
        k: v for k, v in TOKEN_ANSWER.items() if not k.endswith("expiration")
    }
    answer["user_id"] = 1234567  # numbers are accepted as opaque ids
    pair = TokenPair.from_json(answer, now=NOW)
    assert pair.access_expires == NOW + timedelta(minutes=55)
    assert pair.refresh_expires is None
    assert pair.user_id == "1234567"
    assert pair.refresh_usable(NOW)


@pytest.mark.parametrize(
    "payload",
    [
        {**TOKEN_ANSWER, "access_token": None},
        {**TOKEN_ANSWER, "refresh_token": ""},
        {**TOKEN_ANSWER, "access_token_expiration": "yesterday"},
        {**TOKEN_ANSWER, "access_token_expiration": 12},
        {**TOKEN_ANSWER, "user_id": ["x"]},
        {**TOKEN_ANSWER, "user_id": True},
        "token",
    ],
)
def test_s2_1_malformed_token_answer(payload: object) -> None:
    with pytest.raises(PlaytomicApiError) as info:
        TokenPair.from_json(payload, now=NOW)
    assert info.value.code == UNEXPECTED_RESPONSE
    assert "AAA" not in str(info.value)


def test_s2_2_token_pair_dict_roundtrip_is_json_safe() -> None:
    pair = TokenPair.from_json(TOKEN_ANSWER, now=NOW)
    stored = json.loads(json.dumps(pair.to_dict()))
    assert TokenPair.from_dict(stored) == pair
    partial = TokenPair("a", "r", NOW)
    assert TokenPair.from_dict(json.loads(json.dumps(partial.to_dict()))) == partial


@pytest.mark.parametrize(
    "stored",
    [
        {},
        {"access_token": "a", "refresh_token": "r", "access_expires": "never"},
        {"access_token": 1, "refresh_token": "r", "access_expires": NOW.isoformat()},
        {"access_token": "a", "refresh_token": "r", "access_expires": None},
        {
            "access_token": "a",
            "refresh_token": "r",
            "access_expires": NOW.isoformat(),
            "user_id": 5,
        },
    ],
)
def test_s2_2_damaged_stored_tokens(stored: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="damaged"):
        TokenPair.from_dict(stored)


MATCH = {
    "match_id": "9f0c2a4e",
    "owner_id": "1234567",
    "status": "CONFIRMED",
    "sport_id": "PADEL",
    "start_date": "2026-02-20T17:30:00",
    "end_date": "2026-02-20T19:00:00",
    "created_at": "2026-02-06T07:30:01",
    "resource_id": "r2",
    "resource_name": "Nr.02",
    "price": "35 EUR",
    "tenant": {
        "tenant_id": "53dbecb5",
        "tenant_name": "Lemon",
        "address": {"timezone": "Europe/Berlin"},
    },
    "teams": [],
    "registration_info": {"x": 1},
}


def test_s6_match_parsing_and_target_matching() -> None:
    match = Match.from_json(MATCH)
    assert match.duration == 90
    assert match.price == Money(Decimal(35), "EUR")
    assert match.timezone_name == "Europe/Berlin"
    target = BookingTarget("53dbecb5", "r2", datetime(2026, 2, 20, 17, 30, tzinfo=UTC), 90)
    assert match.matches_target(target)
    assert not match.matches_target(BookingTarget("53dbecb5", "r2", target.start, 60))
    z = Match.from_json(
        {**MATCH, "start_date": "2026-02-20T17:30:00Z", "end_date": None, "duration": 5400}
    )
    assert z.duration == 90
    assert match.is_sport("PADEL")
    assert not match.is_sport("TENNIS")
    assert Match.from_json({**MATCH, "sport_id": None}).is_sport("padel")


@pytest.mark.parametrize(
    ("status", "cancelled"),
    [
        ("CONFIRMED", False),
        ("PENDING", False),
        ("CANCELED", True),
        ("CANCELLED", True),
        ("canceled_by_owner", True),
        ("SOMETHING_NEW", False),
        (None, False),
    ],
)
def test_s6_status_containing_cancel_is_inactive(status: str | None, cancelled: bool) -> None:
    assert Match.from_json({**MATCH, "status": status}).is_inactive is cancelled


def test_s6_match_list_bare_and_paged() -> None:
    assert len(matches_from_json([MATCH])) == 1
    assert len(matches_from_json({"content": [MATCH], "total_elements": 1, "page": 0})) == 1
    with pytest.raises(PlaytomicApiError):
        matches_from_json({"items": [MATCH]})


@pytest.mark.parametrize(
    "payload",
    [
        {**MATCH, "start_date": None},
        {**MATCH, "end_date": None},
        {**MATCH, "match_id": None},
        {**MATCH, "tenant": "x"},
        {**MATCH, "price": {"amount": None}},
    ],
)
def test_s6_malformed_match(payload: object) -> None:
    with pytest.raises(PlaytomicApiError):
        Match.from_json(payload)


def test_s5_intent_parsing() -> None:
    intent = PaymentIntent.from_json(
        {
            "payment_intent_id": "pi",
            "status": "REQUIRES_PAYMENT_METHOD",
            "available_payment_methods": [
                {
                    "payment_method_id": "CASH",
                    "method_type": "CASH",
                    "name": "Pay at the club",
                    "amount": "35 EUR",
                    "data": None,
                },
                {
                    "payment_method_id": "CREDIT_CARD-STRIPE_1",
                    "method_type": "CREDIT_CARD",
                    "name": "Card",
                    "data": {"stripe": True},
                },
            ],
        }
    )
    assert [m.payment_method_id for m in intent.available_payment_methods] == [
        "CASH",
        "CREDIT_CARD-STRIPE_1",
    ]
    assert intent.available_payment_methods[1].data == '{"stripe": true}'
    assert intent.available_payment_methods[0].label == "Pay at the club"
    assert PaymentMethod("X").label == "X"
    assert not intent.requires_action
    done = PaymentIntent.from_json(
        {
            "payment_intent_id": "pi",
            "status": "SUCCEEDED",
            "cart": {"item": {"cart_item_data": {"match_id": "m1"}}},
        }
    )
    assert done.succeeded
    assert done.match_id == "m1"
    action = PaymentIntent.from_json(
        {
            "payment_intent_id": "pi",
            "status": "REQUIRES_PAYMENT_METHOD_ACTION",
            "next_payment_action_data": {"stripe_next_action": {"value": {"url": "https://3ds"}}},
        }
    )
    assert action.requires_action
    assert action.action_url == "https://3ds"
    obj_action = PaymentIntent.from_json(
        {"payment_intent_id": "pi", "next_payment_action": {"type": "x"}}
    )
    assert obj_action.requires_action


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "SUCCEEDED"},
        {"payment_intent_id": "pi", "available_payment_methods": {"a": 1}},
        {"payment_intent_id": "pi", "available_payment_methods": [{"name": "no id"}]},
        {"payment_intent_id": "pi", "cart": {"item": {"cart_item_data": {"match_id": ["m"]}}}},
    ],
)
def test_s5_malformed_intent(payload: object) -> None:
    with pytest.raises(PlaytomicApiError):
        PaymentIntent.from_json(payload)


def _club() -> Club:
    return Club.from_json(TENANT)


def test_s4_availability_grouping_join_and_variants() -> None:
    payload = [
        {
            "resource_id": "r2",
            "start_date": "2026-02-20",
            "slots": [
                {"start_time": "08:00:00", "duration": 60, "price": "20 EUR"},
                {"start_time": "08:00:00", "duration": 90, "price": 35},
                {
                    "start_time": "17:30:00",
                    "duration": 5400,
                    "price": {"amount": 38.33, "currency": "EUR"},
                },
            ],
        },
        {
            "resource_id": "r2",
            "start_date": "2026-02-20",
            "slots": [{"start_time": "08:00:00", "duration": 60, "price": "20 EUR"}],
        },  # duplicate group
        {"resource_id": "r5", "start_date": "2026-02-21", "slots": []},
        {"resource_id": "r5", "start_date": "2026-02-21"},
        {
            "resource_id": "r3",
            "start_date": "2026-02-20",
            "slots": [  # inactive court: dropped
                {"start_time": "09:00:00", "duration": 60, "price": "20 EUR"}
            ],
        },
    ]
    slots = slots_from_availability(payload, _club())
    assert [(s.resource_id, s.start.hour, s.duration) for s in slots] == [
        ("r2", 8, 60),
        ("r2", 8, 90),
        ("r2", 17, 90),
    ]
    last = slots[-1]
    assert last.court_name == "Nr.02"
    assert last.indoor is True
    assert last.price == Money(Decimal("38.33"), "EUR")
    assert slots[1].price == Money(Decimal(35), "EUR")
    assert last.local_start(ZoneInfo("Europe/Berlin")).hour == 18
    assert last.target.key == ("53dbecb5", "r2", last.start, 90)
    # a club without courts keeps every resource and names it by id
    bare = Club.from_json({k: v for k, v in TENANT.items() if k != "resources"})
    assert {s.resource_id for s in slots_from_availability(payload, bare)} == {"r2", "r3"}


@pytest.mark.parametrize(
    "payload",
    [
        {"resource_id": "r2"},
        [{"start_date": "2026-02-20", "slots": []}],
        [{"resource_id": "r2", "start_date": "20/02/2026", "slots": []}],
        [
            {
                "resource_id": "r2",
                "start_date": "2026-02-20",
                "slots": [{"start_time": "8h", "duration": 60}],
            }
        ],
        [{"resource_id": "r2", "start_date": "2026-02-20", "slots": [{"start_time": "08:00:00"}]}],
        [
            {
                "resource_id": "r2",
                "start_date": "2026-02-20",
                "slots": [{"start_time": "08:00:00", "duration": 0}],
            }
        ],
        [
            {
                "resource_id": "r2",
                "start_date": "2026-02-20",
                "slots": [{"start_time": "08:00:00", "duration": 60, "price": [1]}],
            }
        ],
        [{"resource_id": "r2", "start_date": "2026-02-20", "slots": "none"}],
    ],
)
def test_s4_malformed_availability(payload: object) -> None:
    with pytest.raises(PlaytomicApiError) as info:
        slots_from_availability(payload, _club())
    assert info.value.code == UNEXPECTED_RESPONSE


def test_s1_1_server_time_sample_offset() -> None:
    sent = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    sample = ServerTimeSample(sent, sent + timedelta(milliseconds=200), sent + timedelta(seconds=3))
    assert sample.round_trip == timedelta(milliseconds=200)
    assert sample.offset == timedelta(seconds=3, milliseconds=400)
    assert ServerTimeSample(sent, sent, None).offset is None


def test_s8_3_booking_target_normalises_to_utc_and_ignores_court_size_in_identity() -> None:
    local = datetime(2026, 2, 20, 18, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    a = BookingTarget("t", "r", local, 90, single_court=True)
    assert a.start.tzinfo is UTC
    assert a == BookingTarget("t", "r", datetime(2026, 2, 20, 17, 30, tzinfo=UTC), 90)
    assert a.end - a.start == timedelta(minutes=90)
