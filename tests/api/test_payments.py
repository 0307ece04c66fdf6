"""Payment-method policy (docs/playtomic-api.md §5.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from custom_components.playtomic.api import (
    Money,
    PaymentCategory,
    PaymentMethod,
    PaymentNotPossibleError,
    choose_method,
    classify_method,
)
from custom_components.playtomic.api.payments import forecast_category

EUR0 = Money(Decimal(0), "EUR")
EUR35 = Money(Decimal(35), "EUR")


def pm(
    method_id: str,
    method_type: str | None = None,
    name: str | None = None,
    amount: Money | None = EUR35,
    data: str | None = None,
) -> PaymentMethod:
    return PaymentMethod(method_id, method_type, name, amount, data)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (pm("CASH", "CASH", "Pay at the club"), {PaymentCategory.AT_CLUB}),
        (pm("MERCHANT_WALLET-1", "MERCHANT_WALLET", "Club wallet"), {PaymentCategory.WALLET}),
        (pm("W", "WALLET"), {PaymentCategory.WALLET}),
        (
            pm("OFFER-1", "OFFER", "Bono", EUR0),
            {PaymentCategory.OFFER, PaymentCategory.ZERO_AMOUNT},
        ),
        (pm("cash", "cash", amount=EUR0), {PaymentCategory.AT_CLUB, PaymentCategory.ZERO_AMOUNT}),
        # id prefix when method_type is missing
        (pm("MERCHANT_WALLET-abc"), {PaymentCategory.WALLET}),
        (pm("OFFER_9"), {PaymentCategory.OFFER}),
        (pm("CASH"), {PaymentCategory.AT_CLUB}),
        # name when neither type nor id says anything
        (pm("x1", None, "Pagar en el club / Cash"), {PaymentCategory.AT_CLUB}),
        (pm("x2", None, "Pay AT THE CLUB"), {PaymentCategory.AT_CLUB}),
        (pm("x3", None, "Something"), set()),
    ],
)
def test_s5_2_classification(method: PaymentMethod, expected: set[PaymentCategory]) -> None:
    assert classify_method(method) == expected


@pytest.mark.parametrize(
    "method",
    [
        pm("CREDIT_CARD-STRIPE_1", "CREDIT_CARD", "Card", EUR0),
        pm("CREDIT_CARD-STRIPE_1", None, "Pay at the club", EUR0),  # id prefix is on the never list
        pm("QP", "QUICK_PAY", amount=EUR0),
        pm("PP", "PAYPAL"),
        pm("I", "IDEAL"),
        pm("B", "BANCONTACT"),
        pm("S", "SWISH"),
        pm("SS", "SWISH_STRIPE"),
        pm("PT", "PAYTRAIL"),
        pm("D", "DIRECT", "Pay at the club", EUR0),  # unknown meaning: never, even when free
        pm("N", "NEW_THING", amount=EUR0),
        pm("CASH", "CASH", "Pay at the club", EUR0, data='{"provider": "Stripe"}'),
    ],
)
def test_s5_2_never_list_wins_over_zero_amount(method: PaymentMethod) -> None:
    assert classify_method(method) == frozenset()


def test_s5_2_choose_first_match_in_user_order() -> None:
    cash = pm("CASH", "CASH", "Pay at the club")
    wallet = pm("MERCHANT_WALLET-1", "MERCHANT_WALLET", "Wallet")
    offer = pm("OFFER-1", "OFFER", "Bono", EUR0)
    card = pm("CREDIT_CARD-1", "CREDIT_CARD", "Card", EUR0)
    methods = [card, cash, wallet, offer]
    assert choose_method(methods) == (offer, PaymentCategory.ZERO_AMOUNT)
    assert choose_method(methods, ["at_club", "wallet"]) == (cash, PaymentCategory.AT_CLUB)
    assert choose_method(methods, [PaymentCategory.WALLET]) == (wallet, PaymentCategory.WALLET)


def test_s5_2_nothing_allowed_raises_with_offered_names() -> None:
    methods = [pm("CREDIT_CARD-1", "CREDIT_CARD", "Card"), pm("CASH", "CASH", "Pay at the club")]
    with pytest.raises(PaymentNotPossibleError) as info:
        choose_method(methods, ["wallet", "offer"], payment_intent_id="pi-1")
    assert info.value.offered == ("Card", "Pay at the club")
    assert info.value.payment_intent_id == "pi-1"
    assert "Card" in str(info.value)
    with pytest.raises(PaymentNotPossibleError, match="none"):
        choose_method([], ["at_club"])


def test_s5_2_unknown_category_in_policy_is_rejected() -> None:
    with pytest.raises(ValueError):
        choose_method([pm("CASH", "CASH")], ["bitcoin"])


def test_dry_run_forecast_without_an_intent() -> None:
    """The first allowed category that what is known does not rule out."""
    free, paid = Money(Decimal(0), "EUR"), Money(Decimal("36"), "EUR")
    order = ["zero_amount", "at_club", "wallet"]
    assert forecast_category(order, price=free, pay_at_club=True) is PaymentCategory.ZERO_AMOUNT
    assert forecast_category(order, price=paid, pay_at_club=True) is PaymentCategory.AT_CLUB
    # A court that refuses on-site payment leaves the wallet (which cannot be checked).
    assert forecast_category(order, price=paid, pay_at_club=False) is PaymentCategory.WALLET
    # An unknown price is not a free slot.
    assert forecast_category(["zero_amount"], price=None, pay_at_club=None) is None
    assert forecast_category(["at_club"], price=paid, pay_at_club=None) is PaymentCategory.AT_CLUB
    assert forecast_category(["at_club"], price=paid, pay_at_club=False) is None
