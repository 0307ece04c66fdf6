"""Payment-method policy (docs/playtomic-api.md §5.2, §11.1, §11.5): classify offered methods, pick one.

A wallet whose known balance is below the price is not usable for that booking (§11.5): it is
skipped, the next allowed category is tried, and `short_wallets` tells the caller why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from . import contract
from .errors import PaymentNotPossibleError
from .models import Money, PaymentMethod


class PaymentCategory(StrEnum):
    """The categories a user may allow, in the option's vocabulary (cards are never one).

    Declared in the default order of preference: free first, paying at the club last.
    """

    ZERO_AMOUNT = "zero_amount"
    OFFER = "offer"
    WALLET = "wallet"
    AT_CLUB = "at_club"


DEFAULT_POLICY: tuple[PaymentCategory, ...] = tuple(PaymentCategory)


def _is_never(method: PaymentMethod) -> bool:
    """Card, redirect and unknown methods are never selected; this wins over zero_amount."""
    if method.method_type and method.method_type.upper() in contract.NEVER_SELECT_TYPES:
        return True
    upper_id = method.payment_method_id.upper()
    if upper_id.startswith(contract.NEVER_SELECT_ID_PREFIXES):
        return True
    return bool(method.data and contract.NEVER_SELECT_DATA_MARKER in method.data.lower())


def _kind(method: PaymentMethod) -> PaymentCategory | None:
    """The category from method_type, else the id prefix, else the name (case-insensitive)."""
    if method.method_type:
        return _from_type(method.method_type.upper())  # a known field decides alone
    upper_id = method.payment_method_id.upper()
    for prefix in sorted(
        contract.AT_CLUB_TYPES | contract.WALLET_TYPES | contract.OFFER_TYPES, key=len, reverse=True
    ):
        if upper_id == prefix or upper_id.startswith((f"{prefix}-", f"{prefix}_")):
            return _from_type(prefix)
    name = (method.name or "").lower()
    if any(marker in name for marker in contract.AT_CLUB_NAME_MARKERS):
        return PaymentCategory.AT_CLUB
    return None


def _from_type(method_type: str) -> PaymentCategory | None:
    if method_type in contract.AT_CLUB_TYPES:
        return PaymentCategory.AT_CLUB
    if method_type in contract.WALLET_TYPES:
        return PaymentCategory.WALLET
    if method_type in contract.OFFER_TYPES:
        return PaymentCategory.OFFER
    return None  # unknown types (DIRECT and anything new) are never selected


def _balance_short(method: PaymentMethod, price: Money | None) -> bool:
    """§11.5: a known balance below the price (same currency, or one of them without any)."""
    cost = method.amount if method.amount is not None else price
    balance = method.balance
    if cost is None or balance is None:
        return False
    if balance.currency and cost.currency and balance.currency != cost.currency:
        return False  # not comparable: let the server decide
    return balance.amount < cost.amount


def short_wallets(
    methods: Sequence[PaymentMethod], price: Money | None
) -> tuple[PaymentMethod, ...]:
    """Offered wallets skipped because their balance does not cover the price."""
    return tuple(
        m for m in methods if _kind(m) is PaymentCategory.WALLET and _balance_short(m, price)
    )


def classify_method(
    method: PaymentMethod, price: Money | None = None
) -> frozenset[PaymentCategory]:
    """Every category the method belongs to (empty: never selectable).

    `price` is the booking's price, used when the method carries no amount of its own.
    """
    if _is_never(method):
        return frozenset()
    kind = _kind(method)
    if kind is None or (kind is PaymentCategory.WALLET and _balance_short(method, price)):
        return frozenset()
    categories = {kind}
    if method.amount is not None and method.amount.amount == 0:
        categories.add(PaymentCategory.ZERO_AMOUNT)
    return frozenset(categories)


def choose_method(
    methods: Sequence[PaymentMethod],
    policy: Iterable[PaymentCategory | str] = DEFAULT_POLICY,
    *,
    payment_intent_id: str | None = None,
    price: Money | None = None,
) -> tuple[PaymentMethod, PaymentCategory]:
    """The first offered method of the first allowed category, in the user's order.

    Raises PaymentNotPossibleError carrying the offered names when nothing is allowed.
    """
    order = [PaymentCategory(c) for c in policy]
    classified = [(m, classify_method(m, price)) for m in methods]
    for category in order:
        for method, categories in classified:
            if category in categories:
                return method, category
    offered = tuple(m.label for m in methods)
    raise PaymentNotPossibleError(
        "No allowed payment method offered: " + (", ".join(offered) or "none"),
        offered=offered,
        payment_intent_id=payment_intent_id,
    )


def forecast_category(
    policy: Iterable[PaymentCategory | str], *, price: Money | None, pay_at_club: bool | None
) -> PaymentCategory | None:
    """The category a booking would most likely pay with, without creating a payment intent.

    Only an intent lists the methods Playtomic offers (a wallet's balance, vouchers), and
    creating one holds the court for minutes (§5), so a dry run asks nothing and forecasts
    from what is known: `zero_amount` needs a listed price of zero, `at_club` a court that
    does not refuse on-site payment; `offer` and `wallet` cannot be checked and count as
    possible. The first allowed category not ruled out wins; None when all are ruled out.
    """
    for category in (PaymentCategory(c) for c in policy):
        if category is PaymentCategory.ZERO_AMOUNT:
            if price is not None and price.amount == 0:
                return category
            continue
        if category is PaymentCategory.AT_CLUB and pay_at_club is False:
            continue
        return category
    return None
