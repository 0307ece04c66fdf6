"""The three booking steps, payment methods and holds (docs/playtomic-api.md §5, §7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fake_playtomic import CourtSpec, FakeClock, FakeClub, FakePlaytomic

from .conftest import Player, Reply, intent_body

START = "2026-03-16T17:30:00"
START_UTC = datetime(2026, 3, 16, 17, 30, tzinfo=UTC)


def method_id(created: dict[str, object], method_type: str) -> str:
    methods = created["available_payment_methods"]
    assert isinstance(methods, list)
    return next(m["payment_method_id"] for m in methods if m["method_type"] == method_type)


async def test_cash_booking_end_to_end(fake: FakePlaytomic, alice: Player, club: FakeClub) -> None:
    court = club.courts[0].resource_id
    created = await alice.create_intent(club, court, START)
    assert created.status == 200
    intent = created.body
    assert intent["status"] == "REQUIRES_PAYMENT_METHOD"
    types = [m["method_type"] for m in intent["available_payment_methods"]]
    assert types == ["CASH", "MERCHANT_WALLET", "OFFER", "CREDIT_CARD", "QUICK_PAY", "IDEAL"]
    cash = intent["available_payment_methods"][0]
    assert cash == {
        "payment_method_id": "CASH",
        "method_type": "CASH",
        "name": "Pay at the club",
        "amount": "36 EUR",
        "data": None,
    }
    assert method_id(intent, "OFFER").startswith("OFFER-")
    offer = next(m for m in intent["available_payment_methods"] if m["method_type"] == "OFFER")
    assert offer["amount"] == "0 EUR"
    assert method_id(intent, "CREDIT_CARD").startswith("CREDIT_CARD-STRIPE_")

    intent_id = intent["payment_intent_id"]
    patched = await alice.call(
        "PATCH",
        f"/v1/payment_intents/{intent_id}",
        json={"selected_payment_method_id": "CASH", "selected_payment_method_data": None},
    )
    assert patched.status == 200
    assert patched.body["status"] == "REQUIRES_CONFIRMATION"  # the app's value (§11.5)
    assert patched.body["selected_payment_method_id"] == "CASH"
    assert patched.body["next_payment_action"] is None

    confirmed = await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation")
    assert confirmed.status == 200
    assert confirmed.body["status"] == "SUCCEEDED"
    item = confirmed.body["cart"]["item"]
    assert item["cart_item_type"] == "CUSTOMER_MATCH"
    data = item["cart_item_data"]
    assert (data["tenant_id"], data["resource_id"], data["start"], data["duration"]) == (
        club.tenant_id,
        court,
        START,
        90,
    )
    [match] = fake.matches
    assert data["match_id"] == match.match_id
    assert (match.owner_id, match.status, match.start, match.duration) == (
        "1001",
        "CONFIRMED",
        START_UTC,
        90,
    )

    again = await alice.get(f"/v1/payment_intents/{intent_id}")
    assert again.status == 200
    assert again.body["status"] == "SUCCEEDED"
    assert again.body["cart"]["item"]["cart_item_data"]["match_id"] == match.match_id
    twice = await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation", json={})
    assert twice.status == 422
    assert twice.body["status"] == "PAYMENT_INTENT_STATUS_INVALID"
    assert len(fake.matches) == 1


async def test_patch_without_data_key_and_confirm_with_empty_object(
    alice: Player, club: FakeClub
) -> None:
    created = await alice.create_intent(club, club.courts[0].resource_id, START)
    intent_id = created.body["payment_intent_id"]
    wallet = method_id(created.body, "MERCHANT_WALLET")
    patched = await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": wallet}
    )
    assert patched.status == 200
    confirmed = await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation", json={})
    assert confirmed.body["status"] == "SUCCEEDED"


async def test_card_needs_stripe_at_patch_and_3ds_at_confirmation(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    created = await alice.create_intent(club, club.courts[0].resource_id, START)
    intent_id = created.body["payment_intent_id"]
    card = method_id(created.body, "CREDIT_CARD")
    patched = await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": card}
    )
    assert patched.status == 200
    assert patched.body["next_payment_action"] == "OPEN_STRIPE"
    assert patched.body["next_payment_action_data"]["stripe_client_secret"]
    assert patched.body["next_payment_action_data"]["stripe_public_key"].startswith("pk_")
    confirmed = await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation")
    assert confirmed.status == 200
    assert confirmed.body["status"] == "REQUIRES_PAYMENT_METHOD_ACTION"
    url = confirmed.body["next_payment_action_data"]["stripe_next_action"]["value"]["url"]
    assert url.startswith("https://")
    assert fake.matches == []


@pytest.mark.parametrize("method_type", ["IDEAL"])
async def test_redirect_methods_fail_with_503_at_patch(
    alice: Player, club: FakeClub, method_type: str
) -> None:
    created = await alice.create_intent(club, club.courts[0].resource_id, START)
    intent_id = created.body["payment_intent_id"]
    reply = await alice.call(
        "PATCH",
        f"/v1/payment_intents/{intent_id}",
        json={"selected_payment_method_id": method_id(created.body, method_type)},
    )
    assert reply.status == 503
    assert set(reply.body) == {"status", "localized_message"}


async def test_patch_errors(alice: Player, bob: Player, club: FakeClub) -> None:
    created = await alice.create_intent(club, club.courts[0].resource_id, START)
    intent_id = created.body["payment_intent_id"]
    unknown = await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": "PAYPAL"}
    )
    assert unknown.status == 400
    assert unknown.body["status"] == "INCORRECT_PARAMETERS"
    wrong_key = await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method": "CASH"}
    )
    assert wrong_key.status == 400
    not_mine = await bob.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": "CASH"}
    )
    assert not_mine.status == 404
    assert (await alice.get("/v1/payment_intents/nope")).status == 404
    assert (await bob.get(f"/v1/payment_intents/{intent_id}")).status == 404


async def test_confirm_without_selected_method_is_422(alice: Player, club: FakeClub) -> None:
    created = await alice.create_intent(club, club.courts[0].resource_id, START)
    reply = await alice.call(
        "POST", f"/v1/payment_intents/{created.body['payment_intent_id']}/confirmation"
    )
    assert reply.status == 422


async def test_allowed_types_filter_the_offer(alice: Player, club: FakeClub) -> None:
    reply = await alice.create_intent(
        club, club.courts[0].resource_id, START, allowed=["CREDIT_CARD"]
    )
    assert [m["method_type"] for m in reply.body["available_payment_methods"]] == ["CREDIT_CARD"]


async def test_user_id_may_be_me_or_own_id_but_not_another(alice: Player, club: FakeClub) -> None:
    court = club.courts[0].resource_id
    assert (await alice.create_intent(club, court, START, user_id="1001")).status == 200
    other = await alice.create_intent(club, court, "2026-03-16T10:00:00", user_id="1002")
    assert other.status == 400


def _broken_bodies(club: FakeClub) -> list[object]:
    court = club.courts[0].resource_id
    good = intent_body(club, court, START, 90)
    no_cart = {k: v for k, v in good.items() if k != "cart"}
    wrong_type = intent_body(club, court, START, 90)
    wrong_type["cart"]["requested_item"]["cart_item_type"] = "OPEN_MATCH"
    start_date = intent_body(club, court, START, 90)
    data = start_date["cart"]["requested_item"]["cart_item_data"]
    data["start_date"] = data.pop("start")
    hours = intent_body(club, court, START, 90)
    hours["cart"]["requested_item"]["cart_item_data"]["duration"] = 1.5
    bad_start = intent_body(club, court, "next tuesday", 90)
    return [["not", "an", "object"], no_cart, wrong_type, start_date, hours, bad_start]


async def test_wrong_body_shapes_are_400(alice: Player, club: FakeClub) -> None:
    for body in _broken_bodies(club):
        reply = await alice.call("POST", "/v1/payment_intents", json=body)
        assert reply.status == 400, body
        assert reply.body["status"] == "INCORRECT_PARAMETERS"


async def test_duration_not_allowed_is_400(alice: Player, club: FakeClub) -> None:
    reply = await alice.create_intent(club, club.courts[1].resource_id, START, 120)
    assert reply.status == 400


@pytest.mark.parametrize(
    ("resource", "start"),
    [
        ("nope", START),  # unknown court
        (None, "2026-03-16T17:40:00"),  # off the 30-minute grid
        (None, "2026-03-16T05:00:00"),  # before opening
        (None, "2026-03-16T21:30:00"),  # would end after closing
        (None, "2026-03-20T17:30:00"),  # not released yet
        (None, "2026-03-02T07:00:00"),  # already started
    ],
)
async def test_unavailable_slots_are_409(
    alice: Player, club: FakeClub, resource: str | None, start: str
) -> None:
    reply = await alice.create_intent(club, resource or club.courts[0].resource_id, start)
    assert reply.status == 409
    assert reply.body["status"] == "RESOURCE_NO_AVAILABLE"


async def test_unknown_tenant_is_409(alice: Player, club: FakeClub) -> None:
    body = intent_body(club, club.courts[0].resource_id, START, 90)
    body["cart"]["requested_item"]["cart_item_data"]["tenant_id"] = "nope"
    assert (await alice.call("POST", "/v1/payment_intents", json=body)).status == 409


async def test_hold_blocks_other_users_until_it_expires(
    clock: FakeClock, alice: Player, bob: Player, club: FakeClub
) -> None:
    court = club.courts[0].resource_id
    assert (await alice.create_intent(club, court, START)).status == 200
    # Alice may open a second intent on her own held slot; Bob may not, even an overlapping one.
    assert (await alice.create_intent(club, court, START)).status == 200
    assert (await bob.create_intent(club, court, START)).status == 409
    assert (await bob.create_intent(club, court, "2026-03-16T18:00:00", 60)).status == 409
    clock.advance(599)
    assert (await bob.create_intent(club, court, START)).status == 409
    clock.advance(1)
    assert (await bob.create_intent(club, court, START)).status == 200


async def test_confirm_after_hold_expiry_still_books_if_free(
    clock: FakeClock, fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    created = await alice.create_intent(club, club.courts[0].resource_id, START)
    intent_id = created.body["payment_intent_id"]
    await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": "CASH"}
    )
    clock.advance(900)
    confirmed = await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation")
    assert confirmed.body["status"] == "SUCCEEDED"


async def test_without_holds_the_first_confirmation_wins(
    fake: FakePlaytomic, alice: Player, bob: Player, club: FakeClub
) -> None:
    fake.hold_seconds = 0
    court = club.courts[0].resource_id
    mine = await alice.create_intent(club, court, START)
    assert (await bob.book(club, court, START)).body["status"] == "SUCCEEDED"
    intent_id = mine.body["payment_intent_id"]
    await alice.call(
        "PATCH", f"/v1/payment_intents/{intent_id}", json={"selected_payment_method_id": "CASH"}
    )
    lost = await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation")
    assert lost.status == 409
    assert lost.body["status"] == "RESOURCE_NO_AVAILABLE"
    assert [m.owner_id for m in fake.matches] == ["1002"]


async def test_single_court_defaults_to_two_players(fake: FakePlaytomic, alice: Player) -> None:
    from tests.fake_playtomic import CourtSpec

    club = fake.add_club("Singles", courts=[CourtSpec("S", size="single")])
    body = intent_body(club, club.courts[0].resource_id, START, 60)
    del body["cart"]["requested_item"]["cart_item_data"]["number_of_players"]
    reply = await alice.call("POST", "/v1/payment_intents", json=body)
    assert reply.body["cart"]["item"]["cart_item_data"]["number_of_players"] == 2


async def test_unreleased_status_switch_answers_422_with_the_same_code(
    fake: FakePlaytomic, alice: Player, club: FakeClub
) -> None:
    fake.variants.unreleased_status = 422
    court = club.courts[0].resource_id
    unreleased = await alice.create_intent(club, court, "2026-03-20T17:30:00")
    assert (unreleased.status, unreleased.body["status"]) == (422, "RESOURCE_NO_AVAILABLE")
    started = await alice.create_intent(club, court, "2026-03-02T07:00:00")
    assert started.status == 409  # only "not released yet" changes


async def _pay(alice: Player, intent_id: str, method_id: str) -> Reply:
    await alice.call(
        "PATCH",
        f"/v1/payment_intents/{intent_id}",
        json={"selected_payment_method_id": method_id},
    )
    return await alice.call("POST", f"/v1/payment_intents/{intent_id}/confirmation", json={})


async def test_wallet_type_with_balance_shows_it_and_pays_from_it(
    fake: FakePlaytomic, alice: Player
) -> None:
    club = fake.add_club(
        "Wallet Club", courts=[CourtSpec("Pista 1")], payment_methods=("WALLET",), wallet_balance=40
    )
    court = club.courts[0].resource_id
    created = await alice.create_intent(club, court, START, allowed=["WALLET"])
    [wallet] = created.body["available_payment_methods"]
    assert wallet["method_type"] == "WALLET"
    assert wallet["data"]["balance"] == "40 EUR"
    confirmed = await _pay(alice, created.body["payment_intent_id"], wallet["payment_method_id"])
    assert confirmed.body["status"] == "SUCCEEDED"
    assert club.wallet_balance == 4  # 40 - 36
    second = await alice.create_intent(club, court, "2026-03-16T10:00:00", allowed=["WALLET"])
    assert second.body["available_payment_methods"][0]["data"]["balance"] == "4 EUR"
    refused = await _pay(alice, second.body["payment_intent_id"], wallet["payment_method_id"])
    assert (refused.status, refused.body["status"]) == (422, "INSUFFICIENT_BALANCE")
