"""The client against the revisions of docs/playtomic-api.md §11 (newer public evidence, December 2026).

Each test names its item. Every one of them fails on the client before §11: it sent no `WALLET`,
took a 422 for an ordinary error, asked for matches with `owner_id` and trusted the answer,
needed a refresh token in every refresh answer, and logged in to learn a missing user id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from custom_components.playtomic.api import (
    BookingTarget,
    Match,
    Money,
    PaymentCategory,
    PaymentMethod,
    PaymentNotPossibleError,
    PlaytomicApiError,
    PlaytomicClient,
    SlotNotAvailableError,
    choose_method,
    classify_method,
    contract,
)
from custom_components.playtomic.api.links import slot_app_link
from tests.fake_playtomic import CourtSpec, FakePlaytomic
from tests.fake_playtomic.club import FakeClub

from .conftest import USER_ID, api_requests

# Tuesday 3 Mar 2026, 18:00 in Madrid: released (the club opens 14 days ahead).
START = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
# Friday 20 Mar 2026: not released yet on 2 Mar.
UNRELEASED = datetime(2026, 3, 20, 17, 0, tzinfo=UTC)
CREATE = "^/v1/payment_intents$"
CONFIRM = r"^/v1/payment_intents/[^/]+/confirmation$"


def logins(fake: FakePlaytomic) -> int:
    return sum(1 for r in api_requests(fake) if r.path == "/v3/auth/login")


# -- 11.1 payment types ------------------------------------------------------------------------


async def test_s11_1_a_wallet_of_type_wallet_is_offered_and_used(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    club = fake.add_club(
        "Wallet Club", courts=[CourtSpec("Pista 1", resource_id="w1")], payment_methods=("WALLET",)
    )
    result = await client.book(BookingTarget(club.tenant_id, "w1", START, 90), ["wallet"])
    assert result.category == "wallet"
    assert result.payment_method is not None
    assert result.payment_method.method_type == "WALLET"
    assert [m.match_id for m in fake.matches] == [result.match_id]


@pytest.mark.parametrize("method_type", ["GOOGLE_PAY", "PAYPAL", "SWISH_STRIPE"])
def test_s11_1_app_only_card_types_are_never_selected(method_type: str) -> None:
    free = PaymentMethod(method_type, method_type, method_type, Money(Decimal(0), "EUR"))
    assert classify_method(free) == frozenset()
    with pytest.raises(PaymentNotPossibleError):
        choose_method([free], list(PaymentCategory))


def test_s11_1_the_full_app_list_is_sent() -> None:
    assert set(contract.ALLOWED_PAYMENT_METHOD_TYPES) >= {
        "WALLET",
        "MERCHANT_WALLET",
        "SWISH_STRIPE",
        "PAYPAL",
        "GOOGLE_PAY",
    }


# -- 11.2 "not available" by code ----------------------------------------------------------------


async def test_s11_2_unreleased_422_on_create_is_slot_not_available(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    fake.variants.unreleased_status = 422
    with pytest.raises(SlotNotAvailableError) as info:
        await client.create_payment_intent(BookingTarget(club.tenant_id, "r1", UNRELEASED, 90))
    assert (info.value.http_status, info.value.code) == (422, "RESOURCE_NO_AVAILABLE")


@pytest.mark.parametrize(
    ("status", "code"), [(400, "RESERVATION_NOT_PROCESSABLE"), (422, "RESERVATION_NOT_PROCESSABLE")]
)
async def test_s11_2_known_codes_at_400_and_422_on_create(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub, status: int, code: str
) -> None:
    fake.respond("POST", CREATE, status=status, json={"status": code})
    with pytest.raises(SlotNotAvailableError):
        await client.create_payment_intent(BookingTarget(club.tenant_id, "r1", START, 90))


async def test_s11_2_a_422_with_another_code_is_not_a_lost_slot(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    fake.respond("POST", CREATE, status=422, json={"status": "INCORRECT_PARAMETERS"})
    with pytest.raises(PlaytomicApiError) as info:
        await client.create_payment_intent(BookingTarget(club.tenant_id, "r1", START, 90))
    assert not isinstance(info.value, SlotNotAvailableError)


async def test_s11_2_unavailable_code_at_confirmation_is_a_lost_slot_not_a_reconcile(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    fake.respond("POST", CONFIRM, status=422, json={"status": "RESOURCE_NO_AVAILABLE"})
    with pytest.raises(SlotNotAvailableError):
        await client.book(BookingTarget(club.tenant_id, "r1", START, 90), ["at_club"])
    assert not any(r.path == "/v1/matches" for r in api_requests(fake))  # no §8 reconcile
    assert fake.matches == []


# -- 11.3 own matches ------------------------------------------------------------------------------


async def test_s11_3_other_players_matches_are_dropped_when_the_filter_is_ignored(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    mine = fake.book_directly(club.tenant_id, "r1", START, 90, USER_ID)
    fake.book_directly(club.tenant_id, "r2", START, 90, "rival")
    fake.variants.ignore_user_filter = True
    assert [m.match_id for m in await client.get_matches()] == [mine.match_id]
    assert [m.match_id for m in await client.get_matches(upcoming_only=False)] == [mine.match_id]


MATCH = {
    "match_id": "m1",
    "owner_id": "rival",
    "status": "CONFIRMED",
    "start_date": "2026-03-03T17:00:00",
    "end_date": "2026-03-03T18:30:00",
}


@pytest.mark.parametrize(
    ("extra", "ours"),
    [
        ({}, False),
        ({"owner_id": USER_ID}, True),
        ({"teams": [{"players": [{"user_id": "x"}]}, {"players": [{"user_id": USER_ID}]}]}, True),
        ({"teams": [{"players": [{"user_id": "x"}]}]}, False),
        ({"registration_info": {"registrations": [{"user_id": USER_ID}]}}, True),
        ({"registration_info": {"registrations": [{"user": "x"}]}}, False),
        ({"owner_id": int(USER_ID)}, True),  # an id sent as a number is still the account
    ],
)
def test_s11_3_ownership_owner_players_or_registrations(
    extra: dict[str, object], ours: bool
) -> None:
    assert Match.from_json({**MATCH, **extra}).belongs_to(USER_ID) is ours


@pytest.mark.parametrize(
    ("status", "inactive"),
    [
        ("CONFIRMED", False),
        ("PENDING", False),
        ("IN_PROGRESS", False),
        ("VALIDATING", False),
        ("PLAYED", False),
        ("CANCELED", True),
        ("REJECTED", True),
        ("EXPIRED", True),
    ],
)
def test_s11_3_rejected_and_expired_are_inactive(status: str, inactive: bool) -> None:
    assert Match.from_json({**MATCH, "status": status}).is_inactive is inactive


async def test_s11_3_expired_match_is_not_upcoming(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    lapsed = fake.book_directly(club.tenant_id, "r1", START, 90, USER_ID)
    lapsed.status = "EXPIRED"
    fake.respond(
        "GET",
        "^/v1/matches$",
        json=[{**MATCH, "match_id": lapsed.match_id, "owner_id": USER_ID, "status": "EXPIRED"}],
    )
    assert await client.get_matches() == []


# -- 11.4 tokens --------------------------------------------------------------------------------


async def test_s11_4_refresh_without_refresh_token_keeps_the_old_one(
    fake: FakePlaytomic, make_client: Callable[..., PlaytomicClient], club: FakeClub
) -> None:
    stored: list[str] = []
    client = make_client(on_tokens=lambda pair: stored.append(pair.refresh_token))
    first = await client.login()
    fake.variants.refresh_keeps_token = True
    for _ in range(3):
        fake.clock.advance(3600)  # the access token expires every hour
        await client.get_matches()
    assert stored == [first.refresh_token] * 4  # login, then three refreshes that kept it
    assert logins(fake) == 1
    assert sum(1 for r in api_requests(fake) if r.path == "/v3/auth/token") == 3


async def test_s11_4_refresh_refused_is_the_only_way_to_a_password_login(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.login()
    fake.expire_tokens()
    await client.get_matches()
    assert logins(fake) == 1  # the refresh worked
    fake.expire_tokens()
    fake.expire_tokens(refresh=True)
    await client.get_matches()
    assert logins(fake) == 2  # no usable refresh token left


# -- 11.5 smaller corrections ------------------------------------------------------------------


async def test_s11_5_patch_answers_requires_confirmation_and_confirmation_sends_empty_object(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    target = BookingTarget(club.tenant_id, "r1", START, 90)
    intent = await client.create_payment_intent(target)
    selected = await client.select_payment_method(intent.payment_intent_id, "CASH")
    assert selected.status == "REQUIRES_CONFIRMATION"
    match_id = await client.confirm_payment_intent(intent.payment_intent_id, target)
    confirm = api_requests(fake)[-1]
    assert confirm.path.endswith("/confirmation")
    assert confirm.json == {}
    assert [m.match_id for m in fake.matches] == [match_id]


async def test_s11_5_wallet_balance_below_price_skips_the_wallet_and_says_so(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    club = fake.add_club(
        "Wallet Club",
        courts=[CourtSpec("Pista 1", resource_id="w1")],
        payment_methods=("WALLET", "CASH"),
        wallet_balance=10,  # 90 minutes cost 36 EUR
    )
    result = await client.book(
        BookingTarget(club.tenant_id, "w1", START, 90), ["wallet", "at_club"]
    )
    assert result.category == "at_club"
    assert result.skipped_wallets == ("Wallet",)
    assert club.wallet_balance == 10  # nothing was taken from it
    rich = fake.add_club(
        "Rich Club",
        courts=[CourtSpec("Pista 1", resource_id="w2")],
        payment_methods=("WALLET", "CASH"),
        wallet_balance=100,
    )
    paid = await client.book(BookingTarget(rich.tenant_id, "w2", START, 90), ["wallet", "at_club"])
    assert (paid.category, paid.skipped_wallets) == ("wallet", ())
    assert rich.wallet_balance == 64


def test_s11_5_balance_in_another_currency_or_unreadable_is_unknown() -> None:
    price = Money(Decimal(36), "EUR")
    aud = PaymentMethod("W", "MERCHANT_WALLET", "Wallet", None, balance=Money(Decimal(1), "AUD"))
    assert classify_method(aud, price) == {PaymentCategory.WALLET}
    parsed = PaymentMethod.from_json(
        {"payment_method_id": "W", "method_type": "WALLET", "data": {"balance": "lots"}}
    )
    assert parsed.balance is None
    low = PaymentMethod.from_json(
        {"payment_method_id": "W", "method_type": "WALLET", "data": {"balance": "117.5 AUD"}}
    )
    assert low.balance == Money(Decimal("117.5"), "AUD")


async def test_s11_5_club_search_stops_at_the_link_last_page(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    for n in range(25):  # page size 20 at the fake: pages 0 and 1, Link names 1
        fake.add_club(f"Padel {n}")
    clubs = await client.search_clubs(name="Padel")
    assert len(clubs) == 25
    pages = [r.query["page"] for r in api_requests(fake) if r.path == "/v1/tenants"]
    assert pages == ["0", "1"]  # no request for the empty page 2


@pytest.mark.parametrize(
    ("header", "page"),
    [
        ('<https://x/v1/tenants?page=7&size=20>; rel="last"', 7),
        ('<https://x/v1/tenants?page=1>; rel="next", <https://x/v1/tenants?page=4>; rel=last', 4),
        ('<https://x/v1/tenants?page=1>; rel="next"', None),
        ("", None),
        (None, None),
    ],
)
def test_s11_5_link_header_last_page(header: str | None, page: int | None) -> None:
    assert contract.last_page(header) == page


async def test_s11_5_clubs_in_one_zone_share_one_availability_request(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    other = fake.add_club(
        "Club Sur", tenant_id="tenant-sur", courts=[CourtSpec("Sur 1", resource_id="s1")]
    )
    london = fake.add_club(
        "London", timezone="Europe/London", courts=[CourtSpec("L1", resource_id="l1")]
    )
    clubs = [await client.get_club(t) for t in (club.tenant_id, other.tenant_id, london.tenant_id)]
    fake.clear_requests()
    found = await client.get_availability_many(clubs, date(2026, 3, 3))
    queries = [r.query for r in api_requests(fake) if r.path == "/v1/availability"]
    assert sorted(q["tenant_id"] for q in queries) == sorted(
        [f"{club.tenant_id},{other.tenant_id}", london.tenant_id]
    )
    assert {s.resource_id for s in found[club.tenant_id]} == {"r1", "r2", "r3"}
    assert {s.resource_id for s in found[other.tenant_id]} == {"s1"}
    assert {s.resource_id for s in found[london.tenant_id]} == {"l1"}
    alone = await client.get_availability(clubs[0], date(2026, 3, 3))
    assert alone == found[club.tenant_id]


def test_s11_5_exact_slot_link() -> None:
    local = datetime(2026, 3, 3, 18, 30, tzinfo=UTC) + timedelta(0)
    assert slot_app_link("t 1", "r/1", local, "TENNIS") == (
        "https://app.playtomic.io/tenant/t%201?sport=TENNIS&date=2026-03-03"
        "&startTime=18:30&resourceId=r%2F1"
    )
