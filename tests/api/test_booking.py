"""Booking: three steps (§5), payment policy (§5.2), outcome table (§5.4), safety rules (§8)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.playtomic.api import (
    BookingOutcomeUnknownError,
    BookingTarget,
    IntentAlreadyOpenError,
    PaymentActionRequiredError,
    PaymentCategory,
    PaymentNotPossibleError,
    PlaytomicApiError,
    PlaytomicClient,
    PlaytomicConnectionError,
    PlaytomicEdgeBlockedError,
    SlotNotAvailableError,
    checkout_link,
)
from tests.fake_playtomic import CourtSpec, FakePlaytomic
from tests.fake_playtomic.club import FakeClub

from .conftest import USER_ID, Sleeper, api_requests

# Tuesday 3 Mar 2026, 18:00 in Madrid.
START = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
CONFIRM = r"^/v1/payment_intents/[^/]+/confirmation$"
INTENT = r"^/v1/payment_intents/[^/]+$"
UNAUTHORIZED = {"status": "UNAUTHORIZED", "localized_message": "Token expired"}


@pytest.fixture
def target(club: FakeClub) -> BookingTarget:
    return BookingTarget(club.tenant_id, "r1", START, 90)


def calls(fake: FakePlaytomic) -> list[str]:
    """Method and path of each API request, intent ids replaced by {id}."""
    result = []
    for r in api_requests(fake):
        path = r.path
        for intent_id in fake.intents:
            path = path.replace(intent_id, "{id}")
        result.append(f"{r.method} {path}")
    return result


def confirmations(fake: FakePlaytomic) -> int:
    return sum(1 for r in api_requests(fake) if r.path.endswith("/confirmation"))


async def test_s5_book_sends_the_three_contract_bodies(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    result = await client.book(target, [PaymentCategory.AT_CLUB])
    assert calls(fake) == [
        "POST /v3/auth/login",
        "POST /v1/payment_intents",
        "PATCH /v1/payment_intents/{id}",
        "POST /v1/payment_intents/{id}/confirmation",
    ]
    create, patch, confirm = api_requests(fake)[1:]
    assert create.json == {
        "allowed_payment_method_types": [
            "OFFER",
            "CASH",
            "MERCHANT_WALLET",
            "WALLET",
            "DIRECT",
            "SWISH",
            "SWISH_STRIPE",
            "IDEAL",
            "BANCONTACT",
            "PAYTRAIL",
            "CREDIT_CARD",
            "QUICK_PAY",
            "PAYPAL",
            "GOOGLE_PAY",
        ],
        "user_id": USER_ID,
        "cart": {
            "requested_item": {
                "cart_item_type": "CUSTOMER_MATCH",
                "cart_item_voucher_id": None,
                "cart_item_data": {
                    "supports_split_payment": True,
                    "number_of_players": 4,
                    "tenant_id": target.tenant_id,
                    "resource_id": "r1",
                    "start": "2026-03-03T17:00:00",
                    "duration": 90,
                    "match_registrations": [{"user_id": USER_ID, "pay_now": True}],
                },
            }
        },
    }
    assert patch.json == {
        "selected_payment_method_id": "CASH",
        "selected_payment_method_data": None,
    }
    assert confirm.json == {}  # §11.5: the app's confirmation body
    assert [m.match_id for m in fake.matches] == [result.match_id]
    assert fake.matches[0].owner_id == USER_ID
    assert result.category == "at_club"
    assert result.payment_method is not None
    assert result.payment_method.payment_method_id == "CASH"
    assert not result.dry_run


async def test_s5_1_single_court_books_two_players(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    await client.book(
        BookingTarget(club.tenant_id, "r3", START, 60, single_court=True), ["at_club"]
    )
    assert (
        api_requests(fake)[1].json["cart"]["requested_item"]["cart_item_data"]["number_of_players"]
        == 2
    )
    await client.create_payment_intent(
        BookingTarget(club.tenant_id, "r1", START, 60), number_of_players=3
    )
    assert (
        api_requests(fake)[-1].json["cart"]["requested_item"]["cart_item_data"]["number_of_players"]
        == 3
    )


async def test_s5_2_policy_order_picks_zero_amount_offer_first(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    club = fake.add_club(
        "All Methods",
        courts=[CourtSpec("A", resource_id="a")],
        payment_methods=("CREDIT_CARD", "CASH", "MERCHANT_WALLET", "OFFER"),
    )
    target = BookingTarget(club.tenant_id, "a", START, 60)
    result = await client.book(target)  # default order: zero_amount, offer, wallet, at_club
    assert result.category == "zero_amount"
    assert result.payment_method is not None
    assert result.payment_method.method_type == "OFFER"
    other = BookingTarget(club.tenant_id, "a", START + timedelta(hours=2), 60)
    result = await client.book(other, ["wallet", "at_club"])
    assert result.category == "wallet"
    assert api_requests(fake)[-2].json["selected_payment_method_id"].startswith("MERCHANT_WALLET-")


async def test_s5_2_no_allowed_method_raises_without_patch(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    club = fake.add_club(
        "Cards Only",
        courts=[CourtSpec("A", resource_id="a")],
        payment_methods=("CREDIT_CARD", "QUICK_PAY", "DIRECT"),
    )
    with pytest.raises(PaymentNotPossibleError) as info:
        await client.book(BookingTarget(club.tenant_id, "a", START, 60))
    assert info.value.offered == ("Card", "Apple Pay / Google Pay", "Direct")
    assert info.value.payment_intent_id in fake.intents
    assert calls(fake) == ["POST /v3/auth/login", "POST /v1/payment_intents"]
    assert fake.matches == []


async def test_s5_1_409_on_create_is_slot_not_available(
    fake: FakePlaytomic, client: PlaytomicClient, club: FakeClub
) -> None:
    unreleased = BookingTarget(club.tenant_id, "r1", datetime(2026, 3, 20, 17, tzinfo=UTC), 90)
    for _ in range(2):  # no intent was created, so a retry is not blocked by §8 rule 3
        with pytest.raises(SlotNotAvailableError) as info:
            await client.create_payment_intent(unreleased)
        assert (info.value.http_status, info.value.code) == (409, "RESOURCE_NO_AVAILABLE")
    fake.respond(
        "POST",
        "^/v1/payment_intents$",
        status=409,
        json={"status": "RESERVATION_NOT_PROCESSABLE", "localized_message": "No"},
    )
    with pytest.raises(SlotNotAvailableError) as info:
        await client.create_payment_intent(unreleased)
    assert info.value.code == "RESERVATION_NOT_PROCESSABLE"


async def test_s5_1_slot_taken_by_someone_else(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    fake.book_directly(target.tenant_id, target.resource_id, target.start, 90, "rival")
    with pytest.raises(SlotNotAvailableError):
        await client.book(target, ["at_club"])


async def test_s8_4_create_timeout_is_connection_error_and_not_tracked(
    fake: FakePlaytomic,
    impatient_client: Callable[[float], Awaitable[PlaytomicClient]],
    target: BookingTarget,
) -> None:
    client = await impatient_client(0.2)
    fake.hang("POST", "^/v1/payment_intents$")
    with pytest.raises(PlaytomicConnectionError):
        await client.create_payment_intent(target)
    assert calls(fake).count("POST /v1/payment_intents") == 1  # POST is never retried by itself
    await client.create_payment_intent(target)  # the caller may retry (§8 rule 4)


async def test_s5_3_next_payment_action_stops_before_confirmation(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    fake.respond(
        "PATCH",
        INTENT,
        json={"payment_intent_id": "x", "status": "PENDING", "next_payment_action": "OPEN_STRIPE"},
    )
    with pytest.raises(PaymentActionRequiredError) as info:
        await client.book(target, ["at_club"])
    assert info.value.deep_link == checkout_link(target.tenant_id, "r1", START, 90)
    assert info.value.action == "OPEN_STRIPE"
    assert confirmations(fake) == 0


async def test_s5_3_select_card_returns_stripe_action(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    intent = await client.create_payment_intent(target)
    card = next(m for m in intent.available_payment_methods if m.method_type == "CREDIT_CARD")
    selected = await client.select_payment_method(intent.payment_intent_id, card.payment_method_id)
    assert selected.requires_action
    assert selected.next_payment_action == "OPEN_STRIPE"


async def test_s5_3_patch_503_is_payment_not_possible(
    fake: FakePlaytomic, client: PlaytomicClient
) -> None:
    club = fake.add_club(
        "Ideal", courts=[CourtSpec("A", resource_id="a")], payment_methods=("IDEAL",)
    )
    intent = await client.create_payment_intent(BookingTarget(club.tenant_id, "a", START, 60))
    with pytest.raises(PaymentNotPossibleError) as info:
        await client.select_payment_method(intent.payment_intent_id, "IDEAL")
    assert info.value.http_status == 503
    assert calls(fake).count("PATCH /v1/payment_intents/{id}") == 1


async def test_s5_3_patch_400_unknown_method(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    intent = await client.create_payment_intent(target)
    with pytest.raises(PlaytomicApiError) as info:
        await client.select_payment_method(intent.payment_intent_id, "NOT_OFFERED")
    assert (info.value.http_status, info.value.code) == (400, "INCORRECT_PARAMETERS")


async def test_s5_4_requires_payment_method_action(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    intent = await client.create_payment_intent(target)
    card = next(m for m in intent.available_payment_methods if m.method_type == "CREDIT_CARD")
    await client.select_payment_method(intent.payment_intent_id, card.payment_method_id)
    with pytest.raises(PaymentActionRequiredError) as info:
        await client.confirm_payment_intent(intent.payment_intent_id, target)
    assert info.value.action_url is not None
    assert info.value.action_url.startswith("https://hooks.stripe.com/")
    assert info.value.deep_link.startswith("https://app.playtomic.com/payments?")
    assert info.value.payment_intent_id == intent.payment_intent_id
    assert fake.matches == []


async def test_s5_4_409_on_confirmation(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    fake.hold_seconds = 0  # no hold: a rival can confirm first (docs §7: intent holds)
    intent = await client.create_payment_intent(target)
    await client.select_payment_method(intent.payment_intent_id, "CASH")
    fake.book_directly(target.tenant_id, "r1", START, 90, "rival")
    with pytest.raises(SlotNotAvailableError):
        await client.confirm_payment_intent(intent.payment_intent_id, target)
    # the lost intent is no longer tracked: a new create reaches the server (and gets 409)
    with pytest.raises(SlotNotAvailableError):
        await client.create_payment_intent(target)


async def test_s5_4_503_on_confirmation(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget, sleeper: Sleeper
) -> None:
    fake.fail("POST", CONFIRM, status=503)
    with pytest.raises(PaymentNotPossibleError) as info:
        await client.book(target, ["at_club"])
    assert info.value.http_status == 503
    assert confirmations(fake) == 1
    assert sleeper.calls == []


async def test_s5_4_other_4xx_on_confirmation_is_api_error(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    fake.respond("POST", CONFIRM, status=400, json={"status": "INCORRECT_PARAMETERS"})
    with pytest.raises(PlaytomicApiError) as info:
        await client.book(target, ["at_club"])
    assert info.value.http_status == 400
    assert "GET /v1/matches" not in calls(fake)


async def test_s8_2_lost_connection_after_booking_is_found_in_matches(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget, sleeper: Sleeper
) -> None:
    fake.drop_after_confirm()
    result = await client.book(target, ["at_club"])
    assert [m.match_id for m in fake.matches] == [result.match_id]
    assert calls(fake)[-2:] == ["POST /v1/payment_intents/{id}/confirmation", "GET /v1/matches"]
    assert confirmations(fake) == 1
    assert sleeper.calls == []


async def test_s8_2_intent_read_settles_when_matches_lag(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget, sleeper: Sleeper
) -> None:
    fake.drop_after_confirm()
    fake.respond("GET", "^/v1/matches$", json=[], count=1)
    result = await client.book(target, ["at_club"])
    assert result.match_id == fake.matches[0].match_id
    assert calls(fake)[-2:] == ["GET /v1/matches", "GET /v1/payment_intents/{id}"]
    assert sleeper.calls == []


@pytest.mark.parametrize(
    "fault",
    [
        lambda fake: fake.fail("POST", CONFIRM, status=500),
        lambda fake: fake.fail("POST", CONFIRM, status=502),
        lambda fake: fake.rate_limit("POST", CONFIRM, retry_after="1"),
        lambda fake: fake.respond(
            "POST", CONFIRM, status=422, json={"status": "PAYMENT_INTENT_STATUS_INVALID"}
        ),
        lambda fake: fake.respond(
            "POST", CONFIRM, json={"payment_intent_id": "x", "status": "PROCESSING"}
        ),
        lambda fake: fake.respond(
            "POST", CONFIRM, json={"payment_intent_id": "x", "status": "SUCCEEDED"}
        ),
        lambda fake: fake.malformed("POST", CONFIRM),
    ],
    ids=["500", "502", "429", "422", "unknown-status", "succeeded-without-match-id", "not-json"],
)
async def test_s8_2_unsettled_confirmation_rechecks_then_raises_unknown(
    fake: FakePlaytomic,
    client: PlaytomicClient,
    target: BookingTarget,
    sleeper: Sleeper,
    fault: Callable[[FakePlaytomic], object],
) -> None:
    fault(fake)
    with pytest.raises(BookingOutcomeUnknownError) as info:
        await client.book(target, ["at_club"])
    assert info.value.payment_intent_id in fake.intents
    assert confirmations(fake) == 1  # never a blind second confirmation
    assert sleeper.calls == [2.0, 8.0]
    tail = calls(fake)[calls(fake).index("POST /v1/payment_intents/{id}/confirmation") + 1 :]
    assert tail == [
        "GET /v1/matches",
        "GET /v1/payment_intents/{id}",
        "GET /v1/matches",
        "GET /v1/matches",
    ]


async def test_s8_2_timeout_on_confirmation_reconciles(
    fake: FakePlaytomic,
    impatient_client: Callable[[float], Awaitable[PlaytomicClient]],
    target: BookingTarget,
    sleeper: Sleeper,
) -> None:
    client = await impatient_client(0.2)
    fake.hang("POST", CONFIRM)
    with pytest.raises(BookingOutcomeUnknownError):
        await client.book(target, ["at_club"])
    assert confirmations(fake) == 1
    assert sleeper.calls == [2.0, 8.0]


async def test_s8_2_422_when_already_booked_finds_the_match(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    existing = fake.book_directly(target.tenant_id, "r1", START, 90, USER_ID)
    fake.respond("POST", CONFIRM, status=422, json={"status": "PAYMENT_INTENT_STATUS_INVALID"})
    # the slot is ours already, so create would be refused; drive the confirmation directly
    match_id = await client.confirm_payment_intent("pi-unknown", target)
    assert match_id == existing.match_id
    assert confirmations(fake) == 1


async def test_s8_2_match_appears_on_the_ten_second_recheck(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget, sleeper: Sleeper
) -> None:
    fake.fail("POST", CONFIRM, status=504)
    fake.respond("GET", "^/v1/matches$", json=[], count=2)
    fake.respond("GET", INTENT, json={"payment_intent_id": "x", "status": "PENDING"})
    fake.book_directly(target.tenant_id, "r1", START + timedelta(days=1), 90, USER_ID)  # other day
    later = fake.book_directly(target.tenant_id, "r1", START, 90, USER_ID)
    later_id = later.match_id
    with pytest.raises(SlotNotAvailableError):  # our own match blocks the create: drive step 3
        await client.create_payment_intent(target)
    assert await client.confirm_payment_intent("pi-x", target) == later_id
    assert sleeper.calls == [2.0, 8.0]


async def test_s8_2_reconciliation_errors_end_in_unknown(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget, sleeper: Sleeper
) -> None:
    fake.fail("POST", CONFIRM, status=500)
    fake.fail("GET", "^/v1/matches$", status=500, count=None)
    fake.fail("GET", INTENT, status=500, count=None)
    with pytest.raises(BookingOutcomeUnknownError) as info:
        await client.book(target, ["at_club"])
    assert isinstance(info.value.__cause__, PlaytomicApiError)


async def test_s8_1_never_confirm_twice(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget, sleeper: Sleeper
) -> None:
    result = await client.book(target, ["at_club"])
    again = await client.confirm_payment_intent(result.payment_intent_id, target)
    assert again == result.match_id
    assert confirmations(fake) == 1
    fake.fail("POST", CONFIRM, status=500)
    other = BookingTarget(target.tenant_id, "r2", START, 90)
    with pytest.raises(BookingOutcomeUnknownError) as info:
        await client.book(other, ["at_club"])
    with pytest.raises(BookingOutcomeUnknownError):
        await client.confirm_payment_intent(info.value.payment_intent_id or "", other)
    assert confirmations(fake) == 2  # one per intent


async def test_s2_3_confirmation_replayed_once_after_401(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    fake.respond("POST", CONFIRM, status=401, json=UNAUTHORIZED)
    result = await client.book(target, ["at_club"])
    assert confirmations(fake) == 2
    assert [m.match_id for m in fake.matches] == [result.match_id]


async def test_s1_3_edge_block_on_confirmation_is_not_reconciled(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    fake.edge_block("POST", CONFIRM, count=1)
    with pytest.raises(PlaytomicEdgeBlockedError):
        await client.book(target, ["at_club"])
    assert "GET /v1/matches" not in calls(fake)


async def test_s8_3_one_unconfirmed_intent_per_target(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget, clock: object
) -> None:
    first = await client.create_payment_intent(target)
    with pytest.raises(IntentAlreadyOpenError) as info:
        await client.create_payment_intent(target)
    assert info.value.payment_intent_id == first.payment_intent_id
    with pytest.raises(IntentAlreadyOpenError):
        await client.book(target, ["at_club"])
    assert calls(fake).count("POST /v1/payment_intents") == 1
    # another court is another target
    await client.create_payment_intent(BookingTarget(target.tenant_id, "r2", START, 90))
    # a deliberate hedge may hold a second one
    await client.create_payment_intent(target, hedge=True)
    assert calls(fake).count("POST /v1/payment_intents") == 3
    client.release_intent(target)
    await client.create_payment_intent(target)


async def test_s11_5_live_intent_expires_after_fifteen_minutes(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    await client.create_payment_intent(target)
    fake.clock.advance(14 * 60)
    with pytest.raises(IntentAlreadyOpenError):
        await client.create_payment_intent(target)
    fake.clock.advance(61)
    await client.create_payment_intent(target)


async def test_s8_3_confirmed_or_lost_intents_are_released(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    await client.book(target, ["at_club"])
    client_target = BookingTarget(target.tenant_id, "r2", START, 90)
    fake.fail("POST", CONFIRM, status=503)
    with pytest.raises(PaymentNotPossibleError):
        await client.book(client_target, ["at_club"])
    fake.respond("POST", CONFIRM, status=409, json={"status": "RESOURCE_NO_AVAILABLE"})
    with pytest.raises(SlotNotAvailableError):
        await client.book(client_target, ["at_club"])  # 503 released the ledger entry
    # 409 released it as well: a new intent may be created
    await client.create_payment_intent(client_target)


async def test_s5_dry_run_creates_and_chooses_but_never_patches_or_confirms(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    result = await client.book(target, ["wallet", "at_club"], dry_run=True)
    assert result.dry_run
    assert result.match_id is None
    assert result.category == "at_club"
    assert result.payment_intent_id in fake.intents
    assert calls(fake) == ["POST /v3/auth/login", "POST /v1/payment_intents"]
    assert fake.matches == []


async def test_s8_2_get_payment_intent(
    fake: FakePlaytomic, client: PlaytomicClient, target: BookingTarget
) -> None:
    result = await client.book(target, ["at_club"])
    intent = await client.get_payment_intent(result.payment_intent_id)
    assert intent.succeeded
    assert intent.match_id == result.match_id
