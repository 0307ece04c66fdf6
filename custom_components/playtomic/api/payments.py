"""Payment-method policy (contract §5.2): classify offered methods, pick the first allowed one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from . import contract
from .errors import PaymentNotPossibleError
from .models import PaymentMethod


class PaymentCategory(StrEnum):
    """The categories a user may allow, in the option's vocabulary."""

    ZERO_AMOUNT = "zero_amount"
    OFFER = "offer"
    WALLET = "wallet"
    AT_CLUB = "at_club"


DEFAULT_POLICY: tuple[PaymentCategory, ...] = tuple(
    PaymentCategory(c) for c in contract.DEFAULT_PAYMENT_ORDER
)


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


def classify_method(method: PaymentMethod) -> frozenset[PaymentCategory]:
    """Every category the method belongs to (empty: never selectable)."""
    if _is_never(method):
        return frozenset()
    kind = _kind(method)
    if kind is None:
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
) -> tuple[PaymentMethod, PaymentCategory]:
    """The first offered method of the first allowed category, in the user's order.

    Raises PaymentNotPossibleError carrying the offered names when nothing is allowed.
    """
    order = [PaymentCategory(c) for c in policy]
    classified = [(m, classify_method(m)) for m in methods]
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
